"""The `Function` base class: one node type of the computation graph.

Every differentiable operation is a subclass with two static methods, exactly like PyTorch's
`torch.autograd.Function`:

    forward(ctx, *arrays, **options)  -> np.ndarray          (the value)
    backward(ctx, grad_out)           -> one gradient per array input (or None)

`forward` and `backward` only ever see NumPy arrays; non-array options (an axis, a stride) are
keyword arguments that `forward` stores on `ctx` if `backward` needs them.

`Function.apply(*inputs)` is the glue: it unwraps tensors, runs `forward`, and — when a gradient
is needed — records a `Context` on the output so that `Tensor.backward()` can walk back.
"""

from __future__ import annotations

import itertools

import numpy as np

from dlcourse import grad_mode

Tensor = None  # set by dlcourse/tensor.py once the Tensor class exists (they need each other)


class ShapeError(ValueError):
    """Operands whose shapes don't fit the operation (the message names the shapes)."""


_op_counter = itertools.count()


class Context:
    """What one op remembers between its forward and backward pass."""

    __slots__ = ("fn", "inputs", "saved", "needs_input_grad", "freed", "seq", "versions", "__dict__")

    def __init__(self, fn, inputs, needs_input_grad):
        self.fn = fn  # the Function subclass that made the output
        self.inputs = inputs  # the Tensor inputs (None where an input was a plain array/number)
        self.saved = ()
        self.needs_input_grad = needs_input_grad  # per input: does it need a gradient?
        self.freed = False
        self.seq = next(_op_counter)  # creation order: the backward pass runs newest op first
        self.versions = ()  # (input index, or -1 for the output; its version) of each saved tensor

    def save_for_backward(self, *arrays):
        """Keep arrays for `backward`; they are dropped after the backward pass (unless retained)."""
        self.saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        """PyTorch's name for `saved` (here they are the NumPy arrays given to save_for_backward)."""
        return self.saved


class Function:
    """Base class of all differentiable operations (see the module docstring)."""

    @staticmethod
    def forward(ctx, *arrays, **options):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        """A learner-friendly message for a NumPy ValueError raised in `forward` (None: re-raise as is)."""
        shapes = [np.shape(a) for a in arrays if isinstance(a, np.ndarray)]
        if len(shapes) >= 2 and "broadcast" in str(error):
            listed = " and ".join(str(s) for s in shapes)
            return f"{cls.__name__.lower()}: cannot broadcast shapes {listed} (trailing sizes must match or be 1)"
        return None

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on tensors (or numbers) and, if any input needs a gradient, link the graph."""
        arrays = []
        tensors = []
        needs = []
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x._data)
                tensors.append(x)
                needs.append(x.requires_grad)
            else:
                arrays.append(x)
                tensors.append(None)
                needs.append(False)
        requires_grad = grad_mode.enabled and True in needs
        ctx = Context(cls, tensors, needs) if requires_grad else _NO_GRAD_CONTEXT
        try:
            out = cls.forward(ctx, *arrays, **options)
        except ShapeError:
            raise  # already a learner-friendly message
        except ValueError as error:
            message = cls.explain_error(error, *arrays, **options)
            if message is None:
                raise
            raise ShapeError(message) from None  # the learner's mistake, not a bug deep in NumPy
        result = Tensor._make(out, requires_grad)
        if requires_grad:
            result._ctx = ctx
            if ctx.saved:
                ctx.versions = _saved_versions(ctx.saved, tensors, out)
        return result


def _saved_versions(saved, tensors, out) -> tuple:
    """Which saved arrays are an input's or the output's own array, with its current version.

    An in-place change of such a tensor before backward would silently corrupt the gradient;
    backward compares the versions and raises instead (PyTorch's rule).
    """
    versions = []
    for array in saved:
        if array is out:
            versions.append((-1, 0))
            continue
        for index, t in enumerate(tensors):
            if t is not None and array is t._data:
                versions.append((index, t._version))
                break
    return tuple(versions)


class _ThrowawayContext:
    """A context for ops run without grad: `save_for_backward` and attributes are simply dropped."""

    __slots__ = ()

    def save_for_backward(self, *arrays):
        pass

    def __setattr__(self, name, value):
        pass


_NO_GRAD_CONTEXT = _ThrowawayContext()


def as_array(x, like: np.ndarray) -> np.ndarray:
    """A number or array as an ndarray in the dtype of `like` (so float32 stays float32)."""
    if isinstance(x, np.ndarray):
        return x
    return np.asarray(x, dtype=like.dtype)
