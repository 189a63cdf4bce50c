"""`dl.autograd`: PyTorch's names for the autograd machinery (`dl.autograd.Function`, `grad`).

`Function` is dlcourse's own base class (function.py): forward/backward receive and return NumPy
arrays (PyTorch passes Tensors), and `ctx.saved_tensors` holds what `save_for_backward` kept —
so the custom-Function examples of the PyTorch tutorials run as written.
"""

from __future__ import annotations

from dlcourse.function import Function


def backward(tensors, grad_tensors=None, retain_graph=False):
    """Call `backward()` on each tensor (with its gradient, if given)."""
    from dlcourse.tensor import Tensor

    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    grads = [None] * len(tensors) if grad_tensors is None else list(grad_tensors)
    for t, g in zip(tensors, grads):
        t.backward(g, retain_graph=retain_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=False):
    """d(outputs)/d(inputs) as a tuple of Tensors, without touching the inputs' `.grad`."""
    from dlcourse.tensor import Tensor

    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    saved = [t.grad for t in inputs]
    for t in inputs:
        t.grad = None
    try:
        backward(outputs, grad_outputs, retain_graph=retain_graph)
        return tuple(t.grad for t in inputs)
    finally:
        for t, g in zip(inputs, saved):
            t.grad = g


__all__ = ["Function", "backward", "grad"]
