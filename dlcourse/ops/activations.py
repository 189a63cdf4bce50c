"""Softmax and log-softmax along an axis, shifted by the maximum so that exp never overflows.

softmax(x) = softmax(x - c) for any constant c; with c = max(x) every exponent is ≤ 0, so exp(...) ≤ 1
even for logits of 1000 (where exp(1000) alone would be inf).
"""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError


def _check_axis(name: str, x: np.ndarray, axis: int) -> None:
    if not -x.ndim <= axis < x.ndim:
        raise ShapeError(f"{name}: axis {axis} does not exist for a tensor of shape {x.shape} ({x.ndim} axes)")


class Softmax(Function):
    """s = exp(x - max x) / Σ exp(x - max x) along `axis`;  dL/dx = s · (g - Σ g·s)."""

    @staticmethod
    def forward(ctx, x, axis):
        _check_axis("softmax", x, axis)
        e = np.exp(x - x.max(axis=axis, keepdims=True))  # every exponent ≤ 0: no overflow
        s = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(s)
        ctx.axis = axis
        return s

    @staticmethod
    def backward(ctx, grad_out):
        (s,) = ctx.saved
        return s * (grad_out - (grad_out * s).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """y = x - max x - log Σ exp(x - max x) along `axis`;  dL/dx = g - softmax(x) · Σ g."""

    @staticmethod
    def forward(ctx, x, axis):
        _check_axis("log_softmax", x, axis)
        shifted = x - x.max(axis=axis, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))  # the sum is ≥ 1: log is finite
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, grad_out):
        (y,) = ctx.saved
        return grad_out - np.exp(y) * grad_out.sum(axis=ctx.axis, keepdims=True)
