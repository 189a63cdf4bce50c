"""Chapter 02 (multi-layer perceptrons and XOR): forward pass, parameter count, Xavier bound, hand-picked
XNOR weights, and a prediction about zero initialisation."""

import math

import numpy as np

from dlcourse.exercises.measures import step_network_outputs
from dlcourse.exercises.spec import Case, Mistake, function_exercise, property_exercise, value_exercise

_XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _forward_case(rng):
    n, d_in, hidden, d_out = (int(rng.integers(1, k)) for k in (7, 5, 6, 4))
    return Case(rng.normal(size=(n, d_in)), rng.normal(size=(hidden, d_in)), rng.normal(size=hidden),
                rng.normal(size=(d_out, hidden)), rng.normal(size=d_out))  # fmt: skip


@function_exercise(
    "02.mlp_forward",
    cases=[
        # XOR-style weights on the four corners: square matrices hide a missing transpose …
        Case(
            _XOR_CORNERS,
            np.array([[10.0, 10.0], [10.0, 10.0]]),
            np.array([-5.0, -15.0]),
            np.array([[10.0, -10.0]]),
            np.array([-5.0]),
        ),  # fmt: skip
        # … so next: 3 inputs, 4 hidden units, 2 outputs — every shape different
        Case(
            np.array([[1.0, -1.0, 0.5]]),
            np.arange(12.0).reshape(4, 3) / 10,
            np.array([0.1, -0.2, 0.3, 0.0]),
            np.ones((2, 4)) / 4,
            np.array([0.0, 1.0]),
        ),  # fmt: skip
    ],
    random_case=_forward_case,
    section="§2 'a layer is a matrix product'",
    hints=(
        "Two layers, each a matrix product plus a bias followed by its activation. How are the weights stored — "
        "(out, in) or (in, out) — and what does that mean for a batch whose rows are examples?",
        "H = tanh(X·W₁ᵀ + b₁) has one row per example; the output is σ(H·W₂ᵀ + b₂). Shapes: X (N, d_in) → "
        "H (N, h) → output (N, d_out).",
    ),
)
def mlp_forward(X, W1, b1, W2, b2):
    """sigmoid(tanh(X W1ᵀ + b1) W2ᵀ + b2) for X (N, d_in), W1 (h, d_in), W2 (d_out, h) → (N, d_out)."""
    H = np.tanh(X @ W1.T + b1)  # (N, h)
    return _sigmoid(H @ W2.T + b2)  # (N, d_out)


@function_exercise(
    "02.count_parameters",
    cases=[Case([2, 2, 1]), Case([2, 4, 1]), Case([3, 1]), Case([784, 128, 64, 10]), Case([5])],
    random_case=lambda rng: Case([int(v) for v in rng.integers(1, 60, size=int(rng.integers(2, 6)))]),
    check_dtype=False,
    section="§7 'FNN, MLP, DNN'",
    hints=(
        "A layer from n_in to n_out units has a weight for every (input, unit) pair, and something else per unit.",
        "Linear(n_in, n_out) holds n_in·n_out weights and n_out biases; add that up over consecutive sizes. "
        "A list with a single size has no layer at all.",
    ),
    mistakes=[Mistake(lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])), "Each unit also has a bias.")],
)
def count_parameters(layer_sizes):
    """Σ over consecutive sizes (n_in, n_out) of n_in·n_out + n_out (weights + biases)."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))


@function_exercise(
    "02.xavier_bound",
    cases=[Case(2, 2), Case(256, 256), Case(784, 128), Case(3, 1, gain=5 / 3), Case(10, 30, gain=1.0)],
    random_case=lambda rng: Case(
        int(rng.integers(1, 1000)), int(rng.integers(1, 1000)), gain=float(rng.uniform(0.5, 2))
    ),
    check_dtype=False,
    section="§8 'The variance argument'",
    hints=(
        "Xavier chooses a target variance for the weights. What is the variance of a uniform distribution on (−a, a)?",
        "U(−a, a) has variance a²/3. Set it equal to gain²·2/(fan_in + fan_out) and solve for a.",
    ),
)
def xavier_bound(fan_in, fan_out, gain=1.0):
    """a = gain · √(6 / (fan_in + fan_out)): U(−a, a) has the Glorot variance gain² · 2 / (fan_in + fan_out)."""
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


property_exercise(
    "02.xnor_weights",
    measure=step_network_outputs,
    op="==",
    target=np.array([1.0, 0.0, 0.0, 1.0]),
    describe="your network's outputs on (0,0), (0,1), (1,0), (1,1)",
    section="§3 'XOR by hand'",
    hints=(
        "XNOR is 1 when both inputs agree. Which two simple gates, one per hidden unit, each catch one way to agree?",
        "One hidden unit can fire for 'both on' (AND), another for 'both off' (NOR: negative weights, positive "
        "bias); the output fires when either does (OR).",
    ),
)

value_exercise(
    "02.zero_init_prediction",
    answer=False,
    section="§8 'Predict first'",
    hints=(
        "With every weight at zero, do two hidden units ever compute different things, or receive different updates?",
    ),
)
