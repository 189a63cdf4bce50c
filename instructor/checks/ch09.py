"""Chapter 09 (RNNs and LSTMs): one RNN step, one LSTM step, counting an LSTM's parameters, backpropagation
through time for the recurrent weights, the backward pass of one LSTM step, backpropagation through time for an
LSTM's recurrent weights, and a prediction (no points) about which network remembers over a long sequence."""

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
    section="§2 'The recurrence' and §3 'From scratch'",
    hints=(
        "The new state mixes the input and the old state, each through its own weights and bias, then squashes. "
        "Rows of x and h are examples: how are PyTorch's weights oriented?",
        "Let the shapes decide: x is (N, input) and W_ih is (hidden, input), so the input term needs W_ih transposed "
        "to give (N, hidden); the same for h and W_hh. Add both bias vectors, then squash with tanh.",
    ),
    mistakes=[
        Mistake(
            lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh),
            "Both weight matrices are stored (hidden, ·): transpose W_hh too.",
        ),
        Mistake(
            lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + h @ W_hh.T + b_ih),
            "PyTorch's layout has two bias vectors, and both are added.",
        ),
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


def _lstm_gates(order):
    """An LSTM step that cuts the pre-activations into gates in `order` (the library's is i, f, g, o)."""

    def step(x, h, c, W_ih, W_hh, b_ih, b_hh):
        parts = dict(zip(order, np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=-1)))
        c_new = _sigmoid(parts["f"]) * c + _sigmoid(parts["i"]) * np.tanh(parts["g"])
        return _sigmoid(parts["o"]) * np.tanh(c_new), c_new

    return step


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
        "Cut the product into four equal blocks in PyTorch's order (input, forget, cell, output): three are gates "
        "squashed by σ, the cell candidate by tanh. The new cell keeps the forgotten-through part of the old cell "
        "plus the admitted part of the candidate; the output gate decides how much of the squashed new cell becomes "
        "h.",
    ),
    mistakes=[
        Mistake(_lstm_gates(("i", "f", "o", "g")), "The library's gate order is i, f, g, o: the candidate is third."),
        Mistake(
            lambda *args: _lstm_gates(("i", "f", "g", "o"))(*args)[::-1],
            "Return the pair in the order (h_new, c_new).",
        ),
    ],
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
        Mistake(lambda i, h: 4 * h * (i + h) + 4 * h, "PyTorch keeps TWO bias vectors per gate (b_ih and b_hh)."),
        Mistake(lambda i, h: h * (i + h) + 2 * h, "That is a plain RNN's count: an LSTM has four gates."),
    ],
)
def lstm_params(input_size, hidden_size):
    """Parameters of nn.LSTM(input_size, hidden_size): 4H·(I + H) weights + 2·4H biases."""
    return 4 * hidden_size * (input_size + hidden_size) + 8 * hidden_size


# ------------------------------------------------------------------------------------------ BPTT: ∂L/∂W_hh
def _rnn_states(x, W_ih, W_hh, b):
    """h_0 = 0, h_1 … h_T of a tanh RNN over x (N, T, I): a list of T + 1 arrays (N, H)."""
    states = [np.zeros((x.shape[0], W_hh.shape[0]))]
    for t in range(x.shape[1]):
        states.append(np.tanh(x[:, t] @ W_ih.T + states[-1] @ W_hh.T + b))
    return states


def _bptt_case(rng, batch=None, steps=None, input_size=None, hidden_size=None):
    batch, steps = batch or int(rng.integers(1, 4)), steps or int(rng.integers(1, 7))
    input_size, hidden_size = input_size or int(rng.integers(1, 4)), hidden_size or int(rng.integers(2, 5))
    x = rng.normal(size=(batch, steps, input_size))
    W_ih = rng.normal(size=(hidden_size, input_size)) * 0.8
    W_hh = rng.normal(size=(hidden_size, hidden_size)) * 0.6 / np.sqrt(hidden_size)  # not saturated: tanh' matters
    b = rng.normal(size=hidden_size) * 0.3
    return Case(x, W_ih, W_hh, b, rng.normal(size=(batch, hidden_size)))


