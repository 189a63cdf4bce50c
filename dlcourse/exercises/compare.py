"""How two answers differ, said in one sentence: the learner's check and the grader both use this.

`difference(expected, got)` is None when `got` matches `expected` (arrays compared elementwise within
rtol/atol, tuples/lists/dicts recursively), else a sentence naming the first thing that differs: shape,
dtype, NaNs, or the first wrong element with both values.
"""

from typing import Any

import numpy as np


def describe(value: Any) -> str:
    """A short, readable rendering of an input or output: arrays abbreviated, with shape and dtype."""
    if isinstance(value, float | np.floating):
        text = repr(float(value))
        return text if len(text) <= 10 else f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        with np.printoptions(threshold=12, edgeitems=2, precision=4, linewidth=90):
            text = np.array2string(value, separator=", ").replace("\n", " ")
        return f"array({text}) (shape {value.shape}, {value.dtype})"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _as_array(value: Any) -> Any:
    """Tensors (anything with .numpy()) compare as their arrays."""
    if not isinstance(value, np.ndarray) and callable(getattr(value, "numpy", None)):
        return np.asarray(value.numpy())
    return value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, int | float | complex | np.number | np.bool_) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    )


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_) or (isinstance(value, np.ndarray) and value.dtype == bool)


def _array_difference(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float, check_dtype: bool):
    if expected.shape != got.shape:
        return f"shape differs: expected {expected.shape}, got {got.shape}"
    if check_dtype and expected.dtype != got.dtype:
        return f"dtype differs: expected {expected.dtype}, got {got.dtype}"
    if expected.dtype.kind not in "fc" or got.dtype.kind not in "fciub":
        wrong = expected != got
    else:
        for name, test in (("NaN", np.isnan), ("infinite", np.isinf)):
            unexpected = test(got) & ~test(expected)
            if unexpected.any():
                where = tuple(int(i) for i in np.argwhere(unexpected)[0])
                return (
                    f"your output has {int(unexpected.sum())} {name} value(s) (first at index {where}) "
                    f"where the expected output is finite — look for 0/0, log(0) or an overflowing exp"
                )
        wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not wrong.any():
        return None
    where = tuple(int(i) for i in np.argwhere(wrong)[0]) if wrong.ndim else ()
    text = (
        f"values differ at index {where} ({int(wrong.sum())} of {wrong.size} elements): "
        f"expected {expected[where].item()!r}, got {got[where].item()!r}"
    )
    if expected.dtype.kind in "fciub" and got.dtype.kind in "fciub":
        finite = np.isfinite(expected) & np.isfinite(got)
        if finite.any():
            text += f"; max abs diff {np.max(np.abs(expected[finite] - got[finite])):.3g}"
    return text


def difference(expected: Any, got: Any, rtol: float = 1e-5, atol: float = 1e-8, check_dtype: bool = True):
    """None if `got` matches `expected`, else a sentence saying what differs (recurses into tuples)."""
    expected, got = _as_array(expected), _as_array(got)
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list):
            return f"expected a {type(expected).__name__} of {len(expected)} values, got {describe(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} values, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            problem = difference(e, g, rtol, atol, check_dtype)
            if problem is not None:
                return f"output[{i}]: {problem}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got {describe(got)}"
        for key in expected:
            problem = difference(expected[key], got[key], rtol, atol, check_dtype)
            if problem is not None:
                return f"output[{key!r}]: {problem}"
        return None
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray):
            return f"expected a NumPy array of shape {expected.shape}, got {describe(got)}"
        return _array_difference(expected, got, rtol, atol, check_dtype)
    if _is_scalar(expected):
        if isinstance(got, np.ndarray) and got.ndim > 0:
            return f"expected a single number, got an array of shape {got.shape}"
        if not _is_scalar(got) or _is_bool(got) != _is_bool(expected):
            return f"expected a number like {describe(expected)}, got {describe(got)}"
        return _array_difference(np.asarray(expected), np.asarray(got), rtol, atol, check_dtype=False)
    if expected != got:
        return f"expected {describe(expected)}, got {describe(got)}"
    return None
