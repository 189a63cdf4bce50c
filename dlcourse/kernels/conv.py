"""2-D convolution (cross-correlation, as in every DL library): forward, and the gradients for input and weight.

    out[n, o, i, j] = Σ_{c, a, b} x[n, c, i·sh + a, j·sw + b] · weight[o, c, a, b]

`x` arrives already padded (the op pads with np.pad, so the kernels never test borders). Shapes:
x (N, C_in, H, W), weight (C_out, C_in, KH, KW), out (N, C_out, OH, OW), OH = (H - KH) // sh + 1.

The NumPy references use im2col: copy every receptive field into one column of a matrix, and the
convolution becomes a single matrix product that BLAS runs fast. The compiled versions are the
seven nested loops of the formula, with the *batch* axis innermost (a batch-last copy of x), so
that the innermost loop is long, contiguous, and vectorised by the compiler. Which one is faster
depends on the size: ops/conv.py picks per call (the measurements are there).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlcourse.backend import kernel


def im2col(x, kernel_h, kernel_w, stride_h, stride_w):
    """Every receptive field of x as a column: (C·KH·KW, N·OH·OW), the matrix that turns conv into a matmul."""
    windows = sliding_window_view(x, (kernel_h, kernel_w), axis=(2, 3))[:, :, ::stride_h, ::stride_w]
    n, c, out_h, out_w = windows.shape[:4]  # windows: (N, C, OH, OW, KH, KW), a view (no copy yet)
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(c * kernel_h * kernel_w, n * out_h * out_w)  # copies


def conv2d_forward_numpy(x, weight, stride_h, stride_w):
    """out = weight (C_out, C_in·KH·KW) @ im2col(x) (C_in·KH·KW, N·OH·OW), reshaped to (N, C_out, OH, OW)."""
    n, _, height, width = x.shape
    c_out, _, kernel_h, kernel_w = weight.shape
    out_h = (height - kernel_h) // stride_h + 1
    out_w = (width - kernel_w) // stride_w + 1
    cols = im2col(x, kernel_h, kernel_w, stride_h, stride_w)  # (C_in·KH·KW, N·OH·OW)
    out = weight.reshape(c_out, -1) @ cols  # (C_out, N·OH·OW)
    return np.ascontiguousarray(out.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3))  # (N, C_out, OH, OW)


@kernel(reference=conv2d_forward_numpy)
def conv2d_forward(x, weight, stride_h, stride_w):
    """out[n, o, i, j] = Σ_{c, a, b} x[n, c, i·sh + a, j·sw + b] · weight[o, c, a, b], as loops."""
    n, c_in, height, width = x.shape
    c_out, _, kernel_h, kernel_w = weight.shape
    out_h = (height - kernel_h) // stride_h + 1
    out_w = (width - kernel_w) // stride_w + 1
    x_t = np.empty((c_in, height, width, n), x.dtype)  # (C_in, H, W, N): a batch-last copy of x
    for k in range(n):  # (plain loops: np.ascontiguousarray(x.transpose(...)) takes Numba 15 s to compile)
        for c in range(c_in):
            for h in range(height):
                for col in range(width):
                    x_t[c, h, col, k] = x[k, c, h, col]
    out = np.empty((n, c_out, out_h, out_w), x.dtype)
    out_row = np.empty((out_w, n), x.dtype)  # one output row of all images: stays in cache while it fills
    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                for k in range(n):
                    out_row[j, k] = 0.0
            for c in range(c_in):
                for a in range(kernel_h):
                    x_row = x_t[c, i * stride_h + a]  # (W, N)
                    for b in range(kernel_w):
                        w = weight[o, c, a, b]
                        for j in range(out_w):
                            dst = out_row[j]
                            src = x_row[j * stride_w + b]
                            for k in range(n):  # all images of the batch at once: SIMD
                                dst[k] += w * src[k]
            for k in range(n):  # the finished row back in (N, C_out, OH, OW) order
                for j in range(out_w):
                    out[k, o, i, j] = out_row[j, k]
    return out


def conv2d_backward_input_numpy(grad_out, weight, stride_h, stride_w, height, width):
    """dL/dx: weightᵀ @ grad_out gives dL/d(every column of im2col); col2im adds them back where they were read."""
    n, c_out, out_h, out_w = grad_out.shape
    _, c_in, kernel_h, kernel_w = weight.shape
    g = grad_out.transpose(1, 0, 2, 3).reshape(c_out, n * out_h * out_w)  # (C_out, N·OH·OW)
    cols = (weight.reshape(c_out, -1).T @ g).reshape(c_in, kernel_h, kernel_w, n, out_h, out_w)
    grad_t = np.zeros((c_in, n, height, width), grad_out.dtype)  # (C_in, N, H, W)
    for a in range(kernel_h):  # col2im: kernel offset (a, b) read x at rows a, a + sh, …, columns b, b + sw, …
        for b in range(kernel_w):
            grad_t[:, :, a : a + stride_h * out_h : stride_h, b : b + stride_w * out_w : stride_w] += cols[:, a, b]
    return np.ascontiguousarray(grad_t.transpose(1, 0, 2, 3))  # (N, C_in, H, W)


@kernel(reference=conv2d_backward_input_numpy)
def conv2d_backward_input(grad_out, weight, stride_h, stride_w, height, width):
    """dL/dx[n, c, i·sh + a, j·sw + b] += grad_out[n, o, i, j] · weight[o, c, a, b], as loops."""
    n, c_out, out_h, out_w = grad_out.shape
    _, c_in, kernel_h, kernel_w = weight.shape
    g_t = np.empty((c_out, out_h, out_w, n), grad_out.dtype)  # (C_out, OH, OW, N): batch-last copy
    for k in range(n):
        for o in range(c_out):
            for i in range(out_h):
                for j in range(out_w):
                    g_t[o, i, j, k] = grad_out[k, o, i, j]
    grad_t = np.zeros((c_in, height, width, n), grad_out.dtype)  # (C_in, H, W, N)
    for c in range(c_in):
        for i in range(out_h):
            for a in range(kernel_h):
                dst_row = grad_t[c, i * stride_h + a]  # (W, N)
                for o in range(c_out):
                    g_row = g_t[o, i]  # (OW, N)
                    for b in range(kernel_w):
                        w = weight[o, c, a, b]
                        for j in range(out_w):
                            dst = dst_row[j * stride_w + b]
                            src = g_row[j]
                            for k in range(n):
                                dst[k] += w * src[k]
    grad = np.empty((n, c_in, height, width), grad_out.dtype)
    for k in range(n):  # back to (N, C_in, H, W)
        for c in range(c_in):
            for h in range(height):
                for col in range(width):
                    grad[k, c, h, col] = grad_t[c, h, col, k]
    return grad


def conv2d_backward_weight_numpy(x, grad_out, kernel_h, kernel_w, stride_h, stride_w):
    """dL/dweight = grad_out (C_out, N·OH·OW) @ im2col(x)ᵀ (N·OH·OW, C_in·KH·KW), reshaped to the weight's shape."""
    c_in = x.shape[1]
    c_out = grad_out.shape[1]
    cols = im2col(x, kernel_h, kernel_w, stride_h, stride_w)  # (C_in·KH·KW, N·OH·OW)
    g = grad_out.transpose(1, 0, 2, 3).reshape(c_out, -1)  # (C_out, N·OH·OW)
    return (g @ cols.T).reshape(c_out, c_in, kernel_h, kernel_w)


