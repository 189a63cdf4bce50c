"""Chapter 09's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    exercise_spec,
    fails,
)

import dlcourse as dl
from dlcourse import nn
from dlcourse.exercises import check

NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "09_rnn_lstm.ipynb")
# Exercise 6's solution calls the solutions of Exercises 2 and 5, as a learner's may call their own
NOTEBOOK.provided.update(
    lstm_step=NOTEBOOK.solution("09_lstm_step", "lstm_step"),
    lstm_step_backward=NOTEBOOK.solution("09_lstm_step_backward", "lstm_step_backward"),
)
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("09.rnn_step", "09_rnn_step", "rnn_step"),
    ("09.lstm_step", "09_lstm_step", "lstm_step"),
    ("09.lstm_params", "09_lstm_params", "lstm_params"),
    ("09.rnn_grad_W_hh", "09_rnn_grad_W_hh", "rnn_grad_W_hh"),
    ("09.lstm_step_backward", "09_lstm_step_backward", "lstm_step_backward"),
    ("09.lstm_grad_W_hh", "09_lstm_grad_W_hh", "lstm_grad_W_hh"),
]
VALUES = [("09.long_memory_winner", "09_long_memory_winner", "long_memory_winner")]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), VALUES)
def test_released_value_stub_says_no_answer(exercise_id, grade_id, name):
    assert_released_value_stub_says_no_answer(NOTEBOOK, exercise_id, grade_id, name)


# ---------------------------------------------------------------------------------------------- RNN step
@pytest.mark.parametrize(
    "wrong",
    [
        lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + h @ W_hh.T + b_ih),  # forgot b_hh
        lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh),  # W_hh not transposed
        lambda x, h, W_ih, W_hh, b_ih, b_hh: 1 / (1 + np.exp(-(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh))),  # sigmoid
        lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih) + h @ W_hh.T + b_hh,  # tanh on half
        lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh((W_ih @ x.T).T + b_ih + b_hh),  # forgot the recurrence
    ],
)
def test_rnn_step_wrong_answers_fail(wrong):
    fails("09.rnn_step", wrong)


def test_rnn_step_matches_the_library_rnn():
    rnn_step = NOTEBOOK.solution("09_rnn_step", "rnn_step")
    rnn = nn.RNN(3, 4, batch_first=True, seed=0, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    h = np.zeros((2, 4))
    for t in range(5):
        h = rnn_step(x[:, t], h, *(p.data for p in rnn.parameters()))
    np.testing.assert_allclose(h, rnn(x)[1].data[0], rtol=1e-10)


# ---------------------------------------------------------------------------------------------- LSTM step
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_with(order=("i", "f", "g", "o"), tanh_on_cell=True, use_input_gate=True):
    def step(x, h, c, W_ih, W_hh, b_ih, b_hh):
        parts = dict(zip(order, np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=-1)))
        i, f, g, o = sigmoid(parts["i"]), sigmoid(parts["f"]), np.tanh(parts["g"]), sigmoid(parts["o"])
        c_new = f * c + (i * g if use_input_gate else g)
        return o * (np.tanh(c_new) if tanh_on_cell else c_new), c_new

    return step


@pytest.mark.parametrize(
    "wrong",
    [
        lstm_with(order=("i", "f", "o", "g")),  # the gate order of some textbooks, not the library's
        lstm_with(order=("f", "i", "g", "o")),
        lstm_with(tanh_on_cell=False),  # h = o · c
        lstm_with(use_input_gate=False),  # c = f · c + g
        lambda *args: lstm_with()(*args)[::-1],  # (c, h) instead of (h, c)
        lambda *args: lstm_with()(*args)[0],  # only h
    ],
)
def test_lstm_step_wrong_answers_fail(wrong):
    fails("09.lstm_step", wrong)


def test_lstm_step_solution_matches_the_library_lstm():
    lstm_step = NOTEBOOK.solution("09_lstm_step", "lstm_step")
    lstm = nn.LSTM(2, 3, batch_first=True, seed=4, dtype=np.float64)
    x = np.random.default_rng(1).normal(size=(2, 6, 2))
    h = c = np.zeros((2, 3))
    for t in range(6):
        h, c = lstm_step(x[:, t], h, c, *(p.data for p in lstm.parameters()))
    _, (h_n, c_n) = lstm(x)
    np.testing.assert_allclose(h, h_n.data[0], rtol=1e-10)
    np.testing.assert_allclose(c, c_n.data[0], rtol=1e-10)


# ---------------------------------------------------------------------------------------------- counting
@pytest.mark.parametrize(("input_size", "hidden_size"), [(1, 32), (46, 48), (7, 3)])
def test_lstm_params_reference_is_the_library_count(input_size, hidden_size):
    reference = NOTEBOOK.solution("09_lstm_params", "lstm_params")
    assert reference(input_size, hidden_size) == sum(p.numel() for p in nn.LSTM(input_size, hidden_size).parameters())


@pytest.mark.parametrize(
    "wrong",
    [
        lambda I, H: 4 * H * (I + H) + 4 * H,  # one bias vector
        lambda I, H: 4 * H * (I + H),  # no biases
        lambda I, H: H * (I + H) + 2 * H,  # an RNN's count
        lambda I, H: 4 * (I * H + H + 2 * H),  # forgot the recurrent weights' H × H
    ],
)
def test_lstm_params_wrong_answers_fail(wrong):
    fails("09.lstm_params", wrong)


# ---------------------------------------------------------------------------------------------- BPTT: ∂L/∂W_hh
def rnn_weights_grad_by_autograd(x, W_ih, W_hh, b, grad_h_last):
    """The library's BPTT: nn.RNN with these weights, loss Σ grad_h_last · h_T."""
    rnn = nn.RNN(W_ih.shape[1], W_ih.shape[0], batch_first=True, dtype=np.float64)
    for p, value in zip(rnn.parameters(), (W_ih, W_hh, b, np.zeros_like(b))):
        p.data[...] = value
    _, h_n = rnn(x)
    (h_n[0] * dl.tensor(grad_h_last)).sum().backward()
    return np.asarray(rnn.weight_hh_l0.grad)


