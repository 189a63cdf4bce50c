"""`Tensor`: an n-dimensional array that remembers how it was computed, and `backward()`.

A tensor wraps a NumPy array (`.data`). When it `requires_grad`, every operation on it records a
`Context` (see function.py) on its result, so the results form a graph pointing back to the inputs.
`loss.backward()` walks that graph from the loss back to the leaves in reverse topological order,
applying the chain rule at each node and *adding* gradients into `.grad` (a tensor used twice gets
both contributions, as in micrograd).
"""

from __future__ import annotations

import numpy as np

from dlcourse import function
from dlcourse.device import check_device
from dlcourse.ops import elementwise as E
from dlcourse.ops import indexing as I
from dlcourse.ops import matmul as M
from dlcourse.ops import reduce as R
from dlcourse.ops import shape as S
from dlcourse.tensor_data import TensorData
from dlcourse.tensor_extras import TorchExtras
from dlcourse.tensor_inplace import InPlaceOps

_FLOATS = (np.float16, np.float32, np.float64)
_UNSET = object()  # "argument not given" (var/std: NumPy's axis= asks for NumPy's default)


def _as_array(data, dtype) -> np.ndarray:
    """Turn `data` into an ndarray with torch's dtype rules.

    Python floats (and lists of them) become float32, Python ints int64, bools bool — as
    `torch.tensor` does; NumPy arrays and NumPy scalars keep their dtype.
    """
    if isinstance(data, Tensor):
        data = data._data
    dtype = None if dtype is None else np.dtype(dtype)
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    if dtype is None:
        if isinstance(data, np.generic):
            return np.asarray(data)
        array = np.asarray(data)
        if array.dtype.kind == "f":  # Python floats → float32, the deep-learning default
            array = array.astype(np.float32)
        elif array.dtype.kind in "iu":  # Python ints → int64, as in torch (labels, indices)
            array = array.astype(np.int64)
        elif array.dtype.kind not in "b":
            raise TypeError(f"cannot make a tensor from {type(data).__name__} with dtype {array.dtype}")
        return array
    return np.asarray(data, dtype=dtype)


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum `grad` over the axes broadcasting stretched, so that it has `shape`."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)  # leading axes that broadcasting added
    stretched = tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    grad = np.add.reduce(grad, axis=tuple(range(extra)) + stretched, keepdims=True)
    return grad.reshape(shape)


