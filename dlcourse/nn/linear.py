"""`Linear`: a fully connected layer y = x Wᵀ + b, PyTorch's parameter shapes and initialisation."""

from __future__ import annotations

import math

import numpy as np

from dlcourse.function import ShapeError
from dlcourse.nn import functional as F
from dlcourse.nn import init
from dlcourse.nn.module import Module, Parameter
from dlcourse.tensor import Tensor


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features) and b of shape (out_features,).

    Initialised like PyTorch: W and b ~ U(-1/√in_features, 1/√in_features). `seed` (int or Generator)
    makes it reproducible; without it the default generator of `nn.init` is used.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32, seed=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        self.reset_parameters(seed)

    def reset_parameters(self, seed=None) -> None:
        """PyTorch's default: kaiming_uniform_(W, a=√5), i.e. U(-1/√fan_in, 1/√fan_in), and the same bound for b."""
        rng = init.as_generator(seed)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), seed=rng)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound, seed=rng)

    def forward(self, x):
        shape = x.shape if isinstance(x, (Tensor, np.ndarray)) else np.shape(x)
        if len(shape) == 0 or shape[-1] != self.in_features:
            raise ShapeError(
                f"Linear({self.in_features} → {self.out_features}) expects inputs with {self.in_features} "
                f"features in the last axis, got shape {tuple(shape)}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