@pytest.mark.parametrize("seed", range(3))
def test_rnn_grad_W_hh_solution_is_the_library_bptt(seed):
    rnn_grad_W_hh = NOTEBOOK.solution("09_rnn_grad_W_hh", "rnn_grad_W_hh")
    rng = np.random.default_rng(seed)
    args = (rng.normal(size=(3, 7, 2)), rng.normal(size=(4, 2)), 0.5 * rng.normal(size=(4, 4)), rng.normal(size=4),
            rng.normal(size=(3, 4)))  # fmt: skip
    np.testing.assert_allclose(rnn_grad_W_hh(*args), rnn_weights_grad_by_autograd(*args), rtol=1e-9, atol=1e-12)


def sum_over_steps(order):
    """BPTT that walks the steps in `order` ("forward": t = 1 … T reusing the wrong ∂L/∂h) — a plausible bug."""

    def grad(x, W_ih, W_hh, b, grad_h_last):
        states = [np.zeros((x.shape[0], W_hh.shape[0]))]
        for t in range(x.shape[1]):
            states.append(np.tanh(x[:, t] @ W_ih.T + states[-1] @ W_hh.T + b))
        grad_W, grad_h = np.zeros(W_hh.shape), grad_h_last
        for t in range(1, x.shape[1] + 1):
            delta = grad_h * (1 - states[t] ** 2)
            grad_W += delta.T @ states[t - 1]
            grad_h = delta @ W_hh
        return grad_W

    return grad


@pytest.mark.parametrize(
    "wrong",
    [
        lambda x, W_ih, W_hh, b, g: rnn_weights_grad_by_autograd(x, W_ih, W_hh, b, g).T,  # transposed
        lambda x, W_ih, W_hh, b, g: rnn_weights_grad_by_autograd(x[:, -1:], W_ih, W_hh, b, g),  # last step only
        lambda x, W_ih, W_hh, b, g: rnn_weights_grad_by_autograd(x, W_ih, W_hh, b, g) / x.shape[0],  # batch mean
        sum_over_steps("forward"),  # walked forwards instead of backwards
    ],
)
def test_rnn_grad_W_hh_wrong_answers_fail(wrong):
    fails("09.rnn_grad_W_hh", wrong)


