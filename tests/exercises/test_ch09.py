"""Chapter 09's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_graded_choice,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    fails,
)

from dlcourse import nn

NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "09_rnn_lstm.ipynb")
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("09.rnn_step", "09_rnn_step", "rnn_step"),
    ("09.lstm_step", "09_lstm_step", "lstm_step"),
    ("09.lstm_params", "09_lstm_params", "lstm_params"),
]
VALUES = [("09.long_memory_winner", "09_long_memory_winner", "long_memory_winner")]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
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
    assert reference(input_size, hidden_size) == sum(p.size for p in nn.LSTM(input_size, hidden_size).parameters())


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


def test_long_memory_prediction_is_a_graded_choice(capsys):
    assert_graded_choice("09.long_memory_winner", "LSTM ", "rnn", capsys)
