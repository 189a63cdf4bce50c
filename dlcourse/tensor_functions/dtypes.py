"""dtype names as in PyTorch: `dl.float32`, `dl.long`, … (they are NumPy dtypes: `x.dtype == dl.float32`)."""

from __future__ import annotations

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
int16 = np.dtype(np.int16)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

# PyTorch's other names for the same types
float_ = float32  # torch.float
double = float64
half = float16
long = int64
int_ = int32  # torch.int
short = int16

ALIASES = {
    "float32": float32,
    "float": float_,
    "float64": float64,
    "double": double,
    "float16": float16,
    "half": half,
    "int64": int64,
    "long": long,
    "int32": int32,
    "int": int_,
    "int16": int16,
    "short": short,
    "int8": int8,
    "uint8": uint8,
    "bool": bool_,
}


def is_floating_point(t) -> bool:
    """True for a tensor of a floating-point dtype."""
    return np.dtype(t.dtype).kind == "f"
