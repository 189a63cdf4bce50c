"""dlcourse: a small, readable, Numba-accelerated autograd library for the course.

import dlcourse as dl
x = dl.tensor([1.0, 2.0, 3.0], requires_grad=True)
(x * x).sum().backward()
x.grad          # tensor([2., 4., 6.])

Names, arguments and results follow PyTorch, so `import dlcourse as torch` runs PyTorch teaching
code of the course's scope unchanged (README, "PyTorch users", lists what differs).
"""

from __future__ import annotations

from dlcourse.backend import get_backend, set_backend
from dlcourse.device import accelerator, cuda, device, get_default_device, set_default_device
from dlcourse.function import Function, ShapeError
from dlcourse.grad_mode import is_grad_enabled, no_grad
from dlcourse.gradcheck import GradcheckError, gradcheck
from dlcourse.random import Generator, manual_seed, seed
from dlcourse.tensor import Tensor, tensor
from dlcourse.tensor_functions.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from dlcourse.tensor_functions.dtypes import (
    bool_,
    double,
    float16,
    float32,
    float64,
    float_,
    half,
    int8,
    int16,
    int32,
    int64,
    int_,
    is_floating_point,
    long,
    short,
    uint8,
)
from dlcourse.tensor_functions.joining import cat, concat, concatenate, stack
from dlcourse.tensor_functions.linear_algebra import dot, matmul, mm, mv, outer, t
from dlcourse.tensor_functions.pointwise import (
    abs,
    add,
    allclose,
    clamp,
    clip,
    cos,
    div,
    equal,
    exp,
    log,
    log2,
    log10,
    log_softmax,
    maximum,
    minimum,
    mul,
    pow,
    relu,
    sigmoid,
    sin,
    softmax,
    sqrt,
    square,
    sub,
    tanh,
    where,
)
from dlcourse.tensor_functions.reductions import argmax, argmin, max, mean, min, norm, numel, std, sum, var
from dlcourse.tensor_functions.serialization import load, save
from dlcourse.tensor_functions.shape import cumsum, flatten, permute, reshape, squeeze, transpose, unsqueeze

# PyTorch's dtype names that are also Python builtins: dl.float, dl.int, dl.bool
globals().update(float=float_, int=int_, bool=bool_)
Size = tuple  # x.size() is a plain tuple, as torch.Size is a tuple


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


__version__ = "0.1.0"

__all__ = [
    "abs",
    "accelerator",
    "add",
    "allclose",
    "arange",
    "argmax",
    "argmin",
    "as_tensor",
    "bool",
    "bool_",
    "cat",
    "clamp",
    "clip",
    "concat",
    "concatenate",
    "cos",
    "cuda",
    "cumsum",
    "device",
    "div",
    "dot",
    "double",
    "empty",
    "empty_like",
    "equal",
    "exp",
    "eye",
    "flatten",
    "float",
    "float16",
    "float32",
    "float64",
    "float_",
    "from_numpy",
    "full",
    "full_like",
    "Function",
    "Generator",
    "get_backend",
    "get_default_device",
    "gradcheck",
    "GradcheckError",
    "half",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "int_",
    "is_floating_point",
    "is_grad_enabled",
    "is_tensor",
    "linspace",
    "load",
    "log",
    "log10",
    "log2",
    "log_softmax",
    "long",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "multinomial",
    "mv",
    "no_grad",
    "norm",
    "normal",
    "numel",
    "ones",
    "ones_like",
    "outer",
    "permute",
    "pow",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "relu",
    "reshape",
    "save",
    "seed",
    "set_backend",
    "set_default_device",
    "ShapeError",
    "short",
    "sigmoid",
    "sin",
    "Size",
    "softmax",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sub",
    "sum",
    "t",
    "tanh",
    "Tensor",
    "tensor",
    "transpose",
    "uint8",
    "unsqueeze",
    "var",
    "where",
    "zeros",
    "zeros_like",
]

_SUBPACKAGES = {"autograd", "nn", "optim", "data", "train", "cluster", "scalar", "viz", "exercises", "kernels", "utils"}


def __getattr__(name):
    """Load subpackages on first use (`dl.nn`, `dl.optim`, …) so `import dlcourse` stays fast."""
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"dlcourse.{name}")
    raise AttributeError(f"module 'dlcourse' has no attribute {name!r}")