class Tensor(InPlaceOps, TorchExtras):
    """An array with an optional gradient. Make one with `dl.tensor(data, requires_grad=...)`.

    `.data` is the NumPy array itself (the chapters compute on it with NumPy); `.grad` is a Tensor
    (or None), as in PyTorch, so `p.grad.zero_()` works and `np.asarray(p.grad)` gives its values.
    """

    __slots__ = ("_data", "_grad", "requires_grad", "_ctx", "_retains_grad", "_version", "__weakref__")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy meets a Tensor: `ndarray + tensor` is the tensor op (graph kept); anything else —
        `p.data -= lr * p.grad`, `np.exp(t)` — computes on the values and gives a NumPy array."""
        names = _REFLECTED.get(ufunc)
        if names is not None and method == "__call__" and "out" not in kwargs and len(inputs) == 2:
            a, b = inputs
            return getattr(a, names[0])(b) if isinstance(a, Tensor) else getattr(b, names[1])(a)
        if "out" in kwargs:
            kwargs["out"] = tuple(_values(o) for o in kwargs["out"])
        return getattr(ufunc, method)(*(_values(x) for x in inputs), **kwargs)

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self._data = _as_array(data, dtype)
        self._grad = None
        self._ctx = None
        self._retains_grad = False
        self._version = 0  # bumped by every in-place change; backward checks the versions it saved
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool) -> Tensor:
        """Fast constructor for op results: `data` is already an ndarray of the right dtype."""
        t = object.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._grad = None
        t.requires_grad = requires_grad
        t._ctx = None
        t._retains_grad = False
        t._version = 0
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def data(self) -> TensorData:
        """The values, shared, not copied, and not tracked by autograd: a NumPy array (a view) that also has
        PyTorch's in-place methods, so both `w.data.copy()` and `x.grad.data.zero_()` work.

        In PyTorch `.data` is a Tensor; here it is NumPy's array, so chapters can use NumPy on it
        directly; use `.detach()` for a Tensor that shares the values.
        """
        return self._data.view(TensorData)

    @data.setter
    def data(self, values) -> None:
        self._data = values._data if isinstance(values, Tensor) else np.asarray(values)

    @property
    def grad(self):
        """The gradient d(loss)/d(self) filled in by `backward()`: a Tensor of this shape, or None."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, (Tensor, np.ndarray)):
                raise RuntimeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if not isinstance(value, Tensor):  # a NumPy array (the course's widgets set these) is wrapped
                value = Tensor._make(np.asarray(value, dtype=self._data.dtype), False)
            if value.shape != self.shape:
                raise RuntimeError(
                    f"assigned grad has shape {value.shape}, but the tensor has shape {self.shape} (they must match)"
                )
        self._grad = value

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def size(self, dim=None):
        """The shape (a tuple), or the length of axis `dim` — a method, as in PyTorch (`x.size(0)`)."""
        return self._data.shape if dim is None else self._data.shape[dim]

    def numel(self) -> int:
        """The number of elements (the product of the shape)."""
        return self._data.size

    nelement = numel

    def dim(self) -> int:
        """The number of axes (same as `.ndim`)."""
        return self._data.ndim

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (parameters, inputs), False for results of ops."""
        return self._ctx is None

    @property
    def grad_fn(self):
        """The op that made this tensor (its `Function` class), or None for a leaf; as in PyTorch."""
        return None if self._ctx is None else self._ctx.fn

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", precision=4, prefix="tensor(")
        extra = ""
        if self._data.dtype not in (np.float32, np.int64, np.bool_):  # torch prints only non-default dtypes
            extra += f", dtype={self._data.dtype}"
        if self._ctx is not None and self.requires_grad:
            extra += f", grad_fn=<{self._ctx.fn.__name__}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __array__(self, dtype=None, copy=None):
        """`np.asarray(t)` gives the values (no graph): handy for plotting."""
        return self._data if dtype is None else self._data.astype(dtype)

    def __bool__(self):
        if self._data.size != 1:
            raise ValueError(f"the truth value of a tensor with shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __format__(self, spec):
        """`f"{loss:.4f}"` formats the number of a one-element tensor, as in PyTorch."""
        if spec and self._data.size == 1:
            return format(self._data.item(), spec)
        return format(str(self), spec)

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._data)

    def __hash__(self):  # tensors are used as dict keys by optimizers and widgets
        return id(self)

    # ----------------------------------------------------------------- gradient bookkeeping
    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Switch gradient tracking on (or off) for this leaf tensor, in place."""
        if flag and self._data.dtype.type not in _FLOATS:
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, but this tensor has dtype "
                f"{self._data.dtype}; make it with dl.tensor(data, dtype=dl.float32, requires_grad=True)"
            )
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> None:
        """Also keep `.grad` on this intermediate (non-leaf) tensor after `backward()`."""
        self._retains_grad = True

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (the next backward starts from zero)."""
        self._grad = None

    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares memory, never requires grad)."""
        return Tensor._make(self._data, False)

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (shares memory). PyTorch insists on `t.detach().numpy()` for a
        tensor that requires grad; dlcourse allows both (the values never carry the graph)."""
        return self._data

    def item(self):
        """The single value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, but this one has shape {self.shape}")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def astype(self, dtype) -> Tensor:
        """A copy converted to `dtype` (gradients flow through float-to-float casts)."""
        dtype = np.dtype(dtype)
        if self.requires_grad and dtype.type not in _FLOATS:  # an integer copy has no gradient
            return Tensor._make(self._data.astype(dtype), False)
        return E.Cast.apply(self, dtype=dtype)

    def float(self) -> Tensor:
        """A float32 copy, like torch's `t.float()`."""
        return self.astype(np.float32)

    def double(self) -> Tensor:
        """A float64 copy, like torch's `t.double()`."""
        return self.astype(np.float64)

    def long(self) -> Tensor:
        """An int64 copy, like torch's `t.long()` (no gradient flows through it)."""
        return self.astype(np.int64)

    def int(self) -> Tensor:
        """An int32 copy, like torch's `t.int()`."""
        return self.astype(np.int32)

    def bool(self) -> Tensor:
        """A boolean copy, like torch's `t.bool()`."""
        return self.astype(np.bool_)

    def backward(self, gradient=None, retain_graph: bool = False, *, grad=None) -> None:
        """Fill `.grad` of every leaf this tensor depends on with d(self)/d(leaf), added to what is there.

        Starts from `gradient` (default 1 for a one-element tensor; `grad=` is the older name). The
        graph's saved arrays are freed afterwards; pass `retain_graph=True` to be able to call
        `backward()` through it again.
        """
        gradient = grad if gradient is None else gradient
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: backward() was "
                "called on a tensor no input of which has requires_grad=True (or it was computed inside "
                "dl.no_grad())"
            )
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs, but this tensor has shape "
                    f"{self.shape}; reduce it first (e.g. loss.mean() or loss.sum()) or pass "
                    f"backward(gradient=...) with a tensor of shape {self.shape}"
                )
            gradient = np.ones_like(self._data)
        else:
            gradient = np.asarray(_values(gradient), dtype=self._data.dtype)
            if gradient.shape != self.shape:
                raise RuntimeError(f"backward(gradient=...): gradient has shape {gradient.shape}, tensor {self.shape}")

        if self._ctx is None:  # backward() on a leaf: d(self)/d(self) = 1
            _accumulate(self, gradient)
            return
        grads = {id(self): gradient}  # gradient of self w.r.t. each op result, summed over all paths
        for node in _ops_newest_first(self):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            ctx = node._ctx
            if ctx.versions:
                _check_versions(node, ctx)
            if node._retains_grad:
                _accumulate(node, g)
            input_grads = ctx.fn.backward(ctx, g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            for inp, needs, ig in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
                if not needs or ig is None:
                    continue
                if ig.shape != inp._data.shape:
                    ig = sum_to(ig, inp._data.shape)  # the one place broadcasting is undone
                if ig.dtype != inp._data.dtype:  # e.g. a float64 array mixed into a float32 model
                    ig = ig.astype(inp._data.dtype)
                if inp._ctx is None:  # a leaf (a parameter or an input): accumulate into .grad
                    _accumulate(inp, ig)
                else:
                    key = id(inp)
                    previous = grads.get(key)
                    grads[key] = ig if previous is None else previous + ig
            if not retain_graph:
                ctx.saved = ()
                ctx.freed = True

    # ----------------------------------------------------------------- arithmetic (broadcasting)
    def __add__(self, other):
        return E.Add.apply(*_promote(self, other))

    def __radd__(self, other):
        return E.Add.apply(*_promote(other, self))

    def __sub__(self, other):
        return E.Sub.apply(*_promote(self, other))

    def __rsub__(self, other):
        return E.Sub.apply(*_promote(other, self))

    def __mul__(self, other):
        return E.Mul.apply(*_promote(self, other))

    def __rmul__(self, other):
        return E.Mul.apply(*_promote(other, self))

    def __truediv__(self, other):
        return E.Div.apply(*_promote(self, other, true_division=True))

    def __rtruediv__(self, other):
        return E.Div.apply(*_promote(other, self, true_division=True))

    def __pow__(self, exponent):
        if isinstance(exponent, (Tensor, np.ndarray)):  # elementwise exponents (constant arrays get no grad)
            return E.PowTensor.apply(*_promote(self, exponent))
        if self._data.dtype.kind in "iub" and isinstance(exponent, float):
            return E.Pow.apply(self.float(), exponent=exponent)  # int ** 0.5 is a float, as in torch
        return E.Pow.apply(self, exponent=exponent)

    def __rpow__(self, base):
        return E.PowTensor.apply(*_promote(base, self))

    def __matmul__(self, other):
        return M.MatMul.apply(*_promote(self, other))

    def __rmatmul__(self, other):
        return M.MatMul.apply(*_promote(other, self))

    def __neg__(self):
        return E.Neg.apply(self)

    def __abs__(self):
        return E.Abs.apply(self)

    # comparisons give plain boolean tensors: they have no gradient
    def __lt__(self, other):
        return Tensor._make(self._data < _values(other), False)

    def __le__(self, other):
        return Tensor._make(self._data <= _values(other), False)

    def __gt__(self, other):
        return Tensor._make(self._data > _values(other), False)

    def __ge__(self, other):
        return Tensor._make(self._data >= _values(other), False)

    def __eq__(self, other):
        return Tensor._make(np.asarray(self._data == _values(other)), False)

    def __ne__(self, other):
        return Tensor._make(np.asarray(self._data != _values(other)), False)

    def __invert__(self):
        if self._data.dtype.kind not in "biu":
            raise TypeError(f"~ (bitwise not) needs a boolean or integer tensor, got dtype {self._data.dtype}")
        return Tensor._make(~self._data, False)

    def __and__(self, other):
        return Tensor._make(self._data & _values(other), False)

    def __or__(self, other):
        return Tensor._make(self._data | _values(other), False)

    def __getitem__(self, index):
        return I.GetItem.apply(self, index=_index_values(index))

    # ----------------------------------------------------------------- elementwise functions
    def exp(self):
        return E.Exp.apply(_floating(self))

    def log(self):
        return E.Log.apply(_floating(self))

    def sqrt(self):
        return E.Sqrt.apply(_floating(self))

    def tanh(self):
        return E.Tanh.apply(_floating(self))

    def sigmoid(self):
        return E.Sigmoid.apply(_floating(self))

    def relu(self):
        return E.ReLU.apply(self)

    def abs(self):
        return E.Abs.apply(self)

    def clip(self, min=None, max=None):  # noqa: A002 - NumPy/PyTorch argument names
        return E.Clip.apply(self, low=_values(min), high=_values(max))

    clamp = clip

    # ----------------------------------------------------------------- reductions
    # `dim`/`keepdim` are PyTorch's names; `axis`/`keepdims` (NumPy's) work too.
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        axis, keepdims = _reduction_args(dim, keepdim, axis, keepdims)
        return R.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        axis, keepdims = _reduction_args(dim, keepdim, axis, keepdims)
        if self._data.dtype.kind in "iub":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be floating point, but got {self.dtype}; "
                "convert it first with .float() (torch refuses the same)"
            )
        return R.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The largest value; with `dim` (PyTorch style) a pair (values, indices), with `axis` the values."""
        if isinstance(dim, Tensor):  # torch.max(a, b): elementwise maximum
            return E.Maximum.apply(*_promote(self, dim))
        if dim is not None:
            values = R.Max.apply(self, axis=dim, keepdims=keepdim)
            return MinMax(values, self.argmax(dim, keepdim))
        axis, keepdims = _reduction_args(None, keepdim, axis, keepdims)
        return R.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The smallest value; with `dim` (PyTorch style) a pair (values, indices), with `axis` the values."""
        if isinstance(dim, Tensor):
            return -E.Maximum.apply(*_promote(-self, -dim))
        if dim is not None:
            values = R.Min.apply(self, axis=dim, keepdims=keepdim)
            return MinMax(values, self.argmin(dim, keepdim))
        axis, keepdims = _reduction_args(None, keepdim, axis, keepdims)
        return R.Min.apply(self, axis=axis, keepdims=keepdims)

    def var(self, dim=None, keepdim=False, *, axis=_UNSET, keepdims=None, unbiased=None, correction=None):
        """Variance, as in PyTorch: Σ(x - mean)² / (n - 1) (Bessel's correction; `correction=0` or
        `unbiased=False` divide by n). NumPy's spelling `axis=` gives NumPy's default, divided by n."""
        torch_style = axis is _UNSET or dim is not None or unbiased is not None or correction is not None
        axis = None if axis is _UNSET else axis
        axis, keepdims = _reduction_args(dim, keepdim, axis, keepdims)
        centered = self - self.mean(axis=axis, keepdims=True)
        squares = centered * centered
        if not torch_style:
            return squares.mean(axis=axis, keepdims=keepdims)
        if correction is None:
            correction = 0 if unbiased is False else 1
        count = self.numel() // max(squares.sum(axis=axis, keepdims=keepdims).numel(), 1)
        return squares.sum(axis=axis, keepdims=keepdims) / (count - correction)

    def std(self, dim=None, keepdim=False, *, axis=_UNSET, keepdims=None, unbiased=None, correction=None):
        """Standard deviation: the square root of `var` with the same arguments."""
        return self.var(dim, keepdim, axis=axis, keepdims=keepdims, unbiased=unbiased, correction=correction).sqrt()

    def argmax(self, dim=None, keepdim=False, *, axis=None):
        axis = dim if axis is None else axis
        return Tensor._make(np.asarray(self._data.argmax(axis=axis, keepdims=keepdim), dtype=np.int64), False)

    def argmin(self, dim=None, keepdim=False, *, axis=None):
        axis = dim if axis is None else axis
        return Tensor._make(np.asarray(self._data.argmin(axis=axis, keepdims=keepdim), dtype=np.int64), False)

    def any(self):
        return bool(self._data.any())

    def all(self):
        return bool(self._data.all())

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return S.Reshape.apply(self, shape=tuple(shape))

    view = reshape

    def view_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge the axes from `start_dim` to `end_dim`: (N, C, H, W).flatten(1) → (N, C·H·W)."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = start_dim % self.ndim, end_dim % self.ndim
        return self.reshape(*self.shape[:start], -1, *self.shape[end + 1 :])

    def transpose(self, *axes):
        """`x.transpose(0, 1)` swaps two axes (PyTorch); three or more give a permutation (NumPy)."""
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if len(axes) == 2 and self.ndim != 2 or tuple(axes) == (0, 1) and self.ndim == 2:
            order = list(range(self.ndim))
            first, second = axes[0] % self.ndim, axes[1] % self.ndim
            order[first], order[second] = order[second], order[first]
            axes = tuple(order)
        return S.Transpose.apply(self, axes=tuple(axes) if axes else None)

    def permute(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return S.Transpose.apply(self, axes=tuple(axes))

    @property
    def T(self):
        return S.Transpose.apply(self, axes=None)

    def squeeze(self, dim=None, *, axis=None):
        axis = dim if axis is None else axis
        shape = tuple(n for i, n in enumerate(self.shape) if not (n == 1 and (axis is None or i == axis % self.ndim)))
        return self.reshape(shape)

    def unsqueeze(self, dim=None, *, axis=None):
        axis = dim if axis is None else axis
        axis = axis if axis >= 0 else self.ndim + 1 + axis
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])


