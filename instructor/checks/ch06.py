"""Chapter 06 (backpropagation): gradients by hand, two local backward rules, a gradient checker by
central differences, and the δ-rule of one dense tanh layer."""

import math

import numpy as np

from dlcourse.exercises.check_inputs import log_norm, sum_of_cubes, weighted_sines
from dlcourse.exercises.spec import Case, Mistake, function_exercise, value_exercise

# The chapter's graph: d = a·b, e = d + a, L = e·c with a = 2, b = -3, c = 4 (so d = -6, e = -4, L = -16).
_A, _B, _C = 2.0, -3.0, 4.0
value_exercise(
    "06.chain_rule",
    answer={"e": _C, "d": _C, "c": _A * _B + _A, "b": _C * _A, "a": _C * _B + _C},
    section="§3 'The chain rule' (many variables: sum over every path)",
    hints=(
        "Work backwards from L: dL/dL = 1, then each node's gradient is the sum over its uses of "
        "(the gradient of the result × the local derivative).",
        "A node used twice collects a contribution along each path.",
    ),
    key_hints={
        "e": "L = e·c: dL/de is the other factor of that product.",
        "d": "e = d + a passes the gradient through unchanged.",
        "c": "L = e·c: dL/dc is the value e had in the forward pass.",
        "b": "d = a·b: the gradient arriving at d times the other factor.",
        "a": "a feeds two nodes (d and e): add the gradients along both paths.",
    },
    key_mistakes={
        "a": [
            Mistake(_C * _B, "that is only the path through d = a·b; a also feeds e = d + a directly."),
            Mistake(_C, "that is only the direct path into e = d + a; a also feeds d = a·b."),
        ]
    },
)


def _three_numbers(rng):
    return Case(*(float(v) for v in rng.normal(scale=2.0, size=3)))


@function_exercise(
    "06.mul_backward",
    cases=[Case(2.0, -3.0, 1.0), Case(2.0, -3.0, 0.5), Case(0.0, 5.0, 2.0), Case(-1.5, -1.5, -2.0)],
    random_case=_three_numbers,
    check_dtype=False,
    section="§4 'A scalar autograd engine in one page'",
    hints=(
        "How much does a·b change when a changes a little? And then: the chain rule multiplies by what arrives.",
        "For out = a·b: ∂out/∂a = b and ∂out/∂b = a; each is multiplied by grad_out. Return both.",
    ),
    mistakes=[Mistake(lambda a, b, g: (g * a, g * b), "The gradient for a uses the OTHER factor, b (and vice versa).")],
)
def mul_backward(a, b, grad_out):
    """For out = a·b: (dL/da, dL/db) = (grad_out · b, grad_out · a)."""
    return grad_out * b, grad_out * a


@function_exercise(
    "06.tanh_backward",
    cases=[Case(0.0, 1.0), Case(0.5, 1.0), Case(-2.0, 3.0), Case(20.0, 1.0)],
    random_case=lambda rng: Case(float(rng.normal(scale=2.0)), float(rng.normal())),
    check_dtype=False,
    section="§4 'A scalar autograd engine in one page'",
    hints=(
        "tanh's derivative can be written with tanh's own output. Which value is squared: the input or the output?",
        "d tanh(a)/da = 1 − tanh²(a); multiply it by grad_out.",
    ),
    mistakes=[Mistake(lambda a, g: g * (1 - a**2), "Square the OUTPUT tanh(a), not the input a.")],
)
def tanh_backward(a, grad_out):
    """For out = tanh(a): dL/da = grad_out · (1 − tanh(a)²)."""
    return grad_out * (1.0 - math.tanh(a) ** 2)


_FUNCTIONS = [sum_of_cubes, weighted_sines, log_norm]


def _gradient_case(rng):
    f = _FUNCTIONS[int(rng.integers(len(_FUNCTIONS)))]
    shape = tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(1, 3))))
    return Case(f, rng.normal(size=shape), eps=float(rng.choice([1e-3, 1e-2, 0.1])))


def _forward_difference(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = f(x)
        x[i] = original
        grad[i] = (plus - f(x)) / eps
    return grad


@function_exercise(
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
    section="§7 'Gradient checking'",
    hints=(
        "Nudge one element at a time, both ways, and put it back afterwards. Every element of x — also of a 2-D x.",
        "For each index i: (f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε, with the ε you were given; the result has x's shape.",
    ),
    mistakes=[Mistake(_forward_difference, "That is the one-sided difference; the central one nudges both ways.")],
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


def _layer_case(rng):
    n, d_in, d_out = (int(v) for v in rng.integers(1, 6, size=3))
    return Case(rng.normal(size=(n, d_in)), rng.normal(size=(d_out, d_in)), rng.normal(size=d_out),
                rng.normal(size=(n, d_out)))  # fmt: skip


_FIXED = np.random.default_rng(6)


@function_exercise(
    "06.dense_tanh_backward",
    cases=[
        Case(np.array([[1.0, 2.0]]), np.array([[0.5, -0.5]]), np.array([0.1]), np.array([[1.0]])),  # one unit
        Case(_FIXED.normal(size=(4, 3)), _FIXED.normal(size=(2, 3)), _FIXED.normal(size=2), _FIXED.normal(size=(4, 2))),
        Case(_FIXED.normal(size=(1, 2)), _FIXED.normal(size=(5, 2)), _FIXED.normal(size=5), _FIXED.normal(size=(1, 5))),
    ],
    random_case=_layer_case,
    check_dtype=False,
    section="§8 'Backprop through an MLP by hand, with matrices'",
    hints=(
        "First go back through tanh (elementwise), then through the matrix product. Each gradient has the shape "
        "of the thing it is the gradient of.",
        "δ = grad_H ⊙ (1 − H²); then dW = δᵀX, db = the sum of δ over the batch, dX = δW.",
    ),
)
def dense_tanh_backward(X, W, b, grad_H):
    """H = tanh(X Wᵀ + b);  δ = grad_H ⊙ (1 − H²);  dW = δᵀX, db = Σₙ δ, dX = δW."""
    H = np.tanh(X @ W.T + b)  # (N, d_out)
    delta = grad_H * (1.0 - H**2)  # dL/dZ, (N, d_out)
    return delta.T @ X, delta.sum(axis=0), delta @ W
