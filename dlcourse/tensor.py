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
from dlcourse.ops import elementwise as E
from dlcourse.ops import indexing as I
from dlcourse.ops import matmul as M
from dlcourse.ops import reduce as R
from dlcourse.ops import shape as S

_FLOATS = (np.float16, np.float32, np.float64)


def _as_array(data, dtype) -> np.ndarray:
    """Turn `data` into an ndarray: Python numbers and lists become float32, NumPy arrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    if dtype is None:
        if isinstance(data, np.generic):
            return np.asarray(data)
        array = np.asarray(data)
        if array.dtype.kind in "iuf":  # Python numbers → float32, the deep-learning default
            array = array.astype(np.float32)
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


class Tensor:
    """An array with an optional gradient. Make one with `dl.tensor(data, requires_grad=...)`."""

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_retains_grad", "__weakref__")
    __array_ufunc__ = None  # `ndarray + Tensor` calls Tensor.__radd__ instead of looping elementwise

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _as_array(data, dtype)
        self.grad = None
        self._ctx = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool) -> Tensor:
        """Fast constructor for op results: `data` is already an ndarray of the right dtype."""
        t = object.__new__(cls)
        t.data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t.requires_grad = requires_grad
        t._ctx = None
        t._retains_grad = False
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (parameters, inputs), False for results of ops."""
        return self._ctx is None

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", precision=4, prefix="tensor(")
        extra = ""
        if self.data.dtype != np.float32:
            extra += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __array__(self, dtype=None, copy=None):
        """`np.asarray(t)` gives the values (no graph): handy for plotting."""
        return self.data if dtype is None else self.data.astype(dtype)

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor with shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __hash__(self):  # tensors are used as dict keys by optimizers and widgets
        return id(self)

    # ----------------------------------------------------------------- gradient bookkeeping
    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Switch gradient tracking on (or off) for this leaf tensor, in place."""
        if flag and self.data.dtype.type not in _FLOATS:
            raise TypeError(
                f"only floating-point tensors can require gradients, but this tensor has dtype "
                f"{self.data.dtype}; make it with dl.tensor(data, dtype='float32', requires_grad=True)"
            )
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> None:
        """Also keep `.grad` on this intermediate (non-leaf) tensor after `backward()`."""
        self._retains_grad = True

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (the next backward starts from zero)."""
        self.grad = None

    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares memory, never requires grad)."""
        return Tensor._make(self.data, False)

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (shares memory)."""
        return self.data

    def item(self) -> float:
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, but this one has shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def astype(self, dtype) -> Tensor:
        """A copy converted to `dtype` (gradients flow through float-to-float casts)."""
        return E.Cast.apply(self, dtype=np.dtype(dtype))

    def float(self) -> Tensor:
        """A float32 copy, like torch's `t.float()`."""
        return self.astype(np.float32)

    def double(self) -> Tensor:
        """A float64 copy, like torch's `t.double()`."""
        return self.astype(np.float64)

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Fill `.grad` of every leaf this tensor depends on with d(self)/d(leaf), added to what is there.

        Starts from `grad` (default 1 for a one-element tensor). The graph's saved arrays are freed
        afterwards; pass `retain_graph=True` to be able to call `backward()` through it again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not require grad: no input it was computed from "
                "has requires_grad=True (or it was computed inside dl.no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() needs a scalar (one-element) tensor to start from, but this one has shape "
                    f"{self.shape}; reduce it first (e.g. loss.mean() or loss.sum()) or pass "
                    f"backward(grad=...) with an array of shape {self.shape}"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward(grad=...): grad has shape {grad.shape}, the tensor {self.shape}")

        if self._ctx is None:  # backward() on a leaf: d(self)/d(self) = 1
            self.grad = np.array(grad) if self.grad is None else np.asarray(self.grad + grad)
            return
        grads = {id(self): grad}  # gradient of self w.r.t. each op result, summed over all paths
        for node in _ops_newest_first(self):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            ctx = node._ctx
            if node._retains_grad:
                node.grad = np.array(g) if node.grad is None else np.asarray(node.grad + g)
            input_grads = ctx.fn.backward(ctx, g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            for inp, needs, ig in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
                if not needs or ig is None:
                    continue
                if ig.shape != inp.data.shape:
                    ig = sum_to(ig, inp.data.shape)  # the one place broadcasting is undone
                if ig.dtype != inp.data.dtype:  # e.g. a float64 array mixed into a float32 model
                    ig = ig.astype(inp.data.dtype)
                if inp._ctx is None:  # a leaf (a parameter or an input): accumulate into .grad
                    # np.array copies (ig may be shared with another input) and turns NumPy scalars into arrays
                    inp.grad = np.array(ig) if inp.grad is None else np.asarray(inp.grad + ig)
                else:
                    key = id(inp)
                    previous = grads.get(key)
                    grads[key] = ig if previous is None else previous + ig
            if not retain_graph:
                ctx.saved = ()
                ctx.freed = True

    # ----------------------------------------------------------------- arithmetic (broadcasting)
    def __add__(self, other):
        return E.Add.apply(self, _wrap(other, self))

    def __radd__(self, other):
        return E.Add.apply(_wrap(other, self), self)

    def __sub__(self, other):
        return E.Sub.apply(self, _wrap(other, self))

    def __rsub__(self, other):
        return E.Sub.apply(_wrap(other, self), self)

    def __mul__(self, other):
        return E.Mul.apply(self, _wrap(other, self))

    def __rmul__(self, other):
        return E.Mul.apply(_wrap(other, self), self)

    def __truediv__(self, other):
        return E.Div.apply(self, _wrap(other, self))

    def __rtruediv__(self, other):
        return E.Div.apply(_wrap(other, self), self)

    def __pow__(self, exponent):
        if isinstance(exponent, (Tensor, np.ndarray)):  # elementwise exponents (constant arrays get no grad)
            return E.PowTensor.apply(self, exponent)
        return E.Pow.apply(self, exponent=exponent)

    def __rpow__(self, base):
        return E.PowTensor.apply(_wrap(base, self), self)

    def __matmul__(self, other):
        return M.MatMul.apply(self, _wrap(other, self))

    def __rmatmul__(self, other):
        return M.MatMul.apply(_wrap(other, self), self)

    def __neg__(self):
        return E.Neg.apply(self)

    def __abs__(self):
        return E.Abs.apply(self)

    # comparisons give plain boolean tensors: they have no gradient
    def __lt__(self, other):
        return Tensor._make(self.data < _values(other), False)

    def __le__(self, other):
        return Tensor._make(self.data <= _values(other), False)

    def __gt__(self, other):
        return Tensor._make(self.data > _values(other), False)

    def __ge__(self, other):
        return Tensor._make(self.data >= _values(other), False)

    def __eq__(self, other):
        return Tensor._make(self.data == _values(other), False)

    def __ne__(self, other):
        return Tensor._make(self.data != _values(other), False)

    def __getitem__(self, index):
        return I.GetItem.apply(self, index=_index_values(index))

    # ----------------------------------------------------------------- elementwise functions
    def exp(self):
        return E.Exp.apply(self)

    def log(self):
        return E.Log.apply(self)

    def sqrt(self):
        return E.Sqrt.apply(self)

    def tanh(self):
        return E.Tanh.apply(self)

    def sigmoid(self):
        return E.Sigmoid.apply(self)

    def relu(self):
        return E.ReLU.apply(self)

    def abs(self):
        return E.Abs.apply(self)

    def clip(self, min=None, max=None):  # noqa: A002 - NumPy/PyTorch argument names
        return E.Clip.apply(self, low=min, high=max)

    clamp = clip

    # ----------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims=False):
        return R.Sum.apply(self, axis=_axis(axis), keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return R.Mean.apply(self, axis=_axis(axis), keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return R.Max.apply(self, axis=_axis(axis), keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return R.Min.apply(self, axis=_axis(axis), keepdims=keepdims)

    def var(self, axis=None, keepdims=False):
        """Population variance mean((x - mean)²) (like NumPy, unlike torch's default unbiased)."""
        centered = self - self.mean(axis=axis, keepdims=True)
        return (centered * centered).mean(axis=axis, keepdims=keepdims)

    def argmax(self, axis=None):
        return Tensor._make(np.asarray(self.data.argmax(axis=axis)), False)

    def argmin(self, axis=None):
        return Tensor._make(np.asarray(self.data.argmin(axis=axis)), False)

    def any(self):
        return bool(self.data.any())

    def all(self):
        return bool(self.data.all())

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return S.Reshape.apply(self, shape=tuple(shape))

    view = reshape

    def flatten(self, start_dim=0):
        """Merge all axes from `start_dim` on: (N, C, H, W).flatten(1) → (N, C·H·W)."""
        return self.reshape(*self.shape[:start_dim], -1)

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return S.Transpose.apply(self, axes=tuple(axes) if axes else None)

    def permute(self, *axes):
        return self.transpose(*axes)

    @property
    def T(self):
        return S.Transpose.apply(self, axes=None)

    def squeeze(self, axis=None):
        shape = tuple(n for i, n in enumerate(self.shape) if not (n == 1 and (axis is None or i == axis % self.ndim)))
        return self.reshape(shape)

    def unsqueeze(self, axis):
        axis = axis if axis >= 0 else self.ndim + 1 + axis
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])


def _wrap(x, like: Tensor):
    """A number or array operand as an ndarray in `like`'s dtype (so `2 * float32_tensor` stays float32)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return x
    if like.data.dtype.kind == "f":
        return np.asarray(x, dtype=like.data.dtype)
    if isinstance(x, (bool, int, float)):  # NumPy's rules: int32 + 2 stays int32, but int * 2.5 is a float
        return np.asarray(x, dtype=np.result_type(like.data.dtype, x))
    return np.asarray(x)


def _values(x):
    return x.data if isinstance(x, Tensor) else x


def _index_values(index):
    """Tensors used as indices become their arrays."""
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index.data if isinstance(index, Tensor) else index


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


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Make a tensor: Python numbers/lists become float32; NumPy arrays keep their dtype."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


function.Tensor = Tensor  # Function.apply wraps results in Tensors (set here to avoid a circular import)