@kernel(reference=conv2d_backward_weight_numpy)
def conv2d_backward_weight(x, grad_out, kernel_h, kernel_w, stride_h, stride_w):
    """dL/dweight[o, c, a, b] = Σ_{n, i, j} grad_out[n, o, i, j] · x[n, c, i·sh + a, j·sw + b], as loops."""
    n, c_in, height, width = x.shape
    c_out, out_h, out_w = grad_out.shape[1], grad_out.shape[2], grad_out.shape[3]
    x_t = np.empty((c_in, height, width, n), x.dtype)  # (C_in, H, W, N): batch-last copies
    g_t = np.empty((c_out, out_h, out_w, n), grad_out.dtype)  # (C_out, OH, OW, N)
    for k in range(n):
        for c in range(c_in):
            for h in range(height):
                for col in range(width):
                    x_t[c, h, col, k] = x[k, c, h, col]
        for o in range(c_out):
            for i in range(out_h):
                for j in range(out_w):
                    g_t[o, i, j, k] = grad_out[k, o, i, j]
    grad_w = np.empty((c_out, c_in, kernel_h, kernel_w), x.dtype)
    partial = np.empty(n, x.dtype)  # one running sum per image: an elementwise update vectorises, a sum doesn't
    for o in range(c_out):
        for c in range(c_in):
            for a in range(kernel_h):
                for b in range(kernel_w):
                    for k in range(n):
                        partial[k] = 0.0
                    for i in range(out_h):
                        g_row = g_t[o, i]  # (OW, N)
                        x_row = x_t[c, i * stride_h + a]  # (W, N)
                        for j in range(out_w):
                            g = g_row[j]
                            xs = x_row[j * stride_w + b]
                            for k in range(n):
                                partial[k] += g[k] * xs[k]
                    total = 0.0
                    for k in range(n):
                        total += partial[k]
                    grad_w[o, c, a, b] = total
    return grad_w


def warmup_examples():
    for dtype in (np.float32, np.float64):
        x = np.ones((2, 2, 5, 5), dtype)
        weight = np.ones((3, 2, 3, 3), dtype)
        grad_out = np.ones((2, 3, 3, 3), dtype)
        yield conv2d_forward, (x, weight, 1, 1)
        yield conv2d_backward_input, (grad_out, weight, 1, 1, 5, 5)
        yield conv2d_backward_weight, (x, grad_out, 3, 3, 1, 1)
