"""PyTorch's method names on `Tensor` that are other spellings of what tensor.py already does.

`x.mul(y)` is `x * y`, `x.mm(w)` is `x @ w`, `x.t()` is `x.T`, … They exist so that PyTorch code
runs unchanged; each is one line on top of an operation with its own gradient.
"""

from __future__ import annotations

import math

import numpy as np

_TYPE_NAMES = {
    np.dtype(np.float32): "torch.FloatTensor",
    np.dtype(np.float64): "torch.DoubleTensor",
    np.dtype(np.int64): "torch.LongTensor",
    np.dtype(np.int32): "torch.IntTensor",
    np.dtype(np.bool_): "torch.BoolTensor",
}


class TorchExtras:
    """Methods with PyTorch's names (a mixin: Tensor inherits them)."""

    __slots__ = ()

    # ----------------------------------------------------------------- arithmetic spelled as methods
    def add(self, other, *, alpha=1):
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def neg(self):
        return -self

    def pow(self, exponent):
        return self**exponent

    def square(self):
        return self * self

    def matmul(self, other):
        return self @ other

    def mm(self, other):
        """Matrix product of two 2-D tensors (PyTorch's `mm` refuses other shapes, and so does this)."""
        if self.ndim != 2 or np.ndim(other) != 2:
            raise RuntimeError(f"mm: both arguments must be 2-D matrices, got {self.shape} and {np.shape(other)}")
        return self @ other

    def dot(self, other):
        """Dot product of two 1-D tensors."""
        if self.ndim != 1 or np.ndim(other) != 1:
            raise RuntimeError(f"dot: 1D tensors expected, but got shapes {self.shape} and {np.shape(other)}")
        return (self * other).sum()

    def t(self):
        """The transpose of a matrix (a 0-D or 1-D tensor is returned as is, as in PyTorch)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but it has {self.ndim}; use permute()")
        return self.T if self.ndim == 2 else self

    # ----------------------------------------------------------------- elementwise functions
    def sin(self):
        from dlcourse.ops.elementwise import Sin

        return Sin.apply(self if self.dtype.kind == "f" else self.float())

    def cos(self):
        from dlcourse.ops.elementwise import Cos

        return Cos.apply(self if self.dtype.kind == "f" else self.float())

    def log10(self):
        return self.log() / math.log(10)

    def log2(self):
        return self.log() / math.log(2)

    def softmax(self, dim):
        from dlcourse.ops.activations import Softmax

        return Softmax.apply(self, axis=dim)

    def log_softmax(self, dim):
        from dlcourse.ops.activations import LogSoftmax

        return LogSoftmax.apply(self, axis=dim)

    def norm(self, p=2, dim=None, keepdim=False):
        """The p-norm (p = 2: √Σx², the Euclidean length) of all elements, or along `dim`."""
        if p == 2:
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p in (math.inf, "inf"):
            return self.abs().max(axis=dim, keepdims=keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    def round(self, decimals=0):
        """Rounded values (no gradient: rounding is flat almost everywhere)."""
        return type(self)._make(np.round(self._data, decimals), False)

    def ravel(self):
        return self.reshape(-1)

    def cumsum(self, dim=None, *, axis=None):
        from dlcourse.ops.reduce import CumSum

        return CumSum.apply(self, axis=dim if axis is None else axis)

    def mv(self, vector):
        """Matrix times vector."""
        if self.ndim != 2 or np.ndim(vector) != 1:
            raise RuntimeError(f"mv: expected a matrix and a vector, got {self.shape} and {np.shape(vector)}")
        return self @ vector

    def random_(self, low=0, high=None, *, generator=None):
        """Fill with random integers in [low, high) (one argument: [0, low)), in place."""
        from dlcourse.random import rng_of

        if high is None:
            low, high = 0, low
        return self.copy_(rng_of(generator).integers(low, high, size=self.shape).astype(self.dtype))

    # ----------------------------------------------------------------- copies, types, devices
    def clone(self):
        """A copy with its own memory; gradients flow back to the original (unlike `detach()`)."""
        return self + 0 if self.requires_grad else type(self)._make(self._data.copy(), False)

    def contiguous(self):
        return self

    def type(self, dtype=None):
        """Without an argument the type's name ("torch.FloatTensor"); with a dtype a converted copy."""
        if dtype is None:
            return _TYPE_NAMES.get(self.dtype, f"dlcourse.Tensor[{self.dtype}]")
        if isinstance(dtype, str) and dtype in _TYPE_NAMES.values():
            dtype = next(d for d, name in _TYPE_NAMES.items() if name == dtype)
        return self.astype(dtype)

    def type_as(self, other):
        return self.astype(other.dtype)

    def to(self, *args, dtype=None, device=None, **kwargs):
        """`x.to("cpu")`, `x.to(dl.float64)`, `x.to(other)`: this tensor (dlcourse is CPU-only) or a converted copy."""
        from dlcourse.device import check_device

        for arg in args:
            if isinstance(arg, type(self)):
                dtype = arg.dtype
            elif isinstance(arg, str) or hasattr(arg, "type") and not isinstance(arg, (type, np.dtype)):
                device = arg
            else:
                dtype = arg
        check_device(device)
        return self if dtype is None or np.dtype(dtype) == self.dtype else self.astype(dtype)

    def cpu(self):
        return self

    @property
    def device(self):
        from dlcourse.device import device

        return device("cpu")

    def expand(self, *sizes):
        """A broadcast copy with shape `sizes` (-1 keeps an axis); the gradient is summed back."""
        sizes = sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        offset = len(sizes) - self.ndim
        shape = tuple(self.shape[i - offset] if n == -1 else n for i, n in enumerate(sizes))
        return self + np.zeros(shape, dtype=self.dtype)

    def expand_as(self, other):
        return self.expand(other.shape)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def gt(self, other):
        return self > other