def _bptt_last_step_only(x, W_ih, W_hh, b, grad_h_last):
    states = _rnn_states(x, W_ih, W_hh, b)
    return (grad_h_last * (1 - states[-1] ** 2)).T @ states[-2]


def _bptt_without_tanh_derivative(x, W_ih, W_hh, b, grad_h_last):
    states, grad_h, grad_W = _rnn_states(x, W_ih, W_hh, b), grad_h_last, np.zeros_like(W_hh)
    for t in range(x.shape[1], 0, -1):
        grad_W += grad_h.T @ states[t - 1]
        grad_h = grad_h @ W_hh
    return grad_W


def _bptt_transposed(x, W_ih, W_hh, b, grad_h_last):
    return rnn_grad_W_hh(x, W_ih, W_hh, b, grad_h_last).T


@function_exercise(
    "09.rnn_grad_W_hh",
    cases=[
        _bptt_case(_FIXED, batch=1, steps=1, input_size=1, hidden_size=2),  # one step: one term of the sum
        _bptt_case(_FIXED, batch=1, steps=4, input_size=2, hidden_size=3),
        _bptt_case(_FIXED, batch=3, steps=5, input_size=2, hidden_size=4),  # a batch: the terms add over examples
    ],
    random_case=_bptt_case,
    check_dtype=False,
    section="§4 'Backpropagation through time'",
    hints=(
        "Run the sequence forward and keep every hidden state; then walk backwards from the last step. W_hh is used "
        "at every step, so its gradient collects one contribution per step.",
        "Walk backwards. At step t, turn ∂L/∂h_t into the gradient before tanh (tanh's slope, written with h_t). Its"
        " product with the previous state is step t's share of W_hh's gradient; its product with W_hh is what step t"
        " hands back to h_{t−1}, added to what h_{t−1} gets from the loss directly.",
    ),
    mistakes=[
        Mistake(_bptt_last_step_only, "W_hh is used at EVERY step, so every step adds a term, not only the last."),
        Mistake(_bptt_without_tanh_derivative, "Each step back also passes through tanh: multiply by 1 − h_t²."),
        Mistake(_bptt_transposed, "Entry (i, j) links unit i of h_t to unit j of h_{t−1}: check the orientation."),
    ],
)
def rnn_grad_W_hh(x, W_ih, W_hh, b, grad_h_last):
    """∂L/∂W_hh (H, H) for h_t = tanh(x_t W_ihᵀ + h_{t−1} W_hhᵀ + b), h_0 = 0, and ∂L/∂h_T = grad_h_last (N, H)."""
    states = _rnn_states(x, W_ih, W_hh, b)
    grad_W, grad_h = np.zeros_like(W_hh, dtype=np.float64), grad_h_last
    for t in range(x.shape[1], 0, -1):
        delta = grad_h * (1 - states[t] ** 2)  # (N, H): ∂L/∂(pre-activation at step t)
        grad_W += delta.T @ states[t - 1]  # (H, H): this step's use of W_hh
        grad_h = delta @ W_hh  # (N, H): ∂L/∂h_{t−1}
    return grad_W


# ------------------------------------------------------------------------------------------ LSTM step backward
def _lstm_backward_case(rng, batch=None, input_size=None, hidden_size=None):
    step = _lstm_case(rng, batch, input_size, hidden_size)
    n, hidden = step.args[0].shape[0], step.args[1].shape[1]
    return Case(*step.args, rng.normal(size=(n, hidden)), rng.normal(size=(n, hidden)))


