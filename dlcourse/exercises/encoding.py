"""Values as plain JSON: the recorded checks store inputs and outputs this way, and a grading probe sends
the learner's results from the sandboxed kernel to the grader this way.

JSON alone cannot say "a float32 array of shape (3, 4)", "a tuple" or "NaN", so such values become small
tagged objects: `{"__dl__": "array", "dtype": "float32", "shape": [3, 4], "data": "<base64>"}`.

`decode` is the grader's door for data that came out of a learner's kernel, so it builds nothing but
numbers, strings, arrays and containers: no pickle, no callables (unless the caller, reading the course's own
recorded data, allows names from a short list of modules), and a cap on how many array elements it accepts.
"""

from __future__ import annotations

import base64
import importlib
import math
from typing import Any

import numpy as np

TAG = "__dl__"
# Callables in recorded check inputs (an activation passed to `neuron(x, w, b, activation)`) are stored
# by name and may only come from these modules.
CALLABLE_MODULES = ("numpy", "dlcourse")
_DTYPE_KINDS = "biufc"  # bool, int, unsigned, float, complex: never object arrays
MAX_ELEMENTS = 10_000_000  # per decoded value: a probe cannot make the grader allocate more than this


class EncodingError(ValueError):
    """A value that cannot be stored or sent (an object array, a lambda, a socket...)."""


def _callable_name(fn: Any) -> str:
    module, name = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if module == "numpy" or (module and module.startswith("numpy.")):
        module = "numpy"  # np.tanh is a ufunc from numpy._core: store it under the name learners know
        name = getattr(fn, "__name__", name)
    if not module or not name or "<" in name or not module.startswith(CALLABLE_MODULES):
        raise EncodingError(f"cannot store the function {fn!r}: only named functions of numpy or dlcourse")
    return f"{module}:{name}"


def encode(value: Any, *, allow_callables: bool = False) -> Any:
    """`value` as JSON-able data (see the module docstring for the tags)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {TAG: "float", "value": repr(value)}
    if isinstance(value, np.generic):
        return {TAG: "scalar", "dtype": value.dtype.str, "data": encode(np.asarray(value))}
    if not isinstance(value, np.ndarray) and callable(getattr(value, "numpy", None)):
        value = np.asarray(value.numpy())  # a dlcourse/torch tensor: its values
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _DTYPE_KINDS:
            raise EncodingError(f"cannot store an array of dtype {value.dtype} (numbers and booleans only)")
        contiguous = np.asarray(value, order="C")  # (np.ascontiguousarray would turn a 0-d array into 1-d)
        return {
            TAG: "array",
            "dtype": contiguous.dtype.newbyteorder("<").str,
            "shape": list(contiguous.shape),
            "data": base64.b64encode(contiguous.astype(contiguous.dtype.newbyteorder("<")).tobytes()).decode(),
        }
    if isinstance(value, np.polynomial.Polynomial):
        return {TAG: "polynomial", "coef": encode(np.asarray(value.coef, dtype=np.float64))}
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [encode(v, allow_callables=allow_callables) for v in value]}
    if isinstance(value, list):
        return [encode(v, allow_callables=allow_callables) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and TAG not in value:
            return {k: encode(v, allow_callables=allow_callables) for k, v in value.items()}
        pairs = [[encode(k), encode(v, allow_callables=allow_callables)] for k, v in value.items()]
        return {TAG: "dict", "items": pairs}
    if callable(value):
        if not allow_callables:
            raise EncodingError(f"cannot send a function ({type(value).__name__}) as a value")
        return {TAG: "callable", "name": _callable_name(value)}
    raise EncodingError(f"cannot store a value of type {type(value).__name__}")


def _count(shape: list) -> int:
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise EncodingError(f"bad array shape {shape!r}")
    return math.prod(shape)


def _decode_array(data: dict) -> np.ndarray:
    dtype = np.dtype(str(data["dtype"]))
    if dtype.kind not in _DTYPE_KINDS:
        raise EncodingError(f"arrays of dtype {dtype} are not accepted")
    count = _count(data["shape"])
    if count > MAX_ELEMENTS:
        raise EncodingError(f"an array of {count} elements is larger than the limit ({MAX_ELEMENTS})")
    raw = base64.b64decode(str(data["data"]), validate=True)
    if len(raw) != count * dtype.itemsize:
        raise EncodingError("array data does not match its shape and dtype")
    return np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="), copy=True).reshape(data["shape"])


def _resolve_callable(name: str) -> Any:
    module_name, _, attribute = str(name).partition(":")
    if not module_name.startswith(CALLABLE_MODULES) or not attribute:
        raise EncodingError(f"functions may only come from {CALLABLE_MODULES}, not {name!r}")
    target = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


def decode(data: Any, *, allow_callables: bool = False) -> Any:
    """The value `encode` produced; EncodingError for anything malformed or over the size limit."""
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v, allow_callables=allow_callables) for v in data]
    if not isinstance(data, dict):
        raise EncodingError(f"unexpected {type(data).__name__} in encoded data")
    kind = data.get(TAG)
    if kind is None:
        return {k: decode(v, allow_callables=allow_callables) for k, v in data.items()}
    try:
        if kind == "float":
            value = float(data["value"])
            if math.isfinite(value):
                raise EncodingError("a tagged float must be nan or ±inf")
            return value
        if kind == "array":
            return _decode_array(data)
        if kind == "scalar":
            return _decode_array(data["data"])[()]
        if kind == "polynomial":
            return np.polynomial.Polynomial(_decode_array(data["coef"]))
        if kind == "tuple":
            return tuple(decode(v, allow_callables=allow_callables) for v in data["items"])
        if kind == "dict":
            return {decode(k): decode(v, allow_callables=allow_callables) for k, v in data["items"]}
        if kind == "callable" and allow_callables:
            return _resolve_callable(data["name"])
    except (KeyError, TypeError, ValueError, AttributeError, ImportError) as error:
        if isinstance(error, EncodingError):
            raise
        raise EncodingError(f"malformed {kind!r} value: {type(error).__name__}: {error}") from None
    raise EncodingError(f"values of kind {kind!r} are not accepted here")
