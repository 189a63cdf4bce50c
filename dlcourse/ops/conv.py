"""2-D convolution as a differentiable op: `Conv2d.apply(x, weight, bias, stride=1, padding=0)` (NCHW).

The heavy sums live in kernels/conv.py (a readable im2col + matmul version and compiled loops).
This file checks shapes (with messages a learner can act on), pads the input, adds the bias, and
picks the faster algorithm for the size at hand.
"""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError
from dlcourse.kernels.conv import conv2d_backward_input, conv2d_backward_weight, conv2d_forward

# Which algorithm runs: measured on the course's 2-core machine (float32, one thread, ms, best of 7;
# "np" is im2col + BLAS matmul, "nb" the compiled loops; MMAC = million multiply-adds):
#   N, C_in→C_out, H×W (3×3, padding 1)   MMAC   forward np/nb   grad input np/nb   grad weight np/nb
#   64, 1→8,   8×8   (W3 first conv)      0.29    0.10 / 0.05      0.14 / 0.06        0.11 / 0.07
#   64, 8→16,  4×4   (W3 second conv)     1.18    0.28 / 0.15      0.54 / 0.14        0.32 / 0.27
#   64, 1→8,   28×28                      3.61    0.59 / 0.68      0.85 / 1.11        0.84 / 1.42
#   64, 8→16,  8×8                        4.72    0.55 / 0.51      1.18 / 0.52        0.55 / 0.75
#   64, 8→16,  14×14                     14.45    1.15 / 1.80      2.25 / 1.82        1.42 / 2.60
#   64, 16→32, 8×8                       18.87    1.34 / 2.05      2.86 / 2.13        1.52 / 3.84
#   64, 16→32, 28×28                    231.2    12.3 / 29.9      17.4 / 37.8        11.9 / 41.4
# Small convolutions (the course's) are faster as loops: no im2col copy, no small-matmul overhead.
# Big ones are faster as one BLAS matmul, whose cache blocking the loops can't match (and BLAS
# uses every core). NumPy's col2im (a strided add per kernel offset) is slow, so the loops win
# the input gradient for longer.
LOOPS_UP_TO_MACS = {conv2d_forward: 2_000_000, conv2d_backward_input: 16_000_000, conv2d_backward_weight: 2_000_000}


def pair(name: str, value, fn: str = "conv2d", minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints as (height, width): 2 → (2, 2), (1, 2) → (1, 2)."""
    values = (value, value) if isinstance(value, (int, np.integer)) else value
    is_pair = isinstance(values, (tuple, list)) and len(values) == 2
    if not is_pair or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in values):
        raise ValueError(f"{fn}: {name} must be an int ≥ {minimum} or a pair of them, got {value!r}")
    return int(values[0]), int(values[1])


def contiguous(a: np.ndarray) -> np.ndarray:
    """`a` as a C-contiguous, writable array: the layout the kernels are compiled (and cached) for."""
    return a if a.flags.c_contiguous and a.flags.writeable else np.array(a, order="C")


def _pick(kern, macs: int):
    """The kernel (compiled loops with the numba backend) for small work, im2col + BLAS above the limit."""
    return kern if macs <= LOOPS_UP_TO_MACS[kern] else kern.reference


def _check_shapes(x, weight, bias, padding) -> None:
    if x.ndim != 4:
        hint = "; for a single image add a batch axis: x.reshape(1, *x.shape)" if x.ndim == 3 else ""
        raise ShapeError(f"conv2d expects input of shape (N, C_in, H, W), got {x.shape}{hint}")
    if weight.ndim != 4:
        raise ShapeError(f"conv2d expects weight of shape (C_out, C_in, KH, KW), got {weight.shape}")
    if x.shape[1] != weight.shape[1]:
        raise ShapeError(
            f"conv2d: input {x.shape} has C_in={x.shape[1]} channels but weight {weight.shape} "
            f"expects C_in={weight.shape[1]}"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"conv2d: bias must have shape (C_out,) = ({weight.shape[0]},), got {bias.shape}")
    (ph, pw), (kh, kw) = padding, weight.shape[2:]
    height, width = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    if kh > height or kw > width:
        raise ShapeError(
            f"conv2d: kernel {kh}×{kw} is larger than the padded input {height}×{width} "
            f"(input {x.shape[2]}×{x.shape[3]}, padding {padding})"
        )


class Conv2d(Function):
    """out[n, o, i, j] = bias[o] + Σ_{c,a,b} x_pad[n, c, i·sh + a, j·sw + b] · weight[o, c, a, b].

    dL/dx and dL/dweight are the same sums read the other way round (kernels/conv.py); dL/dbias[o] is
    the sum of dL/dout[:, o] over the batch and all positions.
    """

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        return None  # forward's messages already name the shapes

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding):
        stride, padding = pair("stride", stride), pair("padding", padding, minimum=0)
        _check_shapes(x, weight, bias, padding)
        # one dtype for the kernels (float32 stays float32; mixing in float64 computes in float64)
        dtype = np.result_type(x, weight) if bias is None else np.result_type(x, weight, bias)
        (ph, pw), (sh, sw) = padding, stride
        if ph or pw:  # zeros around every image, so the kernels never need to test for borders
            n, c_in, height, width = x.shape
            x_pad = np.zeros((n, c_in, height + 2 * ph, width + 2 * pw), dtype)  # (np.pad does this 10× slower)
            x_pad[:, :, ph : ph + height, pw : pw + width] = x
        else:
            x_pad = contiguous(x.astype(dtype, copy=False))
        weight = contiguous(weight.astype(dtype, copy=False))
        out = _pick(conv2d_forward, _macs(x_pad, weight, stride))(x_pad, weight, sh, sw)
        if bias is not None:
            out += bias.astype(dtype, copy=False).reshape(1, -1, 1, 1)  # (1, C_out, 1, 1) against (N, C_out, OH, OW)
        ctx.save_for_backward(x_pad, weight)
        ctx.stride, ctx.padding = stride, padding
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x_pad, weight = ctx.saved
        (sh, sw), (ph, pw) = ctx.stride, ctx.padding
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad
        grad_out = contiguous(grad_out.astype(weight.dtype, copy=False))  # (N, C_out, OH, OW)
        macs = _macs(x_pad, weight, ctx.stride)
        grad_x = grad_weight = grad_bias = None
        if needs_x:
            height, width = x_pad.shape[2], x_pad.shape[3]
            grad_x_pad = _pick(conv2d_backward_input, macs)(grad_out, weight, sh, sw, height, width)
            grad_x = grad_x_pad[:, :, ph : height - ph, pw : width - pw]  # the padding's gradient is dropped
        if needs_weight:
            kh, kw = weight.shape[2], weight.shape[3]
            grad_weight = _pick(conv2d_backward_weight, macs)(x_pad, grad_out, kh, kw, sh, sw)
        if needs_bias:
            # Σ over batch and positions; summing the batch first is 4× faster than .sum(axis=(0, 2, 3))
            grad_bias = grad_out.sum(axis=0).reshape(grad_out.shape[1], -1).sum(axis=1)  # (C_out,)
        return grad_x, grad_weight, grad_bias


def _macs(x_pad, weight, stride) -> int:
    """Multiply-adds of one pass: N · C_out · OH · OW · C_in · KH · KW."""
    n, c_in, height, width = x_pad.shape
    c_out, _, kh, kw = weight.shape
    out_h, out_w = (height - kh) // stride[0] + 1, (width - kw) // stride[1] + 1
    return n * c_out * out_h * out_w * c_in * kh * kw