def _lstm_backward(x, h, c, W_ih, W_hh, b_ih, b_hh, grad_h_new, grad_c_new, through_h=True):
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (N, 4H)
    i, f, g, o = np.split(z, 4, axis=-1)
    i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
    tanh_c = np.tanh(f * c + i * g)
    # c_new reaches the loss directly (grad_c_new) and through h_new = o·tanh(c_new)
    grad_c_total = grad_c_new + (grad_h_new * o * (1 - tanh_c**2) if through_h else 0.0)
    grad_z = np.concatenate(
        [grad_c_total * g * i * (1 - i), grad_c_total * c * f * (1 - f), grad_c_total * i * (1 - g**2),
         grad_h_new * tanh_c * o * (1 - o)], axis=-1)  # fmt: skip
    return grad_z @ W_ih, grad_z @ W_hh, grad_c_total * f, grad_z.T @ x, grad_z.T @ h, grad_z.sum(axis=0)


def _lstm_backward_forgot_h_path(*args):
    return _lstm_backward(*args, through_h=False)


def _lstm_backward_no_sigmoid_derivative(x, h, c, W_ih, W_hh, b_ih, b_hh, grad_h_new, grad_c_new):
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = np.split(z, 4, axis=-1)
    i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
    tanh_c = np.tanh(f * c + i * g)
    grad_c_total = grad_c_new + grad_h_new * o * (1 - tanh_c**2)
    grad_z = np.concatenate([grad_c_total * g, grad_c_total * c, grad_c_total * i, grad_h_new * tanh_c], axis=-1)
    return grad_z @ W_ih, grad_z @ W_hh, grad_c_total * f, grad_z.T @ x, grad_z.T @ h, grad_z.sum(axis=0)


@function_exercise(
    "09.lstm_step_backward",
    cases=[
        _lstm_backward_case(_FIXED, batch=1, input_size=1, hidden_size=2),
        _lstm_backward_case(_FIXED, batch=3, input_size=2, hidden_size=3),
    ],
    random_case=_lstm_backward_case,
    check_dtype=False,
    section="§5 'The LSTM' (its equations) and chapter 06's backprop with matrices",
    hints=(
        "Recompute the forward step, keeping the gates. The new cell state reaches the loss along two paths — "
        "directly, and through the new hidden state — so its gradient is a sum. Then go back through each gate's "
        "squashing function, and finally through the one matrix product that made all four gates.",
        "The new cell state reaches the loss twice (directly, and through tanh and the output gate into h_new): add "
        "both. Each gate's gradient is the gradient of what it multiplies times its partner in that product, times "
        "its own squashing function's slope (written with its output). Stack them in PyTorch's gate order and "
        "chapter 06's layer rule does the rest.",
    ),
    mistakes=[
        Mistake(_lstm_backward_forgot_h_path, "c_new also reaches the loss through h_new (tanh, output gate)."),
        Mistake(
            _lstm_backward_no_sigmoid_derivative,
            "Each gate is a squashed pre-activation: pass its gradient back through σ' or tanh'.",
        ),
    ],
)
def lstm_step_backward(x, h, c, W_ih, W_hh, b_ih, b_hh, grad_h_new, grad_c_new):
    """(∂L/∂x, ∂L/∂h, ∂L/∂c, ∂L/∂W_ih, ∂L/∂W_hh, ∂L/∂b) of one LSTM step, given ∂L/∂h_new and ∂L/∂c_new."""
    return _lstm_backward(x, h, c, W_ih, W_hh, b_ih, b_hh, grad_h_new, grad_c_new)



# ------------------------------------------------------------------------------------------ LSTM through time
def _lstm_bptt_case(rng, batch=None, steps=None, input_size=None, hidden_size=None):
    batch, steps = batch or int(rng.integers(1, 4)), steps or int(rng.integers(1, 7))
    input_size, hidden_size = input_size or int(rng.integers(1, 4)), hidden_size or int(rng.integers(2, 5))
    W_ih, W_hh, b_ih, b_hh = _weights(rng, input_size, hidden_size, gates=4)
    x, grad_h_last = rng.normal(size=(batch, steps, input_size)), rng.normal(size=(batch, hidden_size))
    return Case(x, W_ih, W_hh, b_ih, b_hh, grad_h_last)


