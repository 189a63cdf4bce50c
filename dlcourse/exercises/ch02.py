"""Checks for chapter 02 (multi-layer perceptrons and XOR): forward pass, parameter count, Xavier bound,
hand-picked XNOR weights, and a prediction about zero initialisation."""

import math

import numpy as np

from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check

_XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _forward_case(rng):
    n, d_in, hidden, d_out = (int(rng.integers(1, k)) for k in (7, 5, 6, 4))
    return Case(
        rng.normal(size=(n, d_in)),
        rng.normal(size=(hidden, d_in)),
        rng.normal(size=hidden),
        rng.normal(size=(d_out, hidden)),
        rng.normal(size=d_out),
    )


@function_check(
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
    hint="Two lines: H = np.tanh(X @ W1.T + b1), then sigmoid(H @ W2.T + b2). Weights are stored "
    "(out_features, in_features) like nn.Linear, so multiply by the transpose. X is (N, d_in); the result (N, d_out).",
)
def mlp_forward(X, W1, b1, W2, b2):
    """sigmoid(tanh(X W1ᵀ + b1) W2ᵀ + b2) for X (N, d_in), W1 (h, d_in), W2 (d_out, h) → (N, d_out)."""
    H = np.tanh(X @ W1.T + b1)  # (N, h)
    return _sigmoid(H @ W2.T + b2)  # (N, d_out)


@function_check(
    "02.count_parameters",
    cases=[Case([2, 2, 1]), Case([2, 4, 1]), Case([3, 1]), Case([784, 128, 64, 10]), Case([5])],
    random_case=lambda rng: Case([int(v) for v in rng.integers(1, 60, size=int(rng.integers(2, 6)))]),
    check_dtype=False,
    hint="A Linear(n_in, n_out) layer has a weight matrix (n_out × n_in) and a bias (n_out): n_in·n_out + n_out. "
    "Add that up over consecutive pairs of sizes; a list with one size has no layers at all.",
)
def count_parameters(layer_sizes):
    """Σ over consecutive sizes (n_in, n_out) of n_in·n_out + n_out (weights + biases)."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))


@function_check(
    "02.xavier_bound",
    cases=[Case(2, 2), Case(256, 256), Case(784, 128), Case(3, 1, gain=5 / 3), Case(10, 30, gain=1.0)],
    random_case=lambda rng: Case(
        int(rng.integers(1, 1000)), int(rng.integers(1, 1000)), gain=float(rng.uniform(0.5, 2))
    ),
    check_dtype=False,
    hint="The uniform U(−a, a) has variance a²/3. Set that equal to gain² · 2 / (fan_in + fan_out) and solve for a.",
)
def xavier_bound(fan_in, fan_out, gain=1.0):
    """a = gain · √(6 / (fan_in + fan_out)): U(−a, a) has the Glorot variance gain² · 2 / (fan_in + fan_out)."""
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


def _step(z):
    return (np.asarray(z) >= 0).astype(float)


@exercise(
    "02.xnor_weights",
    hint="XNOR is 1 when both inputs agree. One hidden unit can detect 'both on' (AND), another 'both off' "
    "(NOR: fires when x1 + x2 is small, so negative weights and a positive bias); the output is their OR.",
)
def _xnor_weights(answer):
    assert isinstance(answer, tuple | list) and len(answer) == 4, (
        f"answer with a tuple (W1, b1, W2, b2) of four arrays, got {describe(answer)}"
    )
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in answer)
    hidden = W1.shape[0] if W1.ndim == 2 else None
    shapes_ok = W1.ndim == 2 and W1.shape[1] == 2 and b1.shape == (hidden,) and W2.shape == (1, hidden)
    assert shapes_ok and b2.shape == (1,), (
        f"shapes must be W1 (h, 2), b1 (h,), W2 (1, h), b2 (1,) — like nn.Linear; got W1 {W1.shape}, "
        f"b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}"
    )
    output = _step(_step(_XOR_CORNERS @ W1.T + b1) @ W2.T + b2)[:, 0]  # (4,)
    wanted = np.array([1.0, 0.0, 0.0, 1.0])
    wrong = [tuple(int(v) for v in _XOR_CORNERS[i]) for i in np.flatnonzero(output != wanted)]
    assert not wrong, (
        f"your network outputs {output.astype(int).tolist()} on (0,0), (0,1), (1,0), (1,1); XNOR is [1, 0, 0, 1] "
        f"— wrong at {wrong}"
    )
    return 4


@exercise(
    "02.zero_init_prediction",
    hint="With all weights 0, what do the hidden units output, and what gradient reaches W1? Run the cell below.",
)
def _zero_init_prediction(answer):
    assert isinstance(answer, bool | np.bool_), f"answer True or False, got {describe(answer)}"
    assert not answer, (
        "a network that starts with every weight at zero never solves XOR: all hidden units compute the same "
        "thing and receive the same gradient (here: exactly zero), so they can never become different features"
    )
