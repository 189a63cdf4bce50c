"""Pooling layers: summarise each kernel_size window of an image by its maximum or its mean."""

from __future__ import annotations

from dlcourse.backend import prefetch_numba
from dlcourse.nn import functional as F
from dlcourse.nn.module import Module


class MaxPool2d(Module):
    """y[n, c, i, j] = max of x[n, c] over the window at (i·stride, j·stride); stride defaults to kernel_size.

    `padding` surrounds each image with -∞ (at most half the kernel size), as in PyTorch.
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        prefetch_numba()  # its forward pass is a Numba kernel: start loading Numba now
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride  # non-overlapping windows by default
        self.padding = padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        text = f"kernel_size={self.kernel_size}, stride={self.stride}"
        return text + (f", padding={self.padding}" if self.padding else "")


class AvgPool2d(Module):
    """y[n, c, i, j] = mean of x[n, c] over the window at (i·stride, j·stride); stride defaults to kernel_size."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        prefetch_numba()  # its forward pass is a Numba kernel: start loading Numba now
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
