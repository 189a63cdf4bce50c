"""Chapter 03 (activations): sigmoid and its derivative, Leaky ReLU, a numerically stable softmax, the
fraction of dead ReLU units, and a prediction about vanishing gradients."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise

_EDGES = np.array([-8.0, -2.0, -0.5, 0.0, 0.5, 2.0, 8.0])


def _random_array(rng, scale=3.0):
    shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
    return scale * rng.normal(size=shape)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


@function_exercise(
    "03.sigmoid",
    cases=[Case(0.0), Case(_EDGES), Case(np.array([[1.0, -1.0], [3.0, -3.0]]))],
    random_case=lambda rng: Case(_random_array(rng)),
    check_dtype=False,
    section="§3 'The catalogue'",
    hints=(
        "The formula is in the catalogue's table. Check your version at one point you can do in your head: x = 0.",
        "σ(x) = 1 / (1 + e^(−x)), so σ(0) = ½, σ(x) → 1 for large x and → 0 for very negative x.",
    ),
    mistakes=[
        Mistake(
            lambda x: 1 / (1 + np.exp(np.asarray(x, dtype=float))), "Mind the sign in the exponent: σ(x) grows with x."
        )
    ],
)
def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ), elementwise."""
    return _sigmoid(x)


@function_exercise(
    "03.sigmoid_derivative",
    cases=[Case(0.0), Case(_EDGES), Case(np.array([[1.0, -1.0], [3.0, -3.0]]))],
    random_case=lambda rng: Case(_random_array(rng)),
    check_dtype=False,
    section="§3 'The catalogue' and §4 'Checking the derivatives'",
    hints=(
        "Sigmoid's derivative can be written with sigmoid itself. Its largest value is at x = 0 — how large?",
        "σ'(x) = σ(x)·(1 − σ(x)), which is ¼ at x = 0.",
    ),
    mistakes=[
        Mistake(
            lambda x: _sigmoid(x) * (1 + _sigmoid(x)), "The derivative shrinks where σ is near 1: 1 minus σ, not plus."
        )
    ],
)
def sigmoid_derivative(x):
    """σ'(x) = σ(x)(1 − σ(x)), elementwise."""
    s = _sigmoid(x)
    return s * (1.0 - s)


@function_exercise(
    "03.leaky_relu",
    cases=[
        Case(np.array([-2.0, -0.5, 0.0, 0.5, 2.0])),  # the default slope 0.01
        Case(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]), 0.2),
        Case(np.array([[-1.0, 3.0], [-4.0, 0.1]]), negative_slope=0.5),
        Case(np.array([-3.0, 3.0]), 0.0),  # slope 0: plain ReLU
    ],
    random_case=lambda rng: Case(_random_array(rng), float(rng.uniform(0, 0.5))),
    check_dtype=False,
    section="§3 'The catalogue'",
    hints=(
        "Two regimes, chosen element by element: what happens to positive inputs, and what to the rest?",
        "f(x) = x where x > 0 and negative_slope·x elsewhere; keep the default negative_slope = 0.01 in the signature.",
    ),
    mistakes=[
        Mistake(
            lambda x, negative_slope=0.01: np.maximum(0.0, x),
            "That is plain ReLU: the negative side keeps a small slope.",
        )
    ],
)
def leaky_relu(x, negative_slope=0.01):
    """x if x > 0 else negative_slope · x, elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, negative_slope * x)


@function_exercise(
    "03.softmax",
    cases=[
        Case(np.array([1.0, 2.0, 3.0])),
        Case(np.array([0.0, 0.0, 0.0, 0.0])),
        Case(np.array([1000.0, 1001.0, 1002.0])),  # e^1000 overflows: subtract the maximum first
        Case(np.array([-1000.0, 0.0])),
        Case(np.array([[1.0, 2.0, 3.0], [10.0, 10.0, -5.0]])),  # one distribution per row
    ],
    random_case=lambda rng: Case(10 * rng.normal(size=(int(rng.integers(1, 5)), int(rng.integers(2, 6))))),
    section="§4 'Softmax: a vector in, a vector out'",
    hints=(
        "e^1000 is infinite in floating point. Can you change the logits so that no exponent is positive, "
        "without changing the probabilities?",
        "softmax(z) = softmax(z − c) for any constant c. Take c = the largest logit of each row, and normalise "
        "each row by its own sum.",
    ),
    mistakes=[
        Mistake(
            lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
            "A 2-D input holds one distribution per row: shift and normalise row by row.",
        )
    ],
)
def softmax(z):
    """softmax(z)ᵢ = exp(zᵢ − max z) / Σⱼ exp(zⱼ − max z) along the last axis."""
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


@function_exercise(
    "03.dead_fraction",
    cases=[
        Case(np.array([[1.0, -1.0], [2.0, -3.0]])),  # unit 1 is dead: ≤ 0 for both inputs
        Case(np.array([[-1.0, -1.0, 0.5], [2.0, -3.0, -0.2], [-0.1, 0.0, -4.0]])),  # 0 counts as dead output
        Case(np.array([[0.0, -2.0]])),
        Case(np.ones((3, 4))),
    ],
    random_case=lambda rng: Case(rng.normal(loc=-1.0, size=(int(rng.integers(1, 6)), int(rng.integers(1, 8))))),
    check_dtype=False,
    section="§7 'Dying ReLU'",
    hints=(
        "A unit is a column of Z. When is a ReLU unit dead on this data — on some inputs, or on all of them?",
        "Unit j is dead when every entry of column j is ≤ 0; the answer is the number of dead units divided by "
        "the number of units.",
    ),
    mistakes=[
        Mistake(
            lambda Z: float(np.mean(Z <= 0)),
            "That counts dead entries. A unit is dead only if it is ≤ 0 for every input.",
        )
    ],
)
def dead_fraction(Z):
    """Fraction of units (columns of Z, shape (N, units)) whose pre-activation is ≤ 0 for every input."""
    return float(np.mean(np.all(Z <= 0, axis=0)))


choice_exercise(
    "03.vanishing_prediction",
    choices=("linear", "sigmoid", "tanh", "relu", "leaky_relu"),
    answer="sigmoid",
    section="§6 'Saturation and vanishing gradients'",
    hints=("Compare the largest slope of each activation in the explorer, then think about multiplying 20 of them.",),
)