# NumPy ufuncs that are Tensor operators: (method when the tensor is first, when it is second)
_REFLECTED = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.less: ("__lt__", "__gt__"),
    np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"),
    np.greater_equal: ("__ge__", "__le__"),
    np.equal: ("__eq__", "__eq__"),
    np.not_equal: ("__ne__", "__ne__"),
}


class MinMax(tuple):
    """What `x.max(dim)` returns, as in PyTorch: a pair with names `.values` and `.indices`."""

    __slots__ = ()

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


def _accumulate(t: Tensor, grad: np.ndarray) -> None:
    """Add `grad` into `t.grad` (a new Tensor; np.array copies, as grad may be shared with another input)."""
    if t._grad is None:
        t._grad = Tensor._make(np.array(grad), False)
    else:
        t._grad = Tensor._make(np.asarray(t._grad._data + grad), False)


def _check_versions(node: Tensor, ctx) -> None:
    """Raise PyTorch's error if a tensor this op saved for backward was changed in place since."""
    for index, version in ctx.versions:
        saved = node if index < 0 else ctx.inputs[index]
        if saved._version != version:
            role = "its output" if index < 0 else f"its input {index}"
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: {role} (shape {saved.shape}), saved by {ctx.fn.__name__} for backward, is at "
                f"version {saved._version}; expected version {version} instead. Change it out of place "
                f"(x = x + 1 instead of x += 1) or use x.clone() before changing it"
            )


