"""Reductions: sum, mean, max, min over all elements or along axes."""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError


def _check_axis(name: str, shape: tuple, axis) -> None:
    """A clear error for `x.sum(axis=2)` on a 2-D tensor (instead of NumPy's AxisError deep inside)."""
    axes = () if axis is None else (axis,) if isinstance(axis, (int, np.integer)) else axis
    for a in axes:
        if not -len(shape) <= a < len(shape):
            raise ShapeError(f"{name}: axis {a} does not exist for a tensor of shape {shape} ({len(shape)} axes)")


def _spread(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Copy `grad` (with size-1 axes) to every position of `shape` (faster than np.broadcast_to for small arrays)."""
    out = np.empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


def _expand(grad_out: np.ndarray, input_shape: tuple, axis, keepdims: bool) -> np.ndarray:
    """Put back the reduced axes as size-1 axes so `grad_out` broadcasts against the input."""
    if axis is None or keepdims:
        return grad_out if keepdims else grad_out.reshape((1,) * len(input_shape))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    axes = sorted(a % len(input_shape) for a in axes)
    shape = list(grad_out.shape)
    for a in axes:
        shape.insert(a, 1)
    return grad_out.reshape(shape)


class Sum(Function):
    """z = Σᵢ xᵢ;  dz/dxᵢ = 1 (the gradient is copied to every summed element)."""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        _check_axis("sum", x.shape, axis)
        ctx.input_shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return np.asarray(np.add.reduce(x, axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, grad_out):
        return _spread(_expand(grad_out, ctx.input_shape, ctx.axis, ctx.keepdims), ctx.input_shape)


class Mean(Function):
    """z = (1/n) Σᵢ xᵢ;  dz/dxᵢ = 1/n."""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        _check_axis("mean", x.shape, axis)
        ctx.input_shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        total = np.add.reduce(x, axis=axis, keepdims=keepdims)
        count = x.size // max(total.size, 1)  # 0 for an empty tensor: its mean is nan, as in torch
        ctx.count = max(count, 1)  # (an empty input gets an empty gradient either way)
        return np.asarray(total / count if count else total * np.nan, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad_out):
        grad = _expand(grad_out, ctx.input_shape, ctx.axis, ctx.keepdims) / ctx.count
        return _spread(grad, ctx.input_shape)


class Max(Function):
    """z = max xᵢ;  dz/dxᵢ = 1 for the maximal element(s), split evenly on ties, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        if x.size == 0:
            raise ValueError("max() of an empty tensor has no value")
        _check_axis("max", x.shape, axis)
        out = np.asarray(x.max(axis=axis, keepdims=keepdims))
        ctx.save_for_backward(x, out)
        ctx.axis, ctx.keepdims = axis, keepdims
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, out = ctx.saved
        out = _expand(out, x.shape, ctx.axis, ctx.keepdims)
        grad = _expand(grad_out, x.shape, ctx.axis, ctx.keepdims)
        is_max = x == out
        count = is_max.sum(axis=ctx.axis, keepdims=True)  # ties share the gradient
        return np.where(is_max, grad / count, 0).astype(x.dtype)


class Min(Max):
    """z = min xᵢ;  dz/dxᵢ = 1 for the minimal element(s), split evenly on ties, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        if x.size == 0:
            raise ValueError("min() of an empty tensor has no value")
        _check_axis("min", x.shape, axis)
        out = np.asarray(x.min(axis=axis, keepdims=keepdims))
        ctx.save_for_backward(x, out)
        ctx.axis, ctx.keepdims = axis, keepdims
        return out


class CumSum(Function):
    """zᵢ = x₀ + … + xᵢ along an axis;  dL/dxⱼ = Σ_{i ≥ j} dL/dzᵢ (a cumulative sum from the end)."""

    @staticmethod
    def forward(ctx, x, axis):
        _check_axis("cumsum", x.shape, axis)
        ctx.axis = axis
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, grad_out):
        reversed_grad = np.flip(grad_out, axis=ctx.axis)
        return np.flip(np.cumsum(reversed_grad, axis=ctx.axis), axis=ctx.axis)
