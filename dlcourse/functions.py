"""Module-level functions `dl.exp(x)`, `dl.where(c, x, y)`, … and tensor factories (`dl.zeros`)."""

from __future__ import annotations

import numpy as np

from dlcourse.ops import elementwise as E
from dlcourse.ops import shape as S
from dlcourse.tensor import Tensor, tensor


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def exp(x):
    """eˣ elementwise."""
    return E.Exp.apply(_as_tensor(x))


def log(x):
    """ln x elementwise."""
    return E.Log.apply(_as_tensor(x))


def sqrt(x):
    """√x elementwise."""
    return E.Sqrt.apply(_as_tensor(x))


def tanh(x):
    """tanh x elementwise."""
    return E.Tanh.apply(_as_tensor(x))


def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ) elementwise."""
    return E.Sigmoid.apply(_as_tensor(x))


def maximum(x, y):
    """max(x, y) elementwise, with broadcasting."""
    x, y = _as_tensor(x), _as_tensor(y)
    return E.Maximum.apply(x, y)


def minimum(x, y):
    """min(x, y) elementwise = -max(-x, -y)."""
    return -maximum(-_as_tensor(x), -_as_tensor(y))


def where(condition, x, y):
    """x where `condition` holds, else y (elementwise, with broadcasting)."""
    condition = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    x, y = _as_tensor(x), _as_tensor(y)
    return E.Where.apply(x, y, condition=condition)


def concatenate(tensors, axis: int = 0):
    """Join tensors along an existing axis (like np.concatenate / torch.cat)."""
    return S.Concatenate.apply(*[_as_tensor(t) for t in tensors], axis=axis)


cat = concatenate


def stack(tensors, axis: int = 0):
    """Join same-shaped tensors along a new axis (like np.stack / torch.stack)."""
    return S.Stack.apply(*[_as_tensor(t) for t in tensors], axis=axis)


def zeros(*shape, dtype=np.float32, requires_grad=False):
    """A tensor of zeros."""
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=np.float32, requires_grad=False):
    """A tensor of ones."""
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


def zeros_like(t, requires_grad=False):
    """Zeros with the shape and dtype of `t`."""
    return Tensor(np.zeros_like(np.asarray(t)), requires_grad=requires_grad)


def ones_like(t, requires_grad=False):
    """Ones with the shape and dtype of `t`."""
    return Tensor(np.ones_like(np.asarray(t)), requires_grad=requires_grad)


def randn(*shape, seed=None, dtype=np.float32, requires_grad=False):
    """Standard-normal samples; pass `seed` (int or np.random.Generator) for reproducibility."""
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=requires_grad)


def arange(*args, dtype=np.float32):
    """Evenly spaced values, like np.arange."""
    return Tensor(np.arange(*args, dtype=dtype))
