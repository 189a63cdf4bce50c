"""Activation functions as modules (so they can sit in a `Sequential`): each calls its `nn.functional` twin."""

from __future__ import annotations

from dlcourse.nn import functional as F
from dlcourse.nn.module import Module


class ReLU(Module):
    """y = max(0, x)."""

    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    """y = x if x > 0 else negative_slope · x."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """y = σ(x) = 1 / (1 + e⁻ˣ)."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """y = tanh x."""

    def forward(self, x):
        return F.tanh(x)


class ELU(Module):
    """y = x if x > 0 else α(eˣ - 1)."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """y = x · Φ(x) with Φ the standard normal CDF (approximate="tanh": PyTorch's tanh approximation)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """y_i = e^{x_i} / Σ_j e^{x_j} along `dim` (the values along that axis become probabilities summing to 1)."""

    def __init__(self, dim: int = -1, *, axis: int | None = None):
        super().__init__()
        self.dim = dim if axis is None else axis  # `axis` for NumPy habits, `dim` for PyTorch's

    def forward(self, x):
        return F.softmax(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """y_i = x_i - log Σ_j e^{x_j} along `dim` (the log of Softmax, computed without overflow)."""

    def __init__(self, dim: int = -1, *, axis: int | None = None):
        super().__init__()
        self.dim = dim if axis is None else axis

    def forward(self, x):
        return F.log_softmax(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Identity(Module):
    """y = x (a placeholder, e.g. to switch a layer off without changing the model's structure)."""

    def __init__(self, *args, **kwargs):  # like PyTorch, any arguments are accepted and ignored
        super().__init__()

    def forward(self, x):
        return x
