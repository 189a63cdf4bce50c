"""Joining tensors: `dl.cat` (along an existing axis) and `dl.stack` (along a new one)."""

from __future__ import annotations

from dlcourse.ops import shape as S
from dlcourse.tensor_functions.pointwise import as_tensor


def cat(tensors, dim: int = 0, *, axis=None):
    """Join tensors along an existing axis (torch.cat; `concatenate` and `axis=` are NumPy's names)."""
    return S.Concatenate.apply(*[as_tensor(t) for t in tensors], axis=dim if axis is None else axis)


concatenate = cat
concat = cat


def stack(tensors, dim: int = 0, *, axis=None):
    """Join same-shaped tensors along a new axis (torch.stack / np.stack)."""
    return S.Stack.apply(*[as_tensor(t) for t in tensors], axis=dim if axis is None else axis)
