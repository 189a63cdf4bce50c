"""Indexing `x[index]` with ints, slices, None, boolean masks and integer arrays."""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError
from dlcourse.kernels.scatter import scatter_add_rows


class GetItem(Function):
    """z = x[index];  dL/dx = zeros with dL/dz added back at the picked positions (a scatter-add)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.input_shape, ctx.dtype, ctx.index = x.shape, x.dtype, index
        try:
            return np.asarray(x[index])
        except IndexError as error:
            raise IndexError(f"index into a tensor of shape {x.shape}: {error}") from None

    @staticmethod
    def backward(ctx, grad_out):
        grad = np.zeros(ctx.input_shape, dtype=grad_out.dtype)
        index = ctx.index
        if isinstance(index, np.ndarray) and index.dtype.kind in "iu" and index.ndim == 1 and grad.ndim >= 1:
            # x[rows]: the common gather of rows (embeddings, mini-batches): a compiled scatter-add
            rows = grad.reshape(grad.shape[0], -1)  # (R, D) view
            values = np.ascontiguousarray(grad_out).reshape(index.shape[0], rows.shape[1])  # (N, D)
            scatter_add_rows(rows, index, values)
        elif _is_basic(index):
            grad[index] = grad_out  # slices and ints never pick an element twice
        else:
            np.add.at(grad, index, grad_out)  # general fancy indexing: repeated picks accumulate
        return grad


def _is_basic(index) -> bool:
    """True when `index` uses only ints, slices, None and Ellipsis (no element can repeat)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class SetItem(Function):
    """z = x with z[index] = v;  dL/dx = grad with 0 at index,  dL/dv = grad[index] (summed back to v's shape)."""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index
        out = x.copy()
        try:
            out[index] = value
        except IndexError as error:
            raise IndexError(f"index into a tensor of shape {x.shape}: {error}") from None
        except ValueError as error:
            message = f"item assignment: cannot put a value of shape {np.shape(value)} at {index}: {error}"
            raise ShapeError(message) from None
        return out

    @staticmethod
    def backward(ctx, grad_out):
        needs_x, needs_value = ctx.needs_input_grad
        grad_x = grad_value = None
        if needs_x:
            grad_x = grad_out.copy()
            grad_x[ctx.index] = 0  # those positions were overwritten: x has no influence there
        if needs_value:
            grad_value = np.asarray(grad_out[ctx.index])
        return grad_x, grad_value
