"""The gate inspector and the gradient-through-time explorer, driven headless: set a control, assert on the artists."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data, nn
from dlcourse.viz.recurrent import GateInspector, GradientFlowExplorer, find_lstm, gradient_norms_through_time


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_lstm(lstm, sequence):
    """Gates and cell states of one sequence (T, I), written from the equations (PyTorch gate order i, f, g, o)."""
    W_ih, W_hh, b_ih, b_hh = (p.data.astype(float) for p in lstm.parameters())
    H = lstm.hidden_size
    h, c, found = np.zeros(H), np.zeros(H), {k: [] for k in "ifgoc"}
    for x_t in sequence:
        z = W_ih @ x_t + b_ih + W_hh @ h + b_hh
        i, f, g, o = sigmoid(z[:H]), sigmoid(z[H : 2 * H]), np.tanh(z[2 * H : 3 * H]), sigmoid(z[3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, value in zip("ifgoc", (i, f, g, o, c)):
            found[name].append(value)
    return {name: np.array(values) for name, values in found.items()}  # each (T, H)


# ---------------------------------------------------------------------------------------------- gradients
def test_rnn_gradient_norms_match_backpropagation_through_time_in_numpy():
    length, hidden, batch, seed = 12, 6, 4, 3
    norms = gradient_norms_through_time("rnn", length, hidden, batch=batch, seed=seed)
    # the same untrained model, input and readout (same seeds), with BPTT written out by hand
    rnn = nn.RNN(1, hidden, batch_first=True, seed=seed, dtype=np.float64)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, length, 1))
    readout = rng.normal(size=hidden) / np.sqrt(hidden)
    W_ih, W_hh, b_ih, b_hh = (p.data for p in rnn.parameters())
    h, states = np.zeros((batch, hidden)), []
    for t in range(length):
        h = np.tanh(x[:, t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        states.append(h)
    grad = np.tile(readout, (batch, 1))  # dL/dh_T for L = Σ readout · h_T
    expected = [np.linalg.norm(grad)]
    for t in range(length - 1, 0, -1):
        grad = (grad * (1 - states[t] ** 2)) @ W_hh
        expected.append(np.linalg.norm(grad))
    np.testing.assert_allclose(norms, expected[::-1], rtol=1e-10)


def test_rnn_gradient_vanishes_and_a_large_forget_bias_keeps_the_lstms():
    rnn = gradient_norms_through_time("rnn", 50)
    lstm_default = gradient_norms_through_time("lstm", 50)
    lstm_open = gradient_norms_through_time("lstm", 50, forget_bias=3.0)
    assert rnn[0] / rnn[-1] < 1e-8
    assert lstm_open[0] / lstm_open[-1] > 1e-2 > 1e3 * lstm_default[0] / lstm_default[-1]
    exploding = gradient_norms_through_time("rnn", 50, recurrent_scale=4.0)
    assert exploding[0] / exploding[-1] > 1e2


def test_length_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        gradient_norms_through_time("rnn", 0)


def test_explorer_draws_both_curves_and_follows_the_sliders():
    app = GradientFlowExplorer(length=30, hidden_size=16)
    assert app.errors == []
    x, y = app.rnn_line.get_data()
    np.testing.assert_array_equal(x, np.arange(1, 31))
    np.testing.assert_allclose(y, gradient_norms_through_time("rnn", 30, 16))
    app.controls["length"].value = 80
    assert len(app.lstm_line.get_xdata()) == 80
    first_before = app.lstm_line.get_ydata()[0]
    app.controls["forget_bias"].value = 4.0
    np.testing.assert_allclose(app.lstm_line.get_ydata(), gradient_norms_through_time("lstm", 80, 16, 4.0))
    assert app.lstm_line.get_ydata()[0] > 1e3 * first_before
    assert "LSTM: ‖dL/dh_1‖ / ‖dL/dh_T‖" in app.message_text and "(survived)" in app.message_text


def test_explorer_reports_exploding_gradients_and_length_one():
    app = GradientFlowExplorer(length=120, hidden_size=16)
    app.controls["scale"].value = 4.0
    assert "RNN: ‖dL/dh_1‖ / ‖dL/dh_T‖" in app.message_text and "(exploded)" in app.message_text
    app.controls["length"].value = 1
    assert len(app.rnn_line.get_xdata()) == 1
    assert "no gradient has to travel back through time" in app.message_text
    assert app.errors == []
    low, high = app.ax.get_ylim()
    assert 0 < low < high  # a log axis with one point per curve still has a valid range


# ---------------------------------------------------------------------------------------------- gates
class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.recurrent = nn.LSTM(2, 5, batch_first=True, seed=1)
        self.head = nn.Linear(5, 1, seed=2)

    def forward(self, x):
        out, _ = self.recurrent(x)
        return self.head(out[:, -1])


def test_gate_heatmaps_are_the_lstm_equations():
    X, _ = data.adding_problem(n=4, length=12, seed=0)
    model = Regressor()
    app = GateInspector(model, X, events=X[..., 1] > 0)
    assert app.errors == []
    for index in (0, 3):
        app.controls["index"].value = index
        expected = numpy_lstm(model.recurrent, X[index].astype(float))
        for name in "ifgoc":
            np.testing.assert_allclose(app.heatmaps[name].get_array(), expected[name].T, atol=1e-5)
        np.testing.assert_allclose(app.input_lines[0].get_ydata(), X[index, :, 0])
        marked = sorted(segment[0, 0] for segment in app.event_marks[2].get_segments())
        assert marked == list(np.flatnonzero(X[index, :, 1]))
        assert f"marked steps: {', '.join(str(int(m)) for m in marked)}" in app.message_text


def test_gate_inspector_handles_time_major_lstms_and_single_steps():
    lstm = nn.LSTM(1, 3, seed=0)  # batch_first=False: the app still takes (N, T, 1) sequences
    sequences = np.linspace(-1, 1, 8).reshape(2, 4, 1)
    app = GateInspector(lstm, sequences, index=1)
    np.testing.assert_allclose(app.heatmaps["c"].get_array(), numpy_lstm(lstm, sequences[1])["c"].T, atol=1e-5)
    one_step = GateInspector(lstm, np.ones((3, 1, 1)))
    assert one_step.heatmaps["f"].get_array().shape == (3, 1)
    assert "a sequence of one step" in one_step.message_text and one_step.errors == []


def test_gate_inspector_explains_bad_inputs():
    with pytest.raises(ValueError, match=r"\(N, T, input_size=2\)"):
        GateInspector(nn.LSTM(2, 3), np.zeros((4, 5, 3)))
    with pytest.raises(TypeError, match="nn.LSTM"):
        find_lstm(nn.RNN(1, 3))
    assert find_lstm(Regressor()) is not None
