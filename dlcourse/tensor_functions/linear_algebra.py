"""Products: `dl.matmul` (any shapes NumPy's @ accepts), `dl.mm` (matrices only), `dl.dot` (vectors), `dl.outer`."""

from __future__ import annotations

from dlcourse.tensor_functions.pointwise import as_tensor


def matmul(a, b):
    return as_tensor(a) @ b


def mm(a, b):
    return as_tensor(a).mm(b)


def dot(a, b):
    return as_tensor(a).dot(b)


def outer(a, b):
    """a bᵀ for vectors a and b: the matrix of all products aᵢ bⱼ."""
    a, b = as_tensor(a), as_tensor(b)
    return a.reshape(-1, 1) * b.reshape(1, -1)


def t(a):
    return as_tensor(a).t()
