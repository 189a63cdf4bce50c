"""2-D max and average pooling as differentiable ops (NCHW), running the kernels of kernels/pool.py.

MaxPool2d.apply(x, kernel_size=2, stride=None)     # stride None = kernel_size (windows side by side)
"""

from __future__ import annotations

from dlcourse.function import Function, ShapeError
from dlcourse.kernels.pool import avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward
from dlcourse.ops.conv import contiguous, pair


def _prepare(name: str, x, kernel_size, stride):
    """Check the input and return (x contiguous, (KH, KW), (sh, sw))."""
    if x.ndim != 4:
        hint = "; for a single image add a batch axis: x.reshape(1, *x.shape)" if x.ndim == 3 else ""
        raise ShapeError(f"{name} expects input of shape (N, C, H, W), got {x.shape}{hint}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be floating point, got dtype {x.dtype}; convert with x.astype('float32')")
    kernel = pair("kernel_size", kernel_size, fn=name)
    stride = kernel if stride is None else pair("stride", stride, fn=name)
    if kernel[0] > x.shape[2] or kernel[1] > x.shape[3]:
        raise ShapeError(
            f"{name}: kernel {kernel[0]}×{kernel[1]} is larger than the input {x.shape[2]}×{x.shape[3]} "
            f"(input shape {x.shape})"
        )
    return contiguous(x), kernel, stride


class MaxPool2d(Function):
    """out = the maximum of every KH×KW window;  dL/dx = dL/dout at each window's maximum, 0 elsewhere."""

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        return None  # forward's messages already name the shapes

    @staticmethod
    def forward(ctx, x, kernel_size, stride):
        x, (kh, kw), (sh, sw) = _prepare("max_pool2d", x, kernel_size, stride)
        out, argmax = max_pool2d_forward(x, kh, kw, sh, sw)
        ctx.save_for_backward(argmax)
        ctx.input_size = x.shape[2], x.shape[3]
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (argmax,) = ctx.saved
        height, width = ctx.input_size
        return max_pool2d_backward(contiguous(grad_out), argmax, height, width)


class AvgPool2d(Function):
    """out = the mean of every KH×KW window;  dL/dx = each window's dL/dout / (KH·KW) on all its pixels."""

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        return None

    @staticmethod
    def forward(ctx, x, kernel_size, stride):
        x, kernel, stride = _prepare("avg_pool2d", x, kernel_size, stride)
        ctx.kernel, ctx.stride, ctx.input_size = kernel, stride, (x.shape[2], x.shape[3])
        return avg_pool2d_forward(x, *kernel, *stride)

    @staticmethod
    def backward(ctx, grad_out):
        return avg_pool2d_backward(contiguous(grad_out), *ctx.kernel, *ctx.stride, *ctx.input_size)
