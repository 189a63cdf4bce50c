"""`Tensor.data`: the tensor's values as a NumPy array that also answers PyTorch's in-place methods.

In PyTorch `.data` is a Tensor that shares the values and is not tracked by autograd, so tutorials write
`f.data.sub_(f.grad.data * lr)` or `x.grad.data.zero_()`. The chapters, on the other hand, compute on
`.data` with NumPy (`w.data.copy()`, `w.data[...] = W`, `np.abs(w.data)`). `TensorData` serves both: it is
a view of the tensor's own array (`np.ndarray` in every respect, changes go straight into the tensor),
with `zero_`, `fill_`, `add_`, `sub_`, `mul_`, `div_`, `copy_` and `clamp_` added. Like PyTorch's
`.data`, none of these is tracked by autograd or bumps the version counter.
Results of NumPy operations on it are plain arrays (`w.data * 2` is an ndarray).
"""

from __future__ import annotations

import numpy as np


def _values(other):
    return np.asarray(other)  # a Tensor, a TensorData, a number or an array: its values


class TensorData(np.ndarray):
    """A view of a tensor's values with PyTorch's in-place methods; everything else is NumPy's."""

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # ufunc results are new arrays, not views of the tensor: give them back as plain ndarrays
        result = np.asarray(array)
        return result[()] if return_scalar else result

    def copy(self, order="C"):
        """A copy of the values, no longer tied to the tensor: a plain ndarray."""
        return np.ndarray.copy(self, order).view(np.ndarray)

    def __repr__(self):
        return repr(self.view(np.ndarray))

    def __str__(self):
        return str(self.view(np.ndarray))

    def zero_(self):
        """x ← 0 (in place)."""
        self[...] = 0
        return self

    def fill_(self, value):
        """x ← value (in place)."""
        self[...] = _values(value)
        return self

    def add_(self, other, *, alpha=1):
        """x ← x + alpha·other (in place)."""
        np.add(self, _values(other) * alpha if alpha != 1 else _values(other), out=self, casting="unsafe")
        return self

    def sub_(self, other, *, alpha=1):
        """x ← x − alpha·other (in place)."""
        np.subtract(self, _values(other) * alpha if alpha != 1 else _values(other), out=self, casting="unsafe")
        return self

    def mul_(self, other):
        """x ← x · other (in place)."""
        np.multiply(self, _values(other), out=self, casting="unsafe")
        return self

    def div_(self, other):
        """x ← x / other (in place)."""
        np.divide(self, _values(other), out=self, casting="unsafe")
        return self

    def copy_(self, source):
        """x ← source, broadcast to x's shape (in place)."""
        self[...] = _values(source)
        return self

    def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        """x ← min(max(x, min), max) (in place)."""
        np.clip(self, min, max, out=self)
        return self
