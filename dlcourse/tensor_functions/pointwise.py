"""Elementwise functions `dl.exp(x)`, `dl.sin(x)`, `dl.where(c, x, y)`, … (inputs may be numbers or arrays)."""

from __future__ import annotations

import numpy as np

from dlcourse.ops import elementwise as E
from dlcourse.tensor import Tensor, tensor


def as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def into(out, result):
    """`out=` of PyTorch's functions: copy the result into `out` (in place) and return it."""
    return result if out is None else out.copy_(result)


def add(input, other, *, alpha=1, out=None):  # noqa: A002 - PyTorch's argument name
    return into(out, as_tensor(input).add(other, alpha=alpha))


def sub(input, other, *, alpha=1, out=None):  # noqa: A002
    return into(out, as_tensor(input).sub(other, alpha=alpha))


def mul(input, other, *, out=None):  # noqa: A002
    return into(out, as_tensor(input) * other)


def div(input, other, *, out=None):  # noqa: A002
    return into(out, as_tensor(input) / other)


def exp(x):
    """eˣ elementwise."""
    return as_tensor(x).exp()


def log(x):
    """ln x elementwise."""
    return as_tensor(x).log()


def log10(x):
    return as_tensor(x).log10()


def log2(x):
    return as_tensor(x).log2()


def sqrt(x):
    """√x elementwise."""
    return as_tensor(x).sqrt()


def sin(x):
    return as_tensor(x).sin()


def cos(x):
    return as_tensor(x).cos()


def tanh(x):
    """tanh x elementwise."""
    return as_tensor(x).tanh()


def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ) elementwise."""
    return as_tensor(x).sigmoid()


def relu(x):
    """max(0, x) elementwise."""
    return as_tensor(x).relu()


def abs(x):  # noqa: A001 - PyTorch's name
    return as_tensor(x).abs()


def square(x):
    return as_tensor(x).square()


def pow(x, exponent):  # noqa: A001 - PyTorch's name
    return as_tensor(x) ** exponent


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's argument names
    return as_tensor(x).clamp(min, max)


clip = clamp


def softmax(x, dim):
    return as_tensor(x).softmax(dim)


def log_softmax(x, dim):
    return as_tensor(x).log_softmax(dim)


def maximum(x, y):
    """max(x, y) elementwise, with broadcasting."""
    return E.Maximum.apply(as_tensor(x), as_tensor(y))


def minimum(x, y):
    """min(x, y) elementwise = -max(-x, -y)."""
    return -maximum(-as_tensor(x), -as_tensor(y))


def where(condition, x, y):
    """x where `condition` holds, else y (elementwise, with broadcasting)."""
    condition = np.asarray(condition._data if isinstance(condition, Tensor) else condition, dtype=bool)
    x, y = as_tensor(x), as_tensor(y)
    if x.dtype != y.dtype and x.dtype.kind == "f" and y.dtype.kind != "f":
        y = y.astype(x.dtype)
    elif x.dtype != y.dtype and y.dtype.kind == "f" and x.dtype.kind != "f":
        x = x.astype(y.dtype)
    return E.Where.apply(x, y, condition=condition)


def allclose(a, b, rtol=1e-05, atol=1e-08) -> bool:
    return bool(np.allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol))


def equal(a, b) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.array_equal(np.asarray(a), np.asarray(b)))
