"""Weight initialisation, PyTorch's `torch.nn.init`: fill a tensor's values in place and return it.

    nn.init.manual_seed(0)                          # make every layer's default init reproducible
    nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", seed=1)

Every random initialiser takes `seed=` (an int or an `np.random.Generator`); without one it draws
from this module's default generator, which `manual_seed(s)` resets. That default starts from a fixed
seed, so a notebook that builds the same layers in the same order gets the same weights every run.

Fans (how many values feed into / out of one unit) follow PyTorch: for a weight of shape
(out, in, *kernel) the receptive field is prod(kernel), fan_in = in · receptive, fan_out = out · receptive.
"""

from __future__ import annotations

import math

import numpy as np

_DEFAULT_SEED = 0
_default_generator = np.random.default_rng(_DEFAULT_SEED)


def manual_seed(seed: int) -> None:
    """Reset the default generator that layers and initialisers use when given no `seed`."""
    global _default_generator
    _default_generator = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The generator used when no `seed` is passed (changes when `manual_seed` is called)."""
    return _default_generator


def as_generator(seed=None) -> np.random.Generator:
    """`seed` as a Generator: None → the default generator, an int → a fresh generator, a Generator → itself."""
    if seed is None:
        return _default_generator
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise TypeError(f"seed must be None, an int or a np.random.Generator, got {type(seed).__name__}")


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor by which an activation shrinks the variance, undone by the initial weights' scale.

    linear/conv/sigmoid: 1,  tanh: 5/3,  relu: √2,  leaky_relu with slope a: √(2 / (1 + a²)),  selu: 3/4.
    """
    if nonlinearity in ("linear", "identity", "sigmoid") or nonlinearity.startswith("conv"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel): (in · k, out · k) with k = prod(kernel)."""
    shape = _values(tensor).shape
    if len(shape) < 2:
        raise ValueError(
            f"fan in and fan out need a weight with at least 2 dimensions (out, in, ...), got shape {shape}"
        )
    receptive_field = math.prod(shape[2:])  # 1 for a Linear weight
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _values(tensor) -> np.ndarray:
    """The array to fill: a Tensor's `.data` or a NumPy array itself."""
    return tensor if isinstance(tensor, np.ndarray) else tensor.data


def _fill(tensor, values):
    """Write `values` into the tensor's existing array (keeping its dtype and identity) and return it."""
    _values(tensor)[...] = values
    return tensor


def uniform_(tensor, a: float = 0.0, b: float = 1.0, seed=None):
    """Fill with samples from U(a, b)."""
    rng = as_generator(seed)
    return _fill(tensor, rng.uniform(a, b, size=_values(tensor).shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, seed=None):
    """Fill with samples from N(mean, std²)."""
    rng = as_generator(seed)
    return _fill(tensor, rng.normal(mean, std, size=_values(tensor).shape))


def constant_(tensor, val: float):
    """Fill with the value `val`."""
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with 0."""
    return _fill(tensor, 0.0)


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor, gain: float = 1.0, seed=None):
    """Glorot: U(-b, b) with b = gain · √(6 / (fan_in + fan_out)), keeping the variance across layers."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # a uniform U(-b, b) has standard deviation b / √3
    return uniform_(tensor, -bound, bound, seed=seed)


def xavier_normal_(tensor, gain: float = 1.0, seed=None):
    """Glorot: N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, seed=seed)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", seed=None):
    """He: U(-b, b) with b = gain · √(3 / fan), gain = calculate_gain(nonlinearity, a)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, seed=seed)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", seed=None):
    """He: N(0, std²) with std = gain / √fan, gain = calculate_gain(nonlinearity, a)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, seed=seed)
