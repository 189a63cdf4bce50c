"""Shape functions as in PyTorch: `dl.reshape`, `dl.flatten`, `dl.unsqueeze`, `dl.squeeze`, `dl.transpose`,
`dl.permute` (each calls the Tensor method of the same name)."""

from __future__ import annotations

from dlcourse.tensor_functions.pointwise import as_tensor


def reshape(input, shape):  # noqa: A002 - PyTorch's argument name
    return as_tensor(input).reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):  # noqa: A002
    return as_tensor(input).flatten(start_dim, end_dim)


def unsqueeze(input, dim):  # noqa: A002
    return as_tensor(input).unsqueeze(dim)


def squeeze(input, dim=None):  # noqa: A002
    return as_tensor(input).squeeze(dim)


def transpose(input, dim0, dim1):  # noqa: A002
    return as_tensor(input).transpose(dim0, dim1)


def permute(input, dims):  # noqa: A002
    return as_tensor(input).permute(*dims)


def cumsum(input, dim):  # noqa: A002
    return as_tensor(input).cumsum(dim)