def _reduction_args(dim, keepdim, axis, keepdims):
    """PyTorch's (dim, keepdim) or NumPy's (axis, keepdims): one axis spec and one flag."""
    if dim is not None and axis is not None:
        raise TypeError("give either dim= (PyTorch) or axis= (NumPy), not both")
    axis = dim if axis is None else axis
    return _axis(axis), bool(keepdim if keepdims is None else keepdims)


def _floating(t: Tensor) -> Tensor:
    """Integer tensors become float32 for functions like exp and sqrt (torch does the same)."""
    return t if t._data.dtype.kind == "f" else t.float()


def _promote(a, b, true_division: bool = False):
    """The two operands of a binary op, with PyTorch's type promotion.

    - a Python number takes the tensor's dtype (`2 * float32` stays float32), unless it is a float
      and the tensor holds integers: then both become float32 (`int64 * 0.5` is float32);
    - an integer or boolean tensor/array meeting a float one becomes that float dtype (NumPy
      would pick float64 for int64 + float32, torch picks float32);
    - `int / int` divides as floats (float32), as in torch.
    """
    if (
        isinstance(a, Tensor)
        and isinstance(b, Tensor)
        and a._data.dtype is b._data.dtype
        and (a._data.dtype.kind == "f" or not true_division)
    ):
        return a, b  # the common case (same-dtype tensors) first: this runs on every arithmetic op
    a, b = _as_operand(a), _as_operand(b)
    a_is_number, b_is_number = _is_number(a), _is_number(b)
    if a_is_number or b_is_number:
        t, number = (b, a) if a_is_number else (a, b)
        t_array = t._data if isinstance(t, Tensor) else np.asarray(t)
        kind = t_array.dtype.kind
        if kind == "f":
            number = np.asarray(number, dtype=t_array.dtype)
        elif isinstance(number, float) or true_division:
            t = _to_float(t, np.float32)
            number = np.asarray(number, dtype=np.float32)
        elif kind == "b" and not isinstance(number, bool):
            t = _to_float(t, np.int64)
            number = np.asarray(number, dtype=np.int64)
        else:
            number = np.asarray(number, dtype=t_array.dtype if kind in "iu" else None)
        return (number, t) if a_is_number else (t, number)
    a_kind, b_kind = _dtype_of(a).kind, _dtype_of(b).kind
    if a_kind == "f" and b_kind != "f":
        b = _to_float(b, _dtype_of(a))
    elif b_kind == "f" and a_kind != "f":
        a = _to_float(a, _dtype_of(b))
    elif true_division and a_kind != "f":
        a, b = _to_float(a, np.float32), _to_float(b, np.float32)
    return a, b


