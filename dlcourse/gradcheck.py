"""Check analytic gradients against finite differences: the test every op must pass."""

from __future__ import annotations

import numpy as np

from dlcourse.tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic gradient of some input differs from the numerical one."""


def numerical_grad(fn, inputs: list, wrt: list[Tensor], weights: np.ndarray, eps: float) -> list[np.ndarray]:
    """d(Σ weights · fn(*inputs))/dt for each t in `wrt` by central differences, (f(t+ε) - f(t-ε)) / 2ε."""
    grads = []
    for t in wrt:
        grad = np.zeros_like(t.data, dtype=np.float64)
        flat = t.data.reshape(-1)  # a view: nudging flat[i] nudges t.data
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            plus = float((np.asarray(fn(*inputs).data, np.float64) * weights).sum())
            flat[i] = original - eps
            minus = float((np.asarray(fn(*inputs).data, np.float64) * weights).sum())
            flat[i] = original
            grad.reshape(-1)[i] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4, seed: int = 0) -> bool:
    """True if backward() of `fn(*inputs)` matches central differences on every element of every input.

    Inputs that require grad should be float64 (float32 finite differences are too coarse). A non-scalar
    output is reduced with fixed random weights, so every output element's gradient is checked.
    Raises GradcheckError naming the input, the worst element and both values when they disagree.
    """
    tensors = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not tensors:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    for t in tensors:
        if t.dtype != np.float64:
            raise TypeError(
                f"gradcheck: inputs must be float64 for accurate finite differences, got {t.dtype}; "
                "make them with dl.tensor(x, dtype='float64', requires_grad=True)"
            )
    for t in tensors:
        t.data = np.ascontiguousarray(t.data)  # so that nudging a flat view nudges the tensor
    out = fn(*inputs)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    for t in tensors:
        t.grad = None
    (out * Tensor(weights)).sum().backward()
    analytic = [np.zeros_like(t.data) if t.grad is None else t.grad.data for t in tensors]
    numeric = numerical_grad(fn, list(inputs), tensors, weights, eps)
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        bad = ~np.isclose(a, n, atol=atol, rtol=rtol)
        if bad.any():
            worst = np.unravel_index(np.argmax(np.abs(a - n) * bad), a.shape)
            raise GradcheckError(
                f"gradcheck: input {k} (shape {a.shape}) at index {tuple(int(i) for i in worst)}: "
                f"analytic gradient {a[worst]:.6g} vs numerical {n[worst]:.6g} "
                f"({int(bad.sum())} of {a.size} elements differ)"
            )
    return True
