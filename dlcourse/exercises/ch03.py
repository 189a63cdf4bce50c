"""Checks for chapter 03 (activations): sigmoid and its derivative, Leaky ReLU, a numerically stable
softmax, the fraction of dead ReLU units, and a prediction about vanishing gradients."""

import numpy as np

from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check

_EDGES = np.array([-8.0, -2.0, -0.5, 0.0, 0.5, 2.0, 8.0])


def _random_array(rng, scale=3.0):
    shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
    return scale * rng.normal(size=shape)


@function_check(
    "03.sigmoid",
    cases=[Case(0.0), Case(_EDGES), Case(np.array([[1.0, -1.0], [3.0, -3.0]]))],
    random_case=lambda rng: Case(_random_array(rng)),
    check_dtype=False,
    hint="σ(x) = 1 / (1 + e^(−x)); np.exp works elementwise on arrays, and σ(0) = 0.5.",
)
def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ), elementwise."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


@function_check(
    "03.sigmoid_derivative",
    cases=[Case(0.0), Case(_EDGES), Case(np.array([[1.0, -1.0], [3.0, -3.0]]))],
    random_case=lambda rng: Case(_random_array(rng)),
    check_dtype=False,
    hint="σ'(x) = σ(x) · (1 − σ(x)); at x = 0 it is 0.25, its largest value.",
)
def sigmoid_derivative(x):
    """σ'(x) = σ(x)(1 − σ(x)), elementwise."""
    s = sigmoid(x)
    return s * (1.0 - s)


@function_check(
    "03.leaky_relu",
    cases=[
        Case(np.array([-2.0, -0.5, 0.0, 0.5, 2.0])),  # the default slope 0.01
        Case(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]), 0.2),
        Case(np.array([[-1.0, 3.0], [-4.0, 0.1]]), negative_slope=0.5),
        Case(np.array([-3.0, 3.0]), 0.0),  # slope 0: plain ReLU
    ],
    random_case=lambda rng: Case(_random_array(rng), float(rng.uniform(0, 0.5))),
    check_dtype=False,
    hint="x where x > 0, negative_slope · x elsewhere: np.where(x > 0, x, negative_slope * x). "
    "Keep the default negative_slope=0.01 in the signature.",
)
def leaky_relu(x, negative_slope=0.01):
    """x if x > 0 else negative_slope · x, elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, negative_slope * x)


@function_check(
    "03.softmax",
    cases=[
        Case(np.array([1.0, 2.0, 3.0])),
        Case(np.array([0.0, 0.0, 0.0, 0.0])),
        Case(np.array([1000.0, 1001.0, 1002.0])),  # e^1000 overflows: subtract the maximum first
        Case(np.array([-1000.0, 0.0])),
        Case(np.array([[1.0, 2.0, 3.0], [10.0, 10.0, -5.0]])),  # one distribution per row
    ],
    random_case=lambda rng: Case(10 * rng.normal(size=(int(rng.integers(1, 5)), int(rng.integers(2, 6))))),
    hint="Subtract the largest logit of each row (z − z.max(axis=-1, keepdims=True)): the result does not change, "
    "but exp can no longer overflow. Then divide by the sum over the last axis (keepdims=True again).",
)
def softmax(z):
    """softmax(z)ᵢ = exp(zᵢ − max z) / Σⱼ exp(zⱼ − max z) along the last axis."""
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


@function_check(
    "03.dead_fraction",
    cases=[
        Case(np.array([[1.0, -1.0], [2.0, -3.0]])),  # unit 1 is dead: ≤ 0 for both inputs
        Case(np.array([[-1.0, -1.0, 0.5], [2.0, -3.0, -0.2], [-0.1, 0.0, -4.0]])),  # 0 counts as dead output
        Case(np.array([[0.0, -2.0]])),
        Case(np.ones((3, 4))),
    ],
    random_case=lambda rng: Case(rng.normal(loc=-1.0, size=(int(rng.integers(1, 6)), int(rng.integers(1, 8))))),
    check_dtype=False,
    hint="Z has one row per input and one column per unit. A unit is dead when its whole column is ≤ 0 "
    "(np.all(Z <= 0, axis=0)); return the mean of that boolean vector.",
)
def dead_fraction(Z):
    """Fraction of units (columns of Z, shape (N, units)) whose pre-activation is ≤ 0 for every input."""
    return float(np.mean(np.all(Z <= 0, axis=0)))


_CHOICES = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")


@exercise(
    "03.vanishing_prediction",
    hint="Compare the largest slope of each activation (explorer), then set depth 20 in the gradient app "
    "and try each one with the recommended init.",
)
def _vanishing_prediction(answer):
    assert isinstance(answer, str), f"answer with one name as a string, e.g. 'relu'; got {describe(answer)}"
    name = answer.strip().lower().replace(" ", "_").replace("-", "_")
    assert name in _CHOICES, f"{answer!r} is not one of {', '.join(_CHOICES)}"
    assert name == "sigmoid", (
        f"with its recommended init, {name}'s first-layer gradient stays within a few powers of ten of the last "
        "layer's; look for the activation whose slope is never more than 0.25"
    )
