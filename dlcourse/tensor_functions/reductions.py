"""Reductions as functions: `dl.sum(x, dim=1)`, `dl.max(x, 1)`, `dl.argmax(x, dim=1)`, `dl.norm(x)`.

They call the Tensor methods, so `dim`/`keepdim` (and NumPy's `axis`/`keepdims`) work the same way.
"""

from __future__ import annotations

from dlcourse.tensor_functions.pointwise import as_tensor


def sum(x, dim=None, keepdim=False, **numpy_names):  # noqa: A001 - PyTorch's name
    return as_tensor(x).sum(dim, keepdim, **numpy_names)


def mean(x, dim=None, keepdim=False, **numpy_names):
    return as_tensor(x).mean(dim, keepdim, **numpy_names)


def max(x, dim=None, keepdim=False, **numpy_names):  # noqa: A001
    """The largest value; `dl.max(x, 1)` gives (values, indices); `dl.max(a, b)` the elementwise maximum."""
    return as_tensor(x).max(dim, keepdim, **numpy_names)


def min(x, dim=None, keepdim=False, **numpy_names):  # noqa: A001
    return as_tensor(x).min(dim, keepdim, **numpy_names)


def argmax(x, dim=None, keepdim=False):
    return as_tensor(x).argmax(dim, keepdim)


def argmin(x, dim=None, keepdim=False):
    return as_tensor(x).argmin(dim, keepdim)


def var(x, dim=None, keepdim=False, **options):
    return as_tensor(x).var(dim, keepdim, **options)


def std(x, dim=None, keepdim=False, **options):
    return as_tensor(x).std(dim, keepdim, **options)


def norm(x, p=2, dim=None, keepdim=False):
    return as_tensor(x).norm(p, dim, keepdim)


def numel(x) -> int:
    return as_tensor(x).numel()
