"""The sequence ops RNNSequence and LSTMSequence: gradcheck through time, traces and shape errors."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.function import ShapeError
from dlcourse.ops.recurrent import LSTMSequence, RNNSequence


def leaves(seed, T=3, N=2, I=2, H=3, gates=1, bias=True):
    """float64 leaf tensors x (T, N, I), states (N, H), W_ih, W_hh, b_ih, b_hh for a gradcheck."""
    rng = np.random.default_rng(seed)

    def leaf(*shape, scale=1.0):
        return dl.tensor(scale * rng.standard_normal(shape), dtype="float64", requires_grad=True)

    x = leaf(T, N, I)
    states = [leaf(N, H, scale=0.5) for _ in range(2 if gates == 4 else 1)]
    weights = [leaf(gates * H, I, scale=0.6), leaf(gates * H, H, scale=0.6)]
    biases = [leaf(gates * H, scale=0.3), leaf(gates * H, scale=0.3)] if bias else [None, None]
    return x, states, weights, biases


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_rnn_gradcheck_every_input(backend, nonlinearity, bias):
    x, (h0,), (w_ih, w_hh), (b_ih, b_hh) = leaves(seed=1, bias=bias)
    inputs = [x, h0, w_ih, w_hh, b_ih, b_hh]

    def run(*args):
        return RNNSequence.apply(*args, nonlinearity=nonlinearity)

    assert dl.gradcheck(run, *inputs)


@pytest.mark.parametrize("bias", [True, False])
def test_lstm_gradcheck_every_input(backend, bias):
    x, (h0, c0), (w_ih, w_hh), (b_ih, b_hh) = leaves(seed=2, gates=4, bias=bias)
    # the output holds both hidden and cell states, so both paths of the backward are checked
    assert dl.gradcheck(lambda *args: LSTMSequence.apply(*args), x, h0, c0, w_ih, w_hh, b_ih, b_hh)


def test_lstm_gradcheck_longer_sequence_one_sample(backend):
    x, (h0, c0), (w_ih, w_hh), (b_ih, b_hh) = leaves(seed=3, T=7, N=1, I=1, H=2, gates=4)
    assert dl.gradcheck(lambda *args: LSTMSequence.apply(*args), x, h0, c0, w_ih, w_hh, b_ih, b_hh)


def test_only_some_inputs_need_grad(backend):
    """Inputs without requires_grad get no gradient; the others are still right."""
    x, (h0, c0), (w_ih, w_hh), (b_ih, b_hh) = leaves(seed=4, gates=4)
    x_const = dl.tensor(x.data)  # data, not a parameter
    assert dl.gradcheck(lambda *args: LSTMSequence.apply(x_const, h0.data, c0.data, *args), w_ih, w_hh, b_ih, b_hh)
    assert x_const.grad is None


def test_trace_records_states_gates_and_grad_norms(backend):
    x, (h0, c0), (w_ih, w_hh), (b_ih, b_hh) = leaves(seed=5, T=4, N=2, I=2, H=3, gates=4)
    trace = {}
    out = LSTMSequence.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, trace=trace)
    assert out.shape == (2, 4, 2, 3)
    np.testing.assert_array_equal(trace["hidden_states"], out.data[0])
    np.testing.assert_array_equal(trace["cell_states"], out.data[1])
    gates = trace["gates"]
    assert sorted(gates) == ["f", "g", "i", "o"]
    # recompute step 0 by hand: pre = x_0 W_ihᵀ + b_ih + h0 W_hhᵀ + b_hh, rows in the order i, f, g, o
    pre = x.data[0] @ w_ih.data.T + b_ih.data + h0.data @ w_hh.data.T + b_hh.data  # (N, 4H)
    sigmoid = 1 / (1 + np.exp(-pre))
    np.testing.assert_allclose(gates["i"][0], sigmoid[:, 0:3])
    np.testing.assert_allclose(gates["f"][0], sigmoid[:, 3:6])
    np.testing.assert_allclose(gates["g"][0], np.tanh(pre[:, 6:9]))
    np.testing.assert_allclose(gates["o"][0], sigmoid[:, 9:12])
    with pytest.raises(ValueError):
        gates["f"][0, 0, 0] = 0.0  # read-only: plotting code cannot corrupt what backward needs
    assert "grad_norms" not in trace
    out[0, -1].sum().backward()  # a loss on the last hidden state only
    norms = trace["grad_norms"]
    assert norms.shape == (4,)
    assert norms[-1] == pytest.approx(np.sqrt(2 * 3))  # dL/dh_T = ones (N, H)
    assert np.all(norms > 0)


def test_rnn_trace_and_relu_output(backend):
    x, (h0,), (w_ih, w_hh), (b_ih, b_hh) = leaves(seed=6)
    trace = {}
    out = RNNSequence.apply(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity="relu", trace=trace)
    expected = np.maximum(x.data[0] @ w_ih.data.T + b_ih.data + h0.data @ w_hh.data.T + b_hh.data, 0)
    np.testing.assert_allclose(out.data[0], expected)
    assert (out.data >= 0).all()
    np.testing.assert_array_equal(trace["hidden_states"], out.data)


def test_forward_without_grad_still_traces():
    x, (h0,), (w_ih, w_hh), (b_ih, b_hh) = leaves(seed=7)
    trace = {}
    with dl.no_grad():
        out = RNNSequence.apply(x, h0, w_ih, w_hh, b_ih, b_hh, trace=trace)
    assert not out.requires_grad
    np.testing.assert_array_equal(trace["hidden_states"], out.data)


def test_float32_stays_float32():
    rng = np.random.default_rng(8)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(3, 2, 2), (2, 3), (2, 3), (12, 2), (12, 3)]]
    tensors = [dl.tensor(a, requires_grad=True) for a in arrays]
    out = LSTMSequence.apply(*tensors, None, None)
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(t.grad.dtype == np.float32 for t in tensors)


@pytest.mark.parametrize(
    "x_shape, h_shape, message",
    [
        ((3, 2), (2, 3), r"must be \(T, N, input_size\), got shape \(3, 2\)"),
        ((3, 2, 5), (2, 3), r"5 features per step \(shape \(3, 2, 5\)\) but input_size is 2"),
        ((3, 2, 2), (4, 3), r"initial state has shape \(4, 3\), expected \(N, hidden_size\) = \(2, 3\)"),
    ],
)
def test_shape_errors_name_the_shapes(x_shape, h_shape, message):
    w_ih, w_hh = np.zeros((3, 2)), np.zeros((3, 3))
    with pytest.raises(ShapeError, match=message):
        RNNSequence.apply(np.zeros(x_shape), np.zeros(h_shape), w_ih, w_hh, None, None)
