"""Products: `dl.matmul` (any shapes NumPy's @ accepts), `dl.mm` (matrices), `dl.mv` (matrix · vector),
`dl.dot` (vectors), `dl.outer`. Argument names are PyTorch's (`input`, `other`), and `out=` fills an
existing tensor in place."""

from __future__ import annotations

from dlcourse.tensor_functions.pointwise import as_tensor, into


def matmul(input, other, *, out=None):  # noqa: A002 - PyTorch's argument name
    return into(out, as_tensor(input) @ other)


def mm(input, mat2, *, out=None):  # noqa: A002
    return into(out, as_tensor(input).mm(mat2))


def mv(input, vec, *, out=None):  # noqa: A002
    return into(out, as_tensor(input).mv(vec))


def dot(input, other):  # noqa: A002
    return as_tensor(input).dot(other)


def outer(input, vec2):  # noqa: A002
    """a bᵀ for vectors a and b: the matrix of all products aᵢ bⱼ."""
    a, b = as_tensor(input), as_tensor(vec2)
    return a.reshape(-1, 1) * b.reshape(1, -1)


def t(input):  # noqa: A002
    return as_tensor(input).t()
