"""Elementwise operations. Each backward multiplies `grad_out` by the local derivative (chain rule).

Gradients are returned in the broadcast shape; the engine sums them back to each input's shape.
"""

from __future__ import annotations

import math

import numpy as np

from dlcourse.function import Function


class Add(Function):
    """z = x + y;  dz/dx = 1,  dz/dy = 1."""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out, grad_out


class Sub(Function):
    """z = x - y;  dz/dx = 1,  dz/dy = -1."""

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out, (-grad_out if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """z = x * y;  dz/dx = y,  dz/dy = x."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_out):
        x, y = ctx.saved
        needs_x, needs_y = ctx.needs_input_grad
        return (grad_out * y if needs_x else None), (grad_out * x if needs_y else None)


class Div(Function):
    """z = x / y;  dz/dx = 1/y,  dz/dy = -x/y²."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, grad_out):
        x, y = ctx.saved
        needs_x, needs_y = ctx.needs_input_grad
        grad_x = grad_out / y if needs_x else None
        grad_y = -grad_out * x / (y * y) if needs_y else None
        return grad_x, grad_y


class Neg(Function):
    """z = -x;  dz/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad_out):
        return -grad_out


class Pow(Function):
    """z = x ** p for a constant p;  dz/dx = p · x^(p-1)."""

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        return x**exponent

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        p = ctx.exponent
        if p == 2:  # the common case (squared errors) without a pow call
            return grad_out * 2 * x
        if p == 0:  # x⁰ = 1 is constant; 0 · x⁻¹ would be nan at x = 0
            return np.zeros_like(grad_out * x)
        return grad_out * p * x ** (p - 1)


class PowTensor(Function):
    """z = x ** y with both tensors;  dz/dx = y · x^(y-1),  dz/dy = x^y · ln x."""

    @staticmethod
    def forward(ctx, x, y):
        z = x**y
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad_out):
        x, y, z = ctx.saved
        needs_x, needs_y = ctx.needs_input_grad
        grad_x = grad_out * y * x ** (y - 1) if needs_x else None
        grad_y = grad_out * z * np.log(x) if needs_y else None
        return grad_x, grad_y


class Exp(Function):
    """z = eˣ;  dz/dx = eˣ = z."""

    @staticmethod
    def forward(ctx, x):
        z = np.exp(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_out):
        (z,) = ctx.saved
        return grad_out * z


class Log(Function):
    """z = ln x;  dz/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return grad_out / x


class Sqrt(Function):
    """z = √x;  dz/dx = 1 / (2√x)."""

    @staticmethod
    def forward(ctx, x):
        z = np.sqrt(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_out):
        (z,) = ctx.saved
        return grad_out / (2 * z)


class Abs(Function):
    """z = |x|;  dz/dx = sign(x) (0 at 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return grad_out * np.sign(x)


class Tanh(Function):
    """z = tanh x;  dz/dx = 1 - z²."""

    @staticmethod
    def forward(ctx, x):
        z = np.tanh(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_out):
        (z,) = ctx.saved
        return grad_out * (1 - z * z)


class Sigmoid(Function):
    """z = σ(x) = 1 / (1 + e⁻ˣ);  dz/dx = z (1 - z)."""

    @staticmethod
    def forward(ctx, x):
        # e = e^-|x| lies in (0, 1], so nothing overflows: σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0.
        # This keeps tiny values like σ(-20) ≈ 2e-9 (½(1 + tanh(x/2)) would round them to 0 in float32).
        e = np.exp(-np.abs(x))
        z = np.where(x >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_out):
        (z,) = ctx.saved
        return grad_out * z * (1 - z)


class ReLU(Function):
    """z = max(0, x);  dz/dx = 1 if x > 0 else 0."""

    @staticmethod
    def forward(ctx, x):
        z = np.maximum(x, 0)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_out):
        (z,) = ctx.saved
        return grad_out * (z > 0)


class LeakyReLU(Function):
    """z = x if x > 0 else a·x;  dz/dx = 1 if x > 0 else a."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return np.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return grad_out * np.where(x > 0, 1, ctx.negative_slope).astype(x.dtype)


class ELU(Function):
    """z = x if x > 0 else α(eˣ - 1);  dz/dx = 1 if x > 0 else z + α."""

    @staticmethod
    def forward(ctx, x, alpha):
        z = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
        ctx.save_for_backward(x, z)
        ctx.alpha = alpha
        return z

    @staticmethod
    def backward(ctx, grad_out):
        x, z = ctx.saved
        return grad_out * np.where(x > 0, 1, z + ctx.alpha).astype(x.dtype)


_erf = np.vectorize(math.erf, otypes=[np.float64])


class GELU(Function):
    """z = x · Φ(x), Φ the standard normal CDF;  dz/dx = Φ(x) + x · φ(x).

    approximate="tanh" uses Φ(x) ≈ ½(1 + tanh(√(2/π)(x + 0.044715x³))), like PyTorch's option.
    """

    @staticmethod
    def forward(ctx, x, approximate):
        if approximate == "tanh":
            inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
            t = np.tanh(inner)
            cdf = 0.5 * (1 + t)
            pdf_term = 0.5 * (1 - t * t) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x * x)
            dz_dx = cdf + x * pdf_term
        else:
            cdf = (0.5 * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype)
            dz_dx = cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        ctx.save_for_backward(dz_dx.astype(x.dtype))
        return (x * cdf).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad_out):
        (dz_dx,) = ctx.saved
        return grad_out * dz_dx


class Clip(Function):
    """z = min(max(x, low), high);  dz/dx = 1 inside [low, high], 0 where clipped."""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return np.clip(x, low, high)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        inside = np.ones(x.shape, dtype=bool)
        if ctx.low is not None:
            inside &= x >= ctx.low
        if ctx.high is not None:
            inside &= x <= ctx.high
        return grad_out * inside


class Maximum(Function):
    """z = max(x, y) elementwise;  the gradient goes to the larger input (split evenly on ties)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad_out):
        x, y = ctx.saved
        share_x = (x > y) + 0.5 * (x == y)
        return grad_out * share_x, grad_out * (1 - share_x)


class Where(Function):
    """z = x where condition else y;  dz/dx = condition,  dz/dy = not condition."""

    @classmethod
    def explain_error(cls, error, x, y, condition):
        """Name the condition's shape too (the default message only knows x and y)."""
        return f"where: cannot broadcast condition {np.shape(condition)}, x {np.shape(x)} and y {np.shape(y)}"

    @staticmethod
    def forward(ctx, x, y, condition):
        ctx.condition = condition
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx, grad_out):
        zero = np.zeros((), dtype=grad_out.dtype)
        return np.where(ctx.condition, grad_out, zero), np.where(ctx.condition, zero, grad_out)


class Cast(Function):
    """z = x converted to another float dtype;  dz/dx = 1 (converted back)."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.input_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out.astype(ctx.input_dtype)


class Sin(Function):
    """z = sin x;  dz/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return grad_out * np.cos(x)


class Cos(Function):
    """z = cos x;  dz/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return -grad_out * np.sin(x)
