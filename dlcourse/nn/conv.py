"""`Conv2d`: a 2-D convolution layer (cross-correlation, like every deep-learning library)."""

from __future__ import annotations

import math

import numpy as np

from dlcourse.backend import prefetch_numba
from dlcourse.function import ShapeError
from dlcourse.nn import functional as F
from dlcourse.nn import init
from dlcourse.nn.module import Module, Parameter
from dlcourse.tensor import Tensor


def _pair(value, name: str) -> tuple[int, int]:
    """3 → (3, 3); (3, 2) stays (3, 2): sizes can be given once for both spatial axes or per axis."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


class Conv2d(Module):
    """y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c]: slides each (in_channels, kH, kW) filter over the image.

    Input (N, in_channels, H, W) → output (N, out_channels, H_out, W_out) with
    H_out = (H + 2·padding - kH) // stride + 1. Weight (out_channels, in_channels, kH, kW), bias
    (out_channels,), initialised like PyTorch: U(-1/√fan_in, 1/√fan_in) with fan_in = in_channels·kH·kW.
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, bias: bool = True,
        dtype=np.float32, seed=None,
    ):  # fmt: skip
        super().__init__()
        prefetch_numba()  # its forward pass is a Numba kernel: start loading Numba now
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        self.weight = Parameter(np.empty((out_channels, in_channels, *self.kernel_size), dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters(seed)

    def reset_parameters(self, seed=None) -> None:
        """PyTorch's default: kaiming_uniform_(W, a=√5), i.e. U(-1/√fan_in, 1/√fan_in), and the same bound for b."""
        rng = init.as_generator(seed)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), seed=rng)
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound, seed=rng)

    def forward(self, x):
        shape = x.shape if isinstance(x, (Tensor, np.ndarray)) else np.shape(x)
        if len(shape) not in (3, 4) or shape[-3] != self.in_channels:  # (N, C, H, W) or one image (C, H, W)
            raise ShapeError(
                f"Conv2d({self.in_channels} → {self.out_channels}, kernel {self.kernel_size[0]}×{self.kernel_size[1]}) "
                f"expects inputs of shape (N, {self.in_channels}, H, W), got shape {tuple(shape)}"
            )
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text
