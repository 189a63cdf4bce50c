"""2-D max and average pooling over windows of KH×KW moved by (sh, sw): forward and backward.

    max:  out[n, c, i, j] = max_{a, b} x[n, c, i·sh + a, j·sw + b]
    avg:  out[n, c, i, j] = mean_{a, b} x[n, c, i·sh + a, j·sw + b]

Shapes: x (N, C, H, W), out (N, C, OH, OW) with OH = (H - KH) // sh + 1 (no padding, PyTorch's floor mode).
Max pooling remembers *where* each maximum was (`argmax`, the flat index row·W + col within its
H×W plane; the first one on ties, like PyTorch), because its gradient flows only there. When
windows overlap (stride < kernel) one pixel can be the maximum of several windows: its gradients add.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlcourse.backend import kernel


def _windows(x, kernel_h, kernel_w, stride_h, stride_w):
    """All pooling windows as a view: (N, C, OH, OW, KH, KW)."""
    return sliding_window_view(x, (kernel_h, kernel_w), axis=(2, 3))[:, :, ::stride_h, ::stride_w]


def max_pool2d_forward_numpy(x, kernel_h, kernel_w, stride_h, stride_w):
    """(out, argmax): the maximum of every window and its flat position row·W + col in the H×W plane."""
    n, c, _, width = x.shape
    windows = _windows(x, kernel_h, kernel_w, stride_h, stride_w)
    out_h, out_w = windows.shape[2], windows.shape[3]
    flat = windows.reshape(n, c, out_h, out_w, kernel_h * kernel_w)  # one row per window (a copy)
    k = flat.argmax(axis=-1)  # (N, C, OH, OW): offset inside the window, the first maximum on ties
    rows = np.arange(out_h)[:, None] * stride_h + k // kernel_w  # window origin + offset inside it
    cols = np.arange(out_w)[None, :] * stride_w + k % kernel_w
    return flat.max(axis=-1), (rows * width + cols).astype(np.int64)


@kernel(reference=max_pool2d_forward_numpy)
def max_pool2d_forward(x, kernel_h, kernel_w, stride_h, stride_w):
    """(out, argmax): the maximum of every window and its flat position row·W + col in the H×W plane."""
    n, c, height, width = x.shape
    out_h = (height - kernel_h) // stride_h + 1
    out_w = (width - kernel_w) // stride_w + 1
    out = np.empty((n, c, out_h, out_w), x.dtype)
    argmax = np.empty((n, c, out_h, out_w), np.int64)
    for s in range(n):
        for ch in range(c):
            for i in range(out_h):
                for j in range(out_w):
                    top, left = i * stride_h, j * stride_w
                    best = x[s, ch, top, left]
                    best_at = top * width + left
                    for a in range(kernel_h):
                        for b in range(kernel_w):
                            v = x[s, ch, top + a, left + b]
                            # strict >: the first maximum wins ties; a NaN wins over numbers, like np.argmax
                            if v > best or (np.isnan(v) and not np.isnan(best)):
                                best = v
                                best_at = (top + a) * width + left + b
                    out[s, ch, i, j] = best
                    argmax[s, ch, i, j] = best_at
    return out, argmax


def max_pool2d_backward_numpy(grad_out, argmax, height, width):
    """dL/dx: each window's gradient goes to the pixel that was its maximum (added up where windows share it)."""
    n, c = grad_out.shape[0], grad_out.shape[1]
    grad = np.zeros((n * c, height * width), grad_out.dtype)  # one row per (image, channel) plane
    planes = np.arange(n * c)[:, None]  # (N·C, 1): row of each window's plane
    np.add.at(grad, (planes, argmax.reshape(n * c, -1)), grad_out.reshape(n * c, -1))  # add.at: repeats add up
    return grad.reshape(n, c, height, width)


@kernel(reference=max_pool2d_backward_numpy)
def max_pool2d_backward(grad_out, argmax, height, width):
    """dL/dx: each window's gradient goes to the pixel that was its maximum (added up where windows share it)."""
    n, c, out_h, out_w = grad_out.shape
    grad = np.zeros((n, c, height * width), grad_out.dtype)  # (N, C, H·W): argmax indexes the flat plane
    for s in range(n):
        for ch in range(c):
            for i in range(out_h):
                for j in range(out_w):
                    grad[s, ch, argmax[s, ch, i, j]] += grad_out[s, ch, i, j]
    return grad.reshape(n, c, height, width)


def avg_pool2d_forward_numpy(x, kernel_h, kernel_w, stride_h, stride_w):
    """out = the mean of every window."""
    windows = _windows(x, kernel_h, kernel_w, stride_h, stride_w)  # (N, C, OH, OW, KH, KW)
    return np.ascontiguousarray(windows.mean(axis=(4, 5)))


@kernel(reference=avg_pool2d_forward_numpy)
def avg_pool2d_forward(x, kernel_h, kernel_w, stride_h, stride_w):
    """out = the mean of every window."""
    n, c, height, width = x.shape
    out_h = (height - kernel_h) // stride_h + 1
    out_w = (width - kernel_w) // stride_w + 1
    out = np.empty((n, c, out_h, out_w), x.dtype)
    count = kernel_h * kernel_w
    for s in range(n):
        for ch in range(c):
            for i in range(out_h):
                for j in range(out_w):
                    total = 0.0
                    for a in range(kernel_h):
                        for b in range(kernel_w):
                            total += x[s, ch, i * stride_h + a, j * stride_w + b]
                    out[s, ch, i, j] = total / count
    return out


def avg_pool2d_backward_numpy(grad_out, kernel_h, kernel_w, stride_h, stride_w, height, width):
    """dL/dx: every pixel of a window gets 1/(KH·KW) of the window's gradient (summed over overlapping windows)."""
    n, c, out_h, out_w = grad_out.shape
    share = grad_out / (kernel_h * kernel_w)  # (N, C, OH, OW)
    grad = np.zeros((n, c, height, width), grad_out.dtype)
    for a in range(kernel_h):  # offset (a, b) of every window at once
        for b in range(kernel_w):
            grad[:, :, a : a + stride_h * out_h : stride_h, b : b + stride_w * out_w : stride_w] += share
    return grad


@kernel(reference=avg_pool2d_backward_numpy)
def avg_pool2d_backward(grad_out, kernel_h, kernel_w, stride_h, stride_w, height, width):
    """dL/dx: every pixel of a window gets 1/(KH·KW) of the window's gradient (summed over overlapping windows)."""
    n, c, out_h, out_w = grad_out.shape
    grad = np.zeros((n, c, height, width), grad_out.dtype)
    count = kernel_h * kernel_w
    for s in range(n):
        for ch in range(c):
            for i in range(out_h):
                for j in range(out_w):
                    share = grad_out[s, ch, i, j] / count
                    for a in range(kernel_h):
                        for b in range(kernel_w):
                            grad[s, ch, i * stride_h + a, j * stride_w + b] += share
    return grad


def warmup_examples():
    for dtype in (np.float32, np.float64):
        x = np.arange(2 * 3 * 4 * 4, dtype=dtype).reshape(2, 3, 4, 4)
        grad_out = np.ones((2, 3, 2, 2), dtype)
        _, argmax = max_pool2d_forward.reference(x, 2, 2, 2, 2)
        yield max_pool2d_forward, (x, 2, 2, 2, 2)
        yield max_pool2d_backward, (grad_out, argmax, 4, 4)
        yield avg_pool2d_forward, (x, 2, 2, 2, 2)
        yield avg_pool2d_backward, (grad_out, 2, 2, 2, 2, 4, 4)
