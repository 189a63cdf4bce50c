"""Chapter 09 (RNNs and LSTMs): one RNN step, one LSTM step, counting an LSTM's parameters, and a
prediction about which network remembers over a long sequence."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _weights(rng, input_size, hidden_size, gates):
    """Random (W_ih, W_hh, b_ih, b_hh) with PyTorch's shapes; `gates` = 1 (RNN) or 4 (LSTM)."""
    rows = gates * hidden_size
    return (rng.normal(size=(rows, input_size)), rng.normal(size=(rows, hidden_size)) * 0.5,
            rng.normal(size=rows) * 0.5, rng.normal(size=rows) * 0.5)  # fmt: skip


def _rnn_case(rng, batch=None, input_size=None, hidden_size=None):
    batch = batch or int(rng.integers(1, 5))
    input_size, hidden_size = input_size or int(rng.integers(1, 5)), hidden_size or int(rng.integers(2, 6))
    x, h = rng.normal(size=(batch, input_size)), rng.normal(size=(batch, hidden_size))
    return Case(x, h, *_weights(rng, input_size, hidden_size, gates=1))


_FIXED = np.random.default_rng(9)


@function_exercise(
    "09.rnn_step",
    cases=[
        _rnn_case(_FIXED, batch=1, input_size=1, hidden_size=2),
        _rnn_case(_FIXED, batch=3, input_size=2, hidden_size=4),  # input size ≠ hidden size: transposes matter
        _rnn_case(_FIXED, batch=2, input_size=3, hidden_size=3),  # square weights: the transpose is not optional
    ],
    random_case=_rnn_case,
    check_dtype=False,
    section="§2 'The recurrence'",
    hints=(
        "The new state mixes the input and the old state, each through its own weights and bias, then squashes. "
        "Rows of x and h are examples: how are PyTorch's weights oriented?",
        "h_new = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), with x (N, input), h (N, hidden).",
    ),
    mistakes=[
        Mistake(
            lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh),
            "Both weight matrices are stored (hidden, ·): transpose W_hh too.",
        )
    ],
)
def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):
    """h_new = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) for a batch: x (N, I), h (N, H) → (N, H)."""
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def _lstm_case(rng, batch=None, input_size=None, hidden_size=None):
    batch = batch or int(rng.integers(1, 4))
    input_size, hidden_size = input_size or int(rng.integers(1, 4)), hidden_size or int(rng.integers(2, 5))
    x, h, c = (rng.normal(size=(batch, n)) for n in (input_size, hidden_size, hidden_size))
    return Case(x, h, c, *_weights(rng, input_size, hidden_size, gates=4))


@function_exercise(
    "09.lstm_step",
    cases=[
        _lstm_case(_FIXED, batch=1, input_size=1, hidden_size=2),
        _lstm_case(_FIXED, batch=3, input_size=2, hidden_size=3),
    ],
    random_case=_lstm_case,
    check_dtype=False,
    section="§5 'The LSTM: a memory with gates'",
    hints=(
        "One matrix product gives all four gates at once; PyTorch stacks them in the order input, forget, cell, "
        "output. Which ones are squashed by σ, and which by tanh?",
        "i, f, o = σ(·) and g = tanh(·); c_new = f⊙c + i⊙g; h_new = o⊙tanh(c_new). Return (h_new, c_new).",
    ),
)
def lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step: (h_new, c_new) with c_new = f·c + i·g and h_new = o·tanh(c_new)."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (N, 4H)
    i, f, g, o = np.split(z, 4, axis=-1)  # each (N, H)
    c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c_new), c_new


@function_exercise(
    "09.lstm_params",
    cases=[Case(1, 32), Case(2, 32), Case(10, 1), Case(46, 64), Case(3, 5)],
    random_case=lambda rng: Case(int(rng.integers(1, 100)), int(rng.integers(1, 100))),
    check_dtype=False,
    section="§5 'The LSTM: a memory with gates'",
    hints=(
        "Four gates, each with weights for the input, weights for the previous state, and biases. How many bias "
        "vectors does PyTorch's layout have?",
        "Per gate: W_ih (hidden × input), W_hh (hidden × hidden), and two bias vectors b_ih, b_hh of length hidden.",
    ),
    mistakes=[
        Mistake(lambda i, h: 4 * h * (i + h) + 4 * h, "PyTorch keeps TWO bias vectors per gate (b_ih and b_hh).")
    ],
)
def lstm_params(input_size, hidden_size):
    """Parameters of nn.LSTM(input_size, hidden_size): 4H·(I + H) weights + 2·4H biases."""
    return 4 * hidden_size * (input_size + hidden_size) + 8 * hidden_size


choice_exercise(
    "09.long_memory_winner",
    choices=("rnn", "lstm"),
    answer="lstm",
    section="§4 'why gradients vanish' and §5 'The LSTM'",
    hints=("Think about what happens to the gradient over 40 steps in the gradient app.",),
)
