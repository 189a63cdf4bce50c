"""Checks for chapter 06 (backpropagation): gradients by hand, two local backward rules, a gradient
checker by central differences, and the δ-rule of one dense tanh layer."""

import math

import numpy as np

from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check

# ---------------------------------------------------------------------------------------------- by hand
# The chapter's graph: d = a·b, e = d + a, L = e·c with a = 2, b = -3, c = 4 (so d = -6, e = -4, L = -16).
_A, _B, _C = 2.0, -3.0, 4.0
_CHAIN_GRADS = {"e": _C, "d": _C, "c": _A * _B + _A, "b": _C * _A, "a": _C * _B + _C}
_CHAIN_HINTS = {
    "e": "L = e·c, so dL/de is the other factor of that product.",
    "d": "e = d + a passes the gradient through unchanged: dL/dd = dL/de · 1.",
    "c": "L = e·c, so dL/dc = e, the value of e in the forward pass.",
    "b": "d = a·b: dL/db = dL/dd · a.",
    "a": "a is used twice (in d = a·b and in e = d + a): add the gradients along both paths.",
}


@exercise("06.chain_rule", hint="Work backwards from L: dL/dL = 1, then grad of a node = Σ over its uses of "
          "(grad of the result × local derivative).")  # fmt: skip
def _chain_rule(answer):
    assert isinstance(answer, dict), f"answer with a dict like {{'a': ..., 'b': ...}}, got {describe(answer)}"
    missing = sorted(set(_CHAIN_GRADS) - set(answer))
    assert not missing, f"the dict needs the keys {sorted(_CHAIN_GRADS)}; missing: {missing}"
    wrong = []
    for name, expected in _CHAIN_GRADS.items():
        value = answer[name]
        assert isinstance(value, int | float | np.number) and not isinstance(value, bool), (
            f"answer[{name!r}] should be a number, got {describe(value)}"
        )
        if not math.isclose(float(value), expected, abs_tol=1e-9):
            note = _CHAIN_HINTS[name]
            if name == "a" and math.isclose(float(value), _C * _B, abs_tol=1e-9):
                note = "that is only the path through d = a·b; a also feeds e = d + a directly — add that path too."
            elif name == "a" and math.isclose(float(value), _C, abs_tol=1e-9):
                note = "that is only the direct path into e = d + a; a also feeds d = a·b — add that path too."
            wrong.append(f"dL/d{name} = {float(value):g} is not right: {note}")
    assert not wrong, "\n  ".join(wrong)
    return len(_CHAIN_GRADS)


# ---------------------------------------------------------------------------------------------- local rules
def _three_numbers(rng):
    return Case(*(float(v) for v in rng.normal(scale=2.0, size=3)))


@function_check(
    "06.mul_backward",
    cases=[Case(2.0, -3.0, 1.0), Case(2.0, -3.0, 0.5), Case(0.0, 5.0, 2.0), Case(-1.5, -1.5, -2.0)],
    random_case=_three_numbers,
    check_dtype=False,
    hint="out = a·b, so d out/da = b and d out/db = a; multiply each by grad_out (the chain rule) and "
    "return both: (grad_out * b, grad_out * a).",
)
def mul_backward(a, b, grad_out):
    """For out = a·b: (dL/da, dL/db) = (grad_out · b, grad_out · a)."""
    return grad_out * b, grad_out * a


@function_check(
    "06.tanh_backward",
    cases=[Case(0.0, 1.0), Case(0.5, 1.0), Case(-2.0, 3.0), Case(20.0, 1.0)],
    random_case=lambda rng: Case(float(rng.normal(scale=2.0)), float(rng.normal())),
    check_dtype=False,
    hint="out = tanh(a) has derivative 1 − tanh(a)² — the square of the OUTPUT, not of a. "
    "Multiply by grad_out: grad_out * (1 - np.tanh(a) ** 2).",
)
def tanh_backward(a, grad_out):
    """For out = tanh(a): dL/da = grad_out · (1 − tanh(a)²)."""
    return grad_out * (1.0 - math.tanh(a) ** 2)


