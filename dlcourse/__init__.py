"""dlcourse: a small, readable, Numba-accelerated autograd library for the course.

import dlcourse as dl
x = dl.tensor([1.0, 2.0, 3.0], requires_grad=True)
(x * x).sum().backward()
x.grad          # tensor([2., 4., 6.])
"""

from __future__ import annotations

from dlcourse.backend import get_backend, set_backend
from dlcourse.function import Function, ShapeError
from dlcourse.functions import (
    arange,
    concatenate,
    exp,
    log,
    maximum,
    minimum,
    ones,
    ones_like,
    randn,
    sigmoid,
    sqrt,
    stack,
    tanh,
    where,
    zeros,
    zeros_like,
)
from dlcourse.grad_mode import is_grad_enabled, no_grad
from dlcourse.gradcheck import GradcheckError, gradcheck
from dlcourse.tensor import Tensor, tensor

__version__ = "0.1.0"

__all__ = [
    "Function",
    "GradcheckError",
    "ShapeError",
    "Tensor",
    "arange",
    "concatenate",
    "exp",
    "get_backend",
    "gradcheck",
    "is_grad_enabled",
    "log",
    "maximum",
    "minimum",
    "no_grad",
    "ones",
    "ones_like",
    "randn",
    "set_backend",
    "sigmoid",
    "sqrt",
    "stack",
    "tanh",
    "tensor",
    "where",
    "zeros",
    "zeros_like",
]


def __getattr__(name):
    """Load subpackages on first use (`dl.nn`, `dl.optim`, …) so `import dlcourse` stays fast."""
    import importlib

    if name in {"nn", "optim", "data", "train", "cluster", "scalar", "viz", "exercises", "kernels"}:
        return importlib.import_module(f"dlcourse.{name}")
    raise AttributeError(f"module 'dlcourse' has no attribute {name!r}")