def _as_operand(x):
    """Lists become arrays (float lists in the other operand's float dtype, decided below)."""
    if isinstance(x, (list, tuple)):
        array = np.asarray(x)
        return array.astype(np.float32) if array.dtype == np.float64 else array
    return x


def _is_number(x) -> bool:
    return isinstance(x, (bool, int, float, np.number, np.bool_)) and not isinstance(x, np.ndarray)


def _dtype_of(x):
    return x._data.dtype if isinstance(x, Tensor) else np.asarray(x).dtype


def _to_float(x, dtype):
    """`x` (a tensor without gradient, an array or a list) converted to `dtype`."""
    if isinstance(x, Tensor):
        return x if x._data.dtype == dtype else Tensor._make(x._data.astype(dtype), False)
    return np.asarray(x, dtype=dtype)


def _values(x):
    return x._data if isinstance(x, Tensor) else x


def _index_values(index):
    """Tensors used as indices become their arrays."""
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    return index._data if isinstance(index, Tensor) else index


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _ops_newest_first(root: Tensor) -> list[Tensor]:
    """The op results `root` depends on, newest first: a valid order for the backward pass.

    An op's output is always created after its inputs, so sorting by creation (`ctx.seq`) is a
    topological order — no recursive depth-first search needed, even for graphs 10,000 ops deep.
    Raises before anything is computed if part of the graph was already freed by a backward().
    """
    nodes, seen, stack = [], {id(root)}, [root]
    while stack:
        node = stack.pop()
        ctx = node._ctx
        if ctx.freed:
            raise RuntimeError(
                f"trying to backward through the graph a second time (at a {ctx.fn.__name__} op): its "
                "saved values were freed by the first backward(); call backward(retain_graph=True) the "
                "first time, or recompute the forward pass"
            )
        nodes.append(node)
        for inp in ctx.inputs:
            if inp is not None and inp._ctx is not None and id(inp) not in seen:
                seen.add(id(inp))
                stack.append(inp)
    nodes.sort(key=_creation_order, reverse=True)
    return nodes


def _creation_order(node: Tensor) -> int:
    return node._ctx.seq


def tensor(data, requires_grad: bool = False, dtype=None, device=None) -> Tensor:
    """Make a tensor (a copy of `data`): Python floats become float32, ints int64, as in PyTorch;
    NumPy arrays keep their dtype. `device` may only be "cpu" (dlcourse runs on the CPU)."""
    check_device(device)
    if isinstance(data, (Tensor, np.ndarray)):
        data = np.array(_values(data), dtype=dtype)  # torch.tensor copies its input
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


function.Tensor = Tensor  # Function.apply wraps results in Tensors (set here to avoid a circular import)
