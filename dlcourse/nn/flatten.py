"""`Flatten`: merge axes into one, e.g. conv feature maps (N, C, H, W) into vectors (N, C·H·W) for a Linear."""

from __future__ import annotations

import math

from dlcourse.function import ShapeError
from dlcourse.nn.module import Module


class Flatten(Module):
    """Merge axes start_dim … end_dim: (N, C, H, W) → (N, C·H·W) with the defaults start_dim=1, end_dim=-1."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x):
        shape = tuple(x.shape)
        ndim = max(len(shape), 1)
        if not (-ndim <= self.start_dim < ndim and -ndim <= self.end_dim < ndim):
            raise ShapeError(
                f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) needs inputs with more axes, "
                f"got shape {shape}"
            )
        start, end = self.start_dim % ndim, self.end_dim % ndim
        if start > end:
            raise ShapeError(
                f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} for shape {shape}"
            )
        merged = math.prod(shape[start : end + 1])
        return x.reshape(*shape[:start], merged, *shape[end + 1 :])  # e.g. (N, C, H, W) → (N, C·H·W)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