def test_rnn_grad_W_hh_hints_name_the_mistakes():
    from checks.ch09 import _bptt_last_step_only, _bptt_without_tanh_derivative

    assert "EVERY step" in fails("09.rnn_grad_W_hh", _bptt_last_step_only)
    assert "1 − h_t²" in fails("09.rnn_grad_W_hh", _bptt_without_tanh_derivative)


# ---------------------------------------------------------------------------------------------- LSTM backward
def lstm_step_grads_by_autograd(x, h, c, W_ih, W_hh, b_ih, b_hh, grad_h_new, grad_c_new):
    """The library's backward pass through one LSTM step: the six gradients the exercise asks for."""
    xt, ht, ct = (dl.tensor(np.array(a), requires_grad=True) for a in (x, h, c))
    lstm = nn.LSTM(x.shape[1], h.shape[1], dtype=np.float64)
    for p, value in zip(lstm.parameters(), (W_ih, W_hh, b_ih, b_hh)):
        p.data[...] = value
    n, hidden = h.shape
    _, (h_new, c_new) = lstm(xt.reshape(1, n, x.shape[1]), (ht.reshape(1, n, hidden), ct.reshape(1, n, hidden)))
    ((h_new[0] * dl.tensor(grad_h_new)).sum() + (c_new[0] * dl.tensor(grad_c_new)).sum()).backward()
    grads = (xt.grad, ht.grad, ct.grad, lstm.weight_ih_l0.grad, lstm.weight_hh_l0.grad, lstm.bias_ih_l0.grad)
    return tuple(np.asarray(g) for g in grads)


def random_lstm_backward_case(rng, n=3, inputs=2, hidden=4):
    shapes = [(n, inputs), (n, hidden), (n, hidden), (4 * hidden, inputs), (4 * hidden, hidden), (4 * hidden,),
              (4 * hidden,), (n, hidden), (n, hidden)]  # fmt: skip
    return tuple(rng.normal(size=s) for s in shapes)


@pytest.mark.parametrize("seed", range(3))
def test_lstm_step_backward_solution_is_the_library_backward(seed):
    lstm_step_backward = NOTEBOOK.solution("09_lstm_step_backward", "lstm_step_backward")
    args = random_lstm_backward_case(np.random.default_rng(seed))
    for got, expected in zip(lstm_step_backward(*args), lstm_step_grads_by_autograd(*args)):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def swap(grads, i, j):
    grads = list(grads)
    grads[i], grads[j] = grads[j], grads[i]
    return tuple(grads)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda *a: lstm_step_grads_by_autograd(*a[:7], a[7], np.zeros_like(a[8])),  # ignored ∂L/∂c_new
        lambda *a: lstm_step_grads_by_autograd(*a[:7], np.zeros_like(a[7]), a[8]),  # ignored ∂L/∂h_new
        lambda *a: swap(lstm_step_grads_by_autograd(*a), 1, 2),  # (grad_c, grad_h) swapped
        lambda *a: tuple(
            g.T if g.ndim == 2 and g.shape[0] != g.shape[1] else g for g in lstm_step_grads_by_autograd(*a)
        ),
        lambda *a: lstm_step_grads_by_autograd(*a)[:5],  # forgot the bias
        lambda *a: lstm_step_grads_by_autograd(*a)[:5] + (2 * lstm_step_grads_by_autograd(*a)[5],),  # b_ih + b_hh
    ],
)
def test_lstm_step_backward_wrong_answers_fail(wrong):
    fails("09.lstm_step_backward", wrong)


