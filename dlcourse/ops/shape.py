"""Operations that move values around without changing them: reshape, transpose, concatenate, stack."""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError


class Reshape(Function):
    """z = x with a new shape (same values, same order);  dz/dx = grad reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape {x.shape} ({x.size} values) into {shape}") from None

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out.reshape(ctx.input_shape)


class Transpose(Function):
    """z = x with its axes permuted (reversed when axes is None);  dz/dx = grad permuted back."""

    @staticmethod
    def forward(ctx, x, axes):
        if axes is not None:
            in_range = all(-x.ndim <= a < x.ndim for a in axes)
            if not in_range or sorted(a % x.ndim for a in axes) != list(range(x.ndim)):
                raise ShapeError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of {x.shape}")
            axes = tuple(a % x.ndim for a in axes)  # (-1, 0) → (1, 0), so that backward can invert them
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, grad_out):
        if ctx.axes is None:
            return grad_out.transpose()
        return grad_out.transpose(np.argsort(ctx.axes))


class Concatenate(Function):
    """z = [x₁, x₂, …] joined along an existing axis;  each input gets its slice of the gradient."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        shapes = [a.shape for a in arrays]
        if not arrays:
            raise ShapeError("concatenate: needs at least one tensor")
        ndim = arrays[0].ndim
        if not -ndim <= axis < ndim:
            raise ShapeError(f"concatenate: axis {axis} does not exist for shapes {shapes} (use stack for a new axis)")
        try:
            out = np.concatenate(arrays, axis=axis)
        except ValueError:
            raise ShapeError(f"concatenate: shapes {shapes} differ in an axis other than axis {axis}") from None
        ctx.split_points = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad_out):
        return tuple(np.split(grad_out, ctx.split_points, axis=ctx.axis))


class Stack(Function):
    """z = [x₁, x₂, …] joined along a new axis;  each input gets its slice of the gradient."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        shapes = [a.shape for a in arrays]
        if not arrays:
            raise ShapeError("stack: needs at least one tensor")
        if len(set(shapes)) > 1:
            raise ShapeError(f"stack: all tensors need the same shape, got {shapes}")
        if not -arrays[0].ndim - 1 <= axis <= arrays[0].ndim:
            raise ShapeError(f"stack: axis {axis} is out of range for stacking tensors of shape {shapes[0]}")
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad_out):
        return tuple(np.moveaxis(grad_out, ctx.axis, 0))
