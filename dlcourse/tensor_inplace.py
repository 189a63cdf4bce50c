"""In-place operations on tensors, with PyTorch's rules: `p -= lr * p.grad`, `x.add_(y)`, `y[0] = 0`.

An in-place op changes the tensor's own array, so every name for the tensor (a model's parameter
list, an optimizer, a view of it) sees the new values — the standard update

    with dl.no_grad():
        for p in model.parameters():
            p -= lr * p.grad

works. PyTorch's safety rules come with it:

- a leaf that requires grad (a parameter) may only be changed in place under `no_grad()`:
  otherwise the change would not be part of any graph and its gradient would silently be wrong;
- every in-place change bumps the tensor's `_version`; an op that saved the tensor for its
  backward pass records the version, and `backward()` raises if the tensor changed since;
- inside a graph (a non-leaf, grad enabled), the op is recorded like its out-of-place twin, so
  gradients stay right.
"""

from __future__ import annotations

import numpy as np

from dlcourse import grad_mode


class InPlaceOps:
    """The in-place methods of `Tensor` (a mixin: Tensor inherits them)."""

    __slots__ = ()

    def _update(self, compute, name: str, *others):
        """Replace self's values by `compute(self)`, in self's own array, following torch's rules."""
        from dlcourse.tensor import Tensor

        tracked = grad_mode.enabled and (
            self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)
        )
        if tracked and self.requires_grad and self._ctx is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation ({name}). "
                "Change parameters in place only inside `with dl.no_grad():` (as optimizers do), or use "
                "an out-of-place operation (x = x - y) to build a new tensor"
            )
        if not tracked:
            with grad_mode.no_grad():
                result = compute(self)
            _write(self, result._data, name)
            self._version += 1
            return self
        # Inside a graph: record the op on a stand-in holding the old values and history, then let
        # self take the result's values and history (self is now the op's output).
        old = Tensor._make(self._data.copy(), self.requires_grad)
        old._ctx = self._ctx
        old._version = self._version + 1  # self's array is about to change under the old op's feet
        result = compute(old)
        _write(self, result._data, name)
        self._version += 1
        self._ctx = result._ctx
        self.requires_grad = result.requires_grad
        if self._ctx is not None and self._ctx.versions:
            self._ctx.versions = tuple((i, self._version if i < 0 else v) for i, v in self._ctx.versions)
        return self

    # ----------------------------------------------------------------- Python's augmented assignment
    def __iadd__(self, other):
        return self._update(lambda t: t + other, "+=", other)

    def __isub__(self, other):
        return self._update(lambda t: t - other, "-=", other)

    def __imul__(self, other):
        return self._update(lambda t: t * other, "*=", other)

    def __itruediv__(self, other):
        return self._update(lambda t: t / other, "/=", other)

    def __setitem__(self, index, value):
        """`x[index] = value` changes x in place (gradients flow to `value` and the untouched part of x)."""
        from dlcourse.ops.indexing import SetItem
        from dlcourse.tensor import Tensor, _index_values

        index = _index_values(index)
        if not isinstance(value, Tensor):
            value = np.asarray(value, dtype=self._data.dtype)
        return self._update(lambda t: SetItem.apply(t, value, index=index), "item assignment", value)

    # ----------------------------------------------------------------- PyTorch's methods ending in _
    def add_(self, other, *, alpha=1):
        """self += alpha · other, in place."""
        return self._update(lambda t: t + (other if alpha == 1 else other * alpha), "add_", other)

    def sub_(self, other, *, alpha=1):
        """self -= alpha · other, in place."""
        return self._update(lambda t: t - (other if alpha == 1 else other * alpha), "sub_", other)

    def mul_(self, other):
        """self *= other, in place."""
        return self._update(lambda t: t * other, "mul_", other)

    def div_(self, other):
        """self /= other, in place."""
        return self._update(lambda t: t / other, "div_", other)

    def pow_(self, exponent):
        """self **= exponent, in place."""
        return self._update(lambda t: t**exponent, "pow_", exponent)

    def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        """Clip self into [min, max], in place."""
        return self._update(lambda t: t.clamp(min, max), "clamp_")

    clip_ = clamp_

    def zero_(self):
        """Set every element to 0, in place."""
        self[...] = 0
        return self

    def fill_(self, value):
        """Set every element to `value`, in place."""
        self[...] = value
        return self

    def copy_(self, src):
        """Copy `src`'s values into self (broadcasting, converting the dtype), in place."""
        self[...] = src
        return self

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with samples of N(mean, std²), in place (from `generator`, or the global one)."""
        from dlcourse.random import rng_of

        values = rng_of(generator).normal(mean, std, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill with samples of U(a, b), in place (from `generator`, or the global one)."""
        from dlcourse.random import rng_of

        values = rng_of(generator).uniform(a, b, size=self.shape)
        return self.copy_(values.astype(self._data.dtype))


def _write(t, values: np.ndarray, name: str) -> None:
    """Copy `values` into t's own array, with torch's errors for a changed shape or dtype."""
    if values.shape != t._data.shape:
        raise RuntimeError(
            f"{name}: output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(values.shape)} (an in-place op cannot change a tensor's shape)"
        )
    if values.dtype != t._data.dtype and not np.can_cast(values.dtype, t._data.dtype, casting="same_kind"):
        raise RuntimeError(
            f"{name}: result type {values.dtype} can't be cast to the desired output type {t._data.dtype} "
            f"(an in-place op keeps the tensor's dtype; convert it first, e.g. x = x.float())"
        )
    np.copyto(t._data, values, casting="unsafe")