def test_lstm_step_backward_hints_name_the_mistakes():
    from checks.ch09 import _lstm_backward_forgot_h_path, _lstm_backward_no_sigmoid_derivative

    assert "through h_new" in fails("09.lstm_step_backward", _lstm_backward_forgot_h_path)
    assert "σ'" in fails("09.lstm_step_backward", _lstm_backward_no_sigmoid_derivative)


# ---------------------------------------------------------------------------------------------- LSTM through time
def lstm_grad_W_hh_by_autograd(x, W_ih, W_hh, b_ih, b_hh, grad_h_last):
    """∂L/∂W_hh by the library's autograd through nn.LSTM over the whole sequence, L = Σ grad_h_last · h_T."""
    lstm = nn.LSTM(x.shape[2], W_hh.shape[1], batch_first=True, dtype=np.float64)
    for p, value in zip(lstm.parameters(), (W_ih, W_hh, b_ih, b_hh)):
        p.data[...] = value
    _, (h_n, _) = lstm(np.asarray(x, dtype=np.float64))
    (h_n[0] * dl.tensor(np.asarray(grad_h_last, dtype=np.float64))).sum().backward()
    return np.asarray(lstm.weight_hh_l0.grad)


def random_lstm_bptt_case(rng, n=2, steps=6, inputs=2, hidden=3):
    shapes = [(n, steps, inputs), (4 * hidden, inputs), (4 * hidden, hidden), (4 * hidden,), (4 * hidden,), (n, hidden)]
    return tuple(rng.normal(size=s) for s in shapes)


@pytest.mark.parametrize("seed", range(3))
def test_lstm_grad_W_hh_solution_is_the_library_bptt(seed):
    lstm_grad_W_hh = NOTEBOOK.solution("09_lstm_grad_W_hh", "lstm_grad_W_hh")
    args = random_lstm_bptt_case(np.random.default_rng(seed))
    np.testing.assert_allclose(lstm_grad_W_hh(*args), lstm_grad_W_hh_by_autograd(*args), rtol=1e-9, atol=1e-12)
    check("09.lstm_grad_W_hh", lstm_grad_W_hh_by_autograd)  # the library's own BPTT passes the check


@pytest.mark.parametrize(
    "wrong",
    [
        lambda *a: lstm_grad_W_hh_by_autograd(*a).T[: a[2].shape[1]],  # wrong orientation
        lambda *a: lstm_grad_W_hh_by_autograd(a[0][:, -1:], *a[1:]),  # the last step only, as if T = 1
        lambda *a: 0.5 * lstm_grad_W_hh_by_autograd(*a),  # averaged over a batch of 2
    ],
)
def test_lstm_grad_W_hh_wrong_answers_fail(wrong):
    fails("09.lstm_grad_W_hh", wrong)


def test_lstm_grad_W_hh_hints_name_the_mistakes():
    from checks.ch09 import _lstm_bptt

    assert "cell state" in fails("09.lstm_grad_W_hh", lambda *a: _lstm_bptt(*a, cell_path=False))
    assert "EVERY step" in fails("09.lstm_grad_W_hh", lambda *a: _lstm_bptt(*a, every_step=False))


# ---------------------------------------------------------------------------------------------- the prediction
def test_long_memory_prediction_reveals_and_explains(capsys):
    """A prediction worth no points: any valid choice is accepted, and the check reveals the answer with its reason."""
    check("09.long_memory_winner", "RNN ")
    out = capsys.readouterr().out
    assert "✗ the answer is 'lstm'" in out and "fair race" in out
    check("09.long_memory_winner", "lstm")
    assert "✓ right" in capsys.readouterr().out
    assert "no answer yet" in fails("09.long_memory_winner", ...)
    assert not exercise_spec("09.long_memory_winner").graded


def test_the_prediction_has_no_graded_cell_but_a_check_call():
    sources = [c.source for c in NOTEBOOK.nb.cells if c.cell_type == "code"]
    assert not any(c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "09_long_memory_winner_test"
                   for c in NOTEBOOK.nb.cells)  # fmt: skip
    assert 'check("09.long_memory_winner", long_memory_winner)' in sources