def _lstm_bptt(x, W_ih, W_hh, b_ih, b_hh, grad_h_last, cell_path=True, every_step=True):
    """The reference, with switches for two mistakes: no gradient handed back along the cell state, and only the
    last step's share of W_hh's gradient."""
    hidden = W_hh.shape[1]
    states = [(np.zeros((x.shape[0], hidden)), np.zeros((x.shape[0], hidden)))]  # (h_0, c_0) … (h_T, c_T)
    for t in range(x.shape[1]):
        states.append(lstm_step(x[:, t], *states[-1], W_ih, W_hh, b_ih, b_hh))
    grad_W, grad_h, grad_c = np.zeros(W_hh.shape), grad_h_last, np.zeros_like(grad_h_last)
    for t in range(x.shape[1], 0, -1):  # step t made (h_t, c_t) from x_t and (h_{t-1}, c_{t-1})
        _, grad_h, grad_c_before, _, grad_W_step, _ = _lstm_backward(x[:, t - 1], *states[t - 1], W_ih, W_hh, b_ih,
                                                                     b_hh, grad_h, grad_c)  # fmt: skip
        grad_c = grad_c_before if cell_path else np.zeros_like(grad_c_before)
        if every_step or t == x.shape[1]:
            grad_W += grad_W_step
    return grad_W


@function_exercise(
    "09.lstm_grad_W_hh",
    cases=[
        _lstm_bptt_case(_FIXED, batch=1, steps=1, input_size=1, hidden_size=2),  # one step: Exercise 5's W_hh part
        _lstm_bptt_case(_FIXED, batch=1, steps=4, input_size=2, hidden_size=2),
        _lstm_bptt_case(_FIXED, batch=3, steps=5, input_size=2, hidden_size=3),  # a batch: the terms add up
    ],
    random_case=_lstm_bptt_case,
    check_dtype=False,
    section="§4 'Backpropagation through time' and §5 'The LSTM'",
    hints=(
        "Run the LSTM forward and keep every hidden and cell state; then walk backwards from the last step, one "
        "step at a time, with the backward pass of Exercise 5. W_hh is used at every step, so its gradient "
        "collects one contribution per step.",
        "Each step back receives two gradients, for the hidden state and the cell state it made, and hands two back, "
        "for the ones it started from. At the last step the loss gives a gradient to the hidden state only; the "
        "cell state's starts at zero.",
    ),
    mistakes=[
        Mistake(
            lambda *args: _lstm_bptt(*args, cell_path=False),
            "The cell state carries gradient back too: each step hands one back for the previous cell state as well.",
        ),
        Mistake(
            lambda *args: _lstm_bptt(*args, every_step=False),
            "W_hh is used at EVERY step, so every step adds a term, not only the last.",
        ),
    ],
)
def lstm_grad_W_hh(x, W_ih, W_hh, b_ih, b_hh, grad_h_last):
    """∂L/∂W_hh (4H, H) of an LSTM run over x (N, T, I) from zero states, for a loss on h_T with ∂L/∂h_T given."""
    return _lstm_bptt(x, W_ih, W_hh, b_ih, b_hh, grad_h_last)


choice_exercise(
    "09.long_memory_winner",
    choices=("rnn", "lstm"),
    answer="lstm",
    graded=False,
    explanation=(
        "The LSTM. Both networks get a fair race — their own learning rates, gradient clipping, the same steps and "
        "about the same number of parameters — and the plain RNN still cannot carry the first marked number across "
        "up to 39 steps: the gradient that would teach it to store that number shrinks by a roughly constant factor "
        "per step back (the product of Jacobians of §4). The LSTM's cell state passes the gradient back through the "
        "forget gates alone, so the signal survives."
    ),
    section="§4 'why gradients vanish' and §5 'The LSTM'",
    hints=("Think about what happens to the gradient over 40 steps in the gradient app.",),
)
