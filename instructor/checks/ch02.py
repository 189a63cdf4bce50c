"""Chapter 02 (multi-layer perceptrons and XOR): a classmate's forward pass to fix, the parameter count, the size
of a signal after many layers (per-student numbers), hand-picked XNOR weights, and a prediction about zero
initialisation."""

import math

import numpy as np

from dlcourse.exercises.digests import Tolerance
from dlcourse.exercises.measures import step_network_outputs
from dlcourse.exercises.spec import (
    Case,
    Mistake,
    choice_exercise,
    function_exercise,
    numbers,
    property_exercise,
    value_exercise,
)

_XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _forward_case(rng):
    n, d_in, hidden, d_out = (int(rng.integers(1, k)) for k in (7, 5, 6, 4))
    return Case(rng.normal(size=(n, d_in)), rng.normal(size=(hidden, d_in)), rng.normal(size=hidden),
                rng.normal(size=(d_out, hidden)), rng.normal(size=d_out))  # fmt: skip


def _classmate_forward(X, W1, b1, W2, b2):
    """The chapter's buggy version: the bias after tanh, and W1 not transposed."""
    return _sigmoid((np.tanh(X @ W1) + b1) @ W2.T + b2)


@function_exercise(
    "02.mlp_forward",
    cases=[
        # XOR-style weights on the four corners: square matrices hide a missing transpose …
        Case(
            _XOR_CORNERS,
            np.array([[2.0, 2.0], [-2.0, -2.0]]),
            np.array([-1.0, 3.0]),
            np.array([[2.0, 2.0]]),
            np.array([-3.0]),
        ),  # fmt: skip
        Case(
            _XOR_CORNERS,
            np.array([[1.0, -2.0], [0.5, 3.0]]),
            np.array([0.2, -0.4]),
            np.array([[1.5, -1.0]]),
            np.array([0.3]),
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
    section="§2 'The math: a layer is a matrix product'",
    hints=(
        "Check two things against section 2: where the bias goes relative to the activation, and how a weight "
        "matrix stored as (out, in) meets a batch whose rows are examples.",
        "Write each array's shape next to it: X is (N, d_in) and W₁ is stored (h, d_in), so one of the two must be "
        "turned around for the product to be (N, h). In both layers the bias is added before the squashing function.",
    ),
    mistakes=[
        Mistake(_classmate_forward, "That is still the classmate's version: both bugs are in it."),
        Mistake(
            lambda X, W1, b1, W2, b2: _sigmoid((np.tanh(X @ W1.T) + b1) @ W2.T + b2),
            "The transposes are right now. One bug left: where does the bias go — before or after the activation?",
        ),
        Mistake(
            lambda X, W1, b1, W2, b2: _sigmoid(np.tanh(X @ W1 + b1) @ W2.T + b2),
            "The bias is in the right place now. One bug left: W1 is stored as (hidden, d_in).",
        ),
    ],
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
    section="§2 'The math: a layer is a matrix product'",
    hints=(
        "A layer from n_in to n_out units has a weight for every (input, unit) pair, and something else per unit.",
        "Count one layer first — a weight for every pair of (input, unit) and one bias per unit — then walk along "
        "neighbouring pairs of sizes.",
    ),
    mistakes=[
        Mistake(lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])), "Each unit also has a bias."),
        Mistake(
            lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:])) + s[0],
            "The input layer only holds the input's numbers: it has no neurons, so no biases.",
        ),
        Mistake(
            lambda s: sum(a * b + a for a, b in zip(s[:-1], s[1:])),
            "A layer has one bias per neuron it computes — per output, not per input.",
        ),
    ],
)
def count_parameters(layer_sizes):
    """Σ over consecutive sizes (n_in, n_out) of n_in·n_out + n_out (weights + biases)."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))


def _chapter_numbers(rng):
    """A deep linear stack per learner: its width, its weights' standard deviation and its depth."""
    return {
        "fan_in": int(rng.choice([16, 25, 36, 49, 64, 81, 100, 144, 196, 256])),
        "weight_std": float(rng.choice([0.05, 0.08, 0.1, 0.125, 0.15, 0.2, 0.25])),
        "layers": int(rng.integers(3, 9)),
    }


numbers(_chapter_numbers, chapter="02")

value_exercise(
    "02.output_std",
    answer=lambda n: (math.sqrt(n.fan_in) * n.weight_std) ** n.layers,
    tolerance=Tolerance(relative=0.01),
    section="§8 'The variance argument'",
    hints=(
        "Follow the variance through one layer with the formula of section 8, then ask what the next layer receives. "
        "And mind the difference between a variance and a standard deviation.",
        "Section 8 says by which factor one layer multiplies the variance; every layer here applies the same factor,"
        " and repeated factors multiply. Go back from variance to standard deviation only at the very end.",
    ),
    mistakes=[
        Mistake(lambda n: (n.fan_in * n.weight_std**2) ** n.layers, "That is the variance: take its square root."),
        Mistake(
            lambda n: math.sqrt(n.fan_in) * n.weight_std, "That is after one layer; the factor repeats at every layer."
        ),
        Mistake(lambda n: n.weight_std**n.layers, "Each output adds up n_in weighted inputs: the fan-in matters."),
        Mistake(
            lambda n: n.layers * math.sqrt(n.fan_in) * n.weight_std,
            "Layer after layer the factors multiply, they do not add up.",
        ),
    ],
)

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

choice_exercise(
    "02.zero_init_prediction",
    choices=("yes", "no"),
    answer="no",
    graded=False,
    explanation=(
        "No — nothing moves at all. With every weight 0, each hidden unit outputs tanh(0) = 0 and the network says "
        "σ(0) = 0.5 for every corner. The output weights get slope 0 because the hidden outputs they multiply are 0; "
        "the hidden weights get slope 0 because they reach the output only through output weights that are 0; and "
        "even the output bias gets slope 0, because XOR has two 1s and two 0s: raising the bias helps two corners "
        "exactly as much as it hurts the other two. The cells below show it."
    ),
    section="§8 'Initialisation: where the weights start'",
    hints=(
        "With every weight at zero, what does each hidden unit output, and what does the network say for each corner?",
    ),
)
