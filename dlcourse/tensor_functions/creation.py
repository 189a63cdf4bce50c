"""Making tensors: from data (`tensor`, `from_numpy`), filled (`zeros`, `full`, `eye`), ranges
(`arange`, `linspace`) and random (`rand`, `randn`, `randint`, `randperm`, `multinomial`).

Shapes may be given as separate ints (`zeros(2, 3)`), a tuple (`zeros((2, 3))`) or `size=`. Random
functions draw from `generator=` (a `dl.Generator`) or the global generator (`dl.manual_seed`);
`seed=` (an int or np.random.Generator) is dlcourse's older spelling and still works.
"""

from __future__ import annotations

import numpy as np

from dlcourse.device import check_device
from dlcourse.random import rng_of
from dlcourse.tensor import Tensor, tensor


def _shape(shape, size) -> tuple:
    """(2, 3) from `f(2, 3)`, `f((2, 3))`, `f([2, 3])` or `f(size=(2, 3))`."""
    if size is not None:
        if shape:
            raise TypeError("give the shape either as arguments or as size=, not both")
        shape = (size,)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _make(array, dtype, requires_grad, device) -> Tensor:
    check_device(device)
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return Tensor(array, requires_grad=requires_grad)


def _generator(generator, seed):
    return rng_of(seed if generator is None else generator)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with `array` (changes to one show in the other), as in PyTorch."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a np.ndarray, got {type(array).__name__}")
    return Tensor(array)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like `tensor`, but shares memory with a NumPy array of the right dtype (no copy)."""
    check_device(device)
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray):
        return Tensor(data, dtype=dtype)
    return tensor(data, dtype=dtype)


# ----------------------------------------------------------------- filled
def zeros(*shape, size=None, dtype=np.float32, requires_grad=False, device=None):
    """A tensor of zeros (float32 unless `dtype` says otherwise)."""
    return _make(np.zeros(_shape(shape, size), dtype=dtype), None, requires_grad, device)


def ones(*shape, size=None, dtype=np.float32, requires_grad=False, device=None):
    """A tensor of ones."""
    return _make(np.ones(_shape(shape, size), dtype=dtype), None, requires_grad, device)


def empty(*shape, size=None, dtype=np.float32, requires_grad=False, device=None):
    """A tensor whose values are not set — here zeros, so nothing random or stale leaks out."""
    return zeros(*shape, size=size, dtype=dtype, requires_grad=requires_grad, device=device)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor of shape `size` filled with `fill_value` (dtype from the value: int → int64, float → float32)."""
    if dtype is None:
        dtype = tensor(fill_value).dtype
    return _make(np.full(_shape((size,), None), fill_value, dtype=dtype), None, requires_grad, device)


def _like(t, dtype):
    array = np.asarray(t)
    return array.shape, array.dtype if dtype is None else dtype


def zeros_like(t, dtype=None, requires_grad=False, device=None):
    """Zeros with the shape and dtype of `t`."""
    shape, dtype = _like(t, dtype)
    return _make(np.zeros(shape, dtype=dtype), None, requires_grad, device)


def ones_like(t, dtype=None, requires_grad=False, device=None):
    """Ones with the shape and dtype of `t`."""
    shape, dtype = _like(t, dtype)
    return _make(np.ones(shape, dtype=dtype), None, requires_grad, device)


def empty_like(t, dtype=None, requires_grad=False, device=None):
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad, device=device)


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None):
    shape, dtype = _like(t, dtype)
    return _make(np.full(shape, fill_value, dtype=dtype), None, requires_grad, device)


def eye(n, m=None, dtype=np.float32, requires_grad=False, device=None):
    """The n×n (or n×m) identity matrix."""
    return _make(np.eye(n, m, dtype=dtype), None, requires_grad, device)


# ----------------------------------------------------------------- ranges
def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """start, start + step, … below end. int64 when all arguments are ints, else float32 (as torch).

    The values are computed in float64 and then rounded, so `arange(-8, 8, 0.1)` hits 0 where it should.
    """
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step))
        dtype = np.int64 if is_int else np.float32
    count = max(0, int(np.ceil((end - start) / step)))
    values = start + step * np.arange(count, dtype=np.float64)  # no accumulated rounding error
    return _make(values.astype(dtype), None, requires_grad, device)


def linspace(start, end, steps, dtype=np.float32, requires_grad=False, device=None):
    """`steps` evenly spaced values from start to end, both included."""
    return _make(np.linspace(start, end, int(steps)).astype(dtype), None, requires_grad, device)


# ----------------------------------------------------------------- random
def rand(*shape, size=None, generator=None, seed=None, dtype=np.float32, requires_grad=False, device=None):
    """Samples of U(0, 1)."""
    values = _generator(generator, seed).random(_shape(shape, size))
    return _make(values.astype(dtype), None, requires_grad, device)


def randn(*shape, size=None, generator=None, seed=None, dtype=np.float32, requires_grad=False, device=None):
    """Standard-normal samples N(0, 1)."""
    values = _generator(generator, seed).standard_normal(_shape(shape, size))
    return _make(values.astype(dtype), None, requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, seed=None, dtype=np.int64, device=None):
    """Random integers in [low, high) (one argument: [0, low)), of shape `size`, int64."""
    if size is None and isinstance(high, (tuple, list)):
        high, size = None, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() needs size=, e.g. dl.randint(0, 10, (3,))")
    values = _generator(generator, seed).integers(low, high, size=_shape((size,), None))
    return _make(values.astype(dtype), None, False, device)


def rand_like(t, dtype=None, generator=None, requires_grad=False):
    shape, dtype = _like(t, dtype)
    return rand(shape, generator=generator, dtype=dtype, requires_grad=requires_grad)


def randn_like(t, dtype=None, generator=None, requires_grad=False):
    shape, dtype = _like(t, dtype)
    return randn(shape, generator=generator, dtype=dtype, requires_grad=requires_grad)


def randperm(n, *, generator=None, seed=None, dtype=np.int64, device=None):
    """A random order of 0, 1, …, n - 1."""
    return _make(_generator(generator, seed).permutation(int(n)).astype(dtype), None, False, device)


def multinomial(probs, num_samples, replacement=False, *, generator=None):
    """`num_samples` indices drawn with probability proportional to `probs` (rows: one draw per row)."""
    weights = np.asarray(probs, dtype=np.float64)
    rng = rng_of(generator)
    rows = weights.reshape(-1, weights.shape[-1])
    draws = [rng.choice(len(row), size=num_samples, replace=replacement, p=row / row.sum()) for row in rows]
    return Tensor(np.asarray(draws, dtype=np.int64).reshape(*weights.shape[:-1], num_samples))


def normal(mean, std, size=None, *, generator=None, dtype=np.float32, requires_grad=False):
    """Samples of N(mean, std²) (numbers or tensors that broadcast)."""
    shape = None if size is None else _shape((size,), None)
    values = rng_of(generator).normal(np.asarray(mean), np.asarray(std), size=shape)
    return Tensor(np.asarray(values).astype(dtype), requires_grad=requires_grad)