# ---------------------------------------------------------------------------------------------- gradient check
def sum_of_cubes(x):
    """f(x) = Σ xᵢ³."""
    return float(np.sum(x**3))


def weighted_sines(x):
    """f(x) = Σᵢ (i + 1) · sin(xᵢ), over the flattened x."""
    return float(np.sum(np.arange(1, x.size + 1) * np.sin(x.ravel())))


def log_norm(x):
    """f(x) = log(1 + Σ xᵢ²): every element's derivative depends on all the others."""
    return float(np.log1p(np.sum(x**2)))


_FUNCTIONS = [sum_of_cubes, weighted_sines, log_norm]


def _gradient_case(rng):
    f = _FUNCTIONS[int(rng.integers(len(_FUNCTIONS)))]
    shape = tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(1, 3))))
    return Case(f, rng.normal(size=shape), eps=float(rng.choice([1e-3, 1e-2, 0.1])))


@function_check(
    "06.numerical_gradient",
    cases=[
        Case(sum_of_cubes, np.array([1.0, -2.0, 0.5]), eps=1e-3),
        Case(sum_of_cubes, np.array([1.0, -2.0, 0.5]), eps=0.1),  # a big step: shows which formula you used
        Case(weighted_sines, np.array([[0.3, -1.2], [2.0, 0.0]]), eps=1e-3),  # 2-D: every element
        Case(log_norm, np.array([0.5, -0.5, 1.0, 2.0]), eps=1e-2),
    ],
    random_case=_gradient_case,
    rtol=1e-6,
    atol=1e-9,
    check_dtype=False,
    hint="For every index i (np.ndindex(x.shape) walks all of them): nudge x[i] up by eps, evaluate f, nudge "
    "it down by eps, evaluate f, put x[i] back, and store (f_plus − f_minus) / (2·eps). Use the eps you "
    "were given, and return an array shaped like x.",
)
def numerical_gradient(f, x, eps=1e-6):
    """Central differences: ∂f/∂xᵢ ≈ (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε for every element i of x."""
    x = np.array(x, dtype=np.float64)  # our own copy to nudge
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = f(x)
        x[i] = original - eps
        minus = f(x)
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


# ---------------------------------------------------------------------------------------------- δ-rule
def _layer_case(rng):
    n, d_in, d_out = (int(v) for v in rng.integers(1, 6, size=3))
    return Case(rng.normal(size=(n, d_in)), rng.normal(size=(d_out, d_in)), rng.normal(size=d_out),
                rng.normal(size=(n, d_out)))  # fmt: skip


_FIXED = np.random.default_rng(6)


@function_check(
    "06.dense_tanh_backward",
    cases=[
        Case(np.array([[1.0, 2.0]]), np.array([[0.5, -0.5]]), np.array([0.1]), np.array([[1.0]])),  # one unit
        Case(_FIXED.normal(size=(4, 3)), _FIXED.normal(size=(2, 3)), _FIXED.normal(size=2), _FIXED.normal(size=(4, 2))),
        Case(_FIXED.normal(size=(1, 2)), _FIXED.normal(size=(5, 2)), _FIXED.normal(size=5), _FIXED.normal(size=(1, 5))),
    ],
    random_case=_layer_case,
    check_dtype=False,
    hint="H = tanh(Z) with Z = X @ W.T + b. First δ = grad_H * (1 − H²) (shape (N, d_out)); then "
    "dW = δ.T @ X (shape of W), db = δ summed over the batch (axis 0), dX = δ @ W (shape of X).",
)
def dense_tanh_backward(X, W, b, grad_H):
    """H = tanh(X Wᵀ + b);  δ = grad_H ⊙ (1 − H²);  dW = δᵀX, db = Σₙ δ, dX = δW."""
    H = np.tanh(X @ W.T + b)  # (N, d_out)
    delta = grad_H * (1.0 - H**2)  # dL/dZ, (N, d_out)
    return delta.T @ X, delta.sum(axis=0), delta @ W
