"""nn.RNN and nn.LSTM: gradcheck through time, PyTorch parity (values and every gradient), inspection, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn
from dlcourse.function import ShapeError
from tests.parity import torch_or_skip

T, N, I, H = 4, 3, 2, 3


def make(kind, dtype=np.float64, seed=0, **options):
    if kind == "lstm":
        return nn.LSTM(I, H, seed=seed, dtype=dtype, **options)
    return nn.RNN(I, H, nonlinearity=kind, seed=seed, dtype=dtype, **options)


def leaf(shape, seed, dtype=np.float64, scale=1.0):
    data = scale * np.random.default_rng(seed).standard_normal(shape)
    return dl.tensor(data.astype(dtype), requires_grad=True)


def flat_results(output, state):
    """output and the final state(s) as one vector, so one gradcheck covers all of them."""
    states = state if isinstance(state, tuple) else (state,)
    return dl.concatenate([output.reshape(-1)] + [s.reshape(-1) for s in states])


# ------------------------------------------------------------------------------------------ gradcheck
@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_gradcheck_input_state_and_every_parameter(kind, batch_first):
    module = make(kind, batch_first=batch_first, seed=1)
    x = leaf((N, T, I) if batch_first else (T, N, I), seed=2)
    h0 = leaf((1, N, H), seed=3, scale=0.5)
    c0 = leaf((1, N, H), seed=4, scale=0.5)
    params = list(module.parameters())
    assert len(params) == 4

    if kind == "lstm":
        assert dl.gradcheck(lambda x, h0, c0, *_: flat_results(*module(x, (h0, c0))), x, h0, c0, *params)
    else:
        assert dl.gradcheck(lambda x, h0, *_: flat_results(*module(x, h0)), x, h0, *params)


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_gradcheck_unbatched_without_bias(kind):
    module = make(kind, bias=False, seed=5)
    x = leaf((T, I), seed=6)
    assert [name for name, _ in module.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert dl.gradcheck(lambda x, *_: flat_results(*module(x)), x, *module.parameters())


# ------------------------------------------------------------------------------------------ PyTorch parity
def torch_twin(torch, module):
    """The same layer in PyTorch, weights copied from ours through state dicts."""
    options = dict(bias=module.bias, batch_first=module.batch_first, num_layers=module.num_layers)
    if isinstance(module, nn.LSTM):
        twin = torch.nn.LSTM(module.input_size, module.hidden_size, **options)
    else:
        twin = torch.nn.RNN(module.input_size, module.hidden_size, nonlinearity=module.nonlinearity, **options)
    twin.load_state_dict({key: torch.tensor(value) for key, value in module.state_dict().items()})
    return twin


CASES = [
    ("lstm", dict()),
    ("lstm", dict(batch_first=True)),
    ("lstm", dict(bias=False)),
    ("tanh", dict()),
    ("tanh", dict(batch_first=True)),
    ("relu", dict(batch_first=True)),
    ("relu", dict(bias=False)),
    ("lstm", dict(num_layers=2)),
    ("lstm", dict(num_layers=3, batch_first=True)),
    ("tanh", dict(num_layers=2)),
]


@pytest.mark.parametrize("kind, options", CASES)
@pytest.mark.parametrize("with_state", [False, True])
def test_matches_torch_outputs_states_and_all_gradients(kind, options, with_state):
    torch = torch_or_skip()
    module = make(kind, dtype=np.float32, seed=7, **options)
    twin = torch_twin(torch, module)
    rng = np.random.default_rng(8)
    x_shape = (N, 6, I) if module.batch_first else (6, N, I)
    arrays = [rng.standard_normal(x_shape).astype(np.float32)]
    if with_state:
        layers = module.num_layers
        arrays += [
            0.5 * rng.standard_normal((layers, N, H)).astype(np.float32) for _ in range(2 if kind == "lstm" else 1)
        ]
    ours = [dl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]

    def run(layer, inputs):
        if not with_state:
            return layer(inputs[0])
        return layer(inputs[0], tuple(inputs[1:]) if kind == "lstm" else inputs[1])

    out, state = run(module, ours)
    out_t, state_t = run(twin, theirs)
    states = state if kind == "lstm" else (state,)
    states_t = state_t if kind == "lstm" else (state_t,)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-5, atol=1e-6)
    for s, s_t in zip(states, states_t):
        assert s.shape == tuple(s_t.shape)
        np.testing.assert_allclose(s.data, s_t.detach().numpy(), rtol=1e-5, atol=1e-6)

    # a loss that uses the output and every final state, with fixed random weights
    weights = rng.uniform(0.5, 1.5, size=out.shape).astype(np.float32)
    ((out * dl.tensor(weights)).sum() + sum((2.0 + k) * s.sum() for k, s in enumerate(states))).backward()
    ((out_t * torch.tensor(weights)).sum() + sum((2.0 + k) * s.sum() for k, s in enumerate(states_t))).backward()
    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=f"gradient of input {k}")
    for (name, p), (name_t, p_t) in zip(module.named_parameters(), twin.named_parameters()):
        assert name == name_t
        np.testing.assert_allclose(p.grad, p_t.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=f"gradient of {name}")


def test_torch_weights_load_into_ours():
    """The other direction: a torch LSTM's state dict loads as is and gives the same outputs."""
    torch = torch_or_skip()
    torch.manual_seed(0)
    twin = torch.nn.LSTM(2, 5, batch_first=True)
    module = nn.LSTM(2, 5, batch_first=True)
    module.load_state_dict(twin.state_dict())
    x = np.random.default_rng(9).standard_normal((3, 7, 2)).astype(np.float32)
    out, (h_n, c_n) = module(x)
    out_t, (h_t, c_t) = twin(torch.tensor(x))
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c_n.data, c_t.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_grad_norms_match_torch_step_by_step():
    """last_grad_norms[t] = ‖dL/dh_t‖, checked against a torch LSTMCell loop with retain_grad on every h_t."""
    torch = torch_or_skip()
    module = nn.LSTM(I, H, seed=10, dtype=np.float64)
    x = np.random.default_rng(11).standard_normal((8, N, I))
    out, _ = module(x)
    out[-1].sum().backward()  # the loss only sees the last step: the gradient must travel back in time
    cell = torch.nn.LSTMCell(I, H).double()
    cell.load_state_dict({key[:-3]: torch.tensor(value) for key, value in module.state_dict().items()})
    h = c = torch.zeros(N, H, dtype=torch.float64)
    hidden = []
    for t in range(8):
        h, c = cell(torch.tensor(x[t]), (h, c))
        h.retain_grad()
        hidden.append(h)
    hidden[-1].sum().backward()
    expected = [float(h.grad.norm()) for h in hidden]
    np.testing.assert_allclose(module.last_grad_norms, expected, rtol=1e-10)


# ------------------------------------------------------------------------------------------ inspection
def test_lstm_exposes_gates_cell_and_hidden_states():
    module = nn.LSTM(I, H, batch_first=True, seed=12)
    x = np.random.default_rng(13).standard_normal((N, T, I)).astype(np.float32)
    out, (h_n, c_n) = module(x)
    gates = module.last_gates
    assert sorted(gates) == ["f", "g", "i", "o"]
    for name, values in gates.items():
        assert values.shape == (T, N, H), name  # time-major even with batch_first
        low = -1 if name == "g" else 0
        assert values.min() >= low and values.max() <= 1
    np.testing.assert_array_equal(module.last_hidden_states, out.data.transpose(1, 0, 2))
    np.testing.assert_array_equal(module.last_cell_states[-1], c_n.data[0])
    # c_t = f·c_{t-1} + i·g, checked at step 1 from the exposed values
    c = module.last_cell_states
    np.testing.assert_allclose(c[1], gates["f"][1] * c[0] + gates["i"][1] * gates["g"][1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.data[:, 0], gates["o"][0] * np.tanh(c[0]), rtol=1e-5, atol=1e-6)


def test_rnn_grad_norms_vanish_towards_early_steps():
    """A tanh RNN with small recurrent weights: the gradient reaching early steps shrinks geometrically."""
    module = nn.RNN(1, 8, seed=14, dtype=np.float64)
    module.weight_hh_l0.data *= 0.3
    out, _ = module(np.random.default_rng(15).standard_normal((20, 4, 1)))
    out[-1].sum().backward()
    norms = module.last_grad_norms
    assert norms.shape == (20,)
    assert norms[-1] > 100 * norms[0]
    assert np.all(np.diff(norms) > 0)


def test_inspection_before_forward_or_backward_explains():
    module = nn.LSTM(I, H)
    with pytest.raises(RuntimeError, match="call the module on an input first"):
        _ = module.last_gates
    module(np.zeros((T, N, I), np.float32))
    assert module.last_gates["i"].shape == (T, N, H)
    with pytest.raises(RuntimeError, match=r"call backward\(\)"):
        _ = module.last_grad_norms


# ------------------------------------------------------------------------------------------ construction
def test_parameters_match_torch_names_shapes_and_init_bound():
    torch = torch_or_skip()
    for ours, theirs in [(nn.LSTM(3, 5, seed=0), torch.nn.LSTM(3, 5)), (nn.RNN(3, 5, seed=0), torch.nn.RNN(3, 5))]:
        assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
            (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
        ]
        bound = 1 / math.sqrt(5)
        assert all(p.dtype == np.float32 for p in ours.parameters())
        values = np.concatenate([p.data.ravel() for p in ours.parameters()])
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.8 * bound  # spread over U(-bound, bound), not all near zero
        assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.25)


def test_seeded_init_is_reproducible():
    a, b, c = nn.LSTM(2, 4, seed=3), nn.LSTM(2, 4, seed=3), nn.LSTM(2, 4, seed=4)
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)
        assert not np.array_equal(pa.data, pc.data)


def test_shapes_dtype_and_repr():
    module = nn.LSTM(2, 4, batch_first=True)
    out, (h_n, c_n) = module(np.zeros((5, 7, 2)))  # float64 data into a float32 model
    assert out.shape == (5, 7, 4) and h_n.shape == (1, 5, 4) and c_n.shape == (1, 5, 4)
    assert out.dtype == np.float32
    out, (h_n, c_n) = module(np.zeros((7, 2), np.float32))  # one unbatched sequence
    assert out.shape == (7, 4) and h_n.shape == (1, 4) and c_n.shape == (1, 4)
    rnn = nn.RNN(2, 4, nonlinearity="relu")
    out, h_n = rnn(np.zeros((7, 5, 2), np.float32))
    assert out.shape == (7, 5, 4) and h_n.shape == (1, 5, 4)
    np.testing.assert_array_equal(h_n.data[0], out.data[-1])
    assert repr(module) == "LSTM(2, 4, batch_first=True)"
    assert repr(rnn) == "RNN(2, 4, nonlinearity='relu')"


# ------------------------------------------------------------------------------------------ errors
def test_wrong_input_rank_names_the_shape_and_layout():
    with pytest.raises(ShapeError, match=r"\(N, T, input_size\).*got shape \(2, 3, 4, 1\)"):
        nn.LSTM(1, 4, batch_first=True)(np.zeros((2, 3, 4, 1)))
    with pytest.raises(ShapeError, match=r"\(T, N, input_size\).*got shape \(5,\)"):
        nn.RNN(1, 4)(np.zeros(5))


def test_empty_sequence_explains():
    with pytest.raises(ShapeError, match=r"empty input of shape \(0, 2, 1\)"):
        nn.RNN(1, 4)(np.zeros((0, 2, 1)))


def test_input_size_mismatch_names_both_sizes():
    with pytest.raises(ShapeError, match=r"input_size=3.*shape \(10, 2, 5\) with 5 features"):
        nn.LSTM(3, 4)(np.zeros((10, 2, 5)))


def test_bad_state_explains():
    module = nn.LSTM(1, 4)
    x = np.zeros((6, 2, 1), np.float32)
    with pytest.raises(ShapeError, match=r"h0 has shape \(2, 4\), expected .* \(1, 2, 4\)"):
        module(x, (np.zeros((2, 4)), np.zeros((1, 2, 4))))
    with pytest.raises(TypeError, match=r"pair \(h0, c0\)"):
        module(x, np.zeros((1, 2, 4)))


def test_unsupported_options_explain():
    with pytest.raises(NotImplementedError, match="bidirectional"):
        nn.LSTM(1, 4, num_layers=2, dropout=0.5)
    with pytest.raises(ValueError, match="num_layers must be a positive integer"):
        nn.RNN(1, 4, num_layers=0)
    with pytest.raises(ValueError, match="'tanh' or 'relu'"):
        nn.RNN(1, 4, nonlinearity="sigmoid")


# ------------------------------------------------------------------------------------------ learning
def test_lstm_learns_next_value_of_sine_waves():
    from dlcourse.data import sine_sequences

    seqs = sine_sequences(16, 31, seed=0)
    x, y = seqs[:, :-1], seqs[:, 1:]  # (16, 30, 1) each
    lstm, head = nn.LSTM(1, 16, batch_first=True, seed=0), nn.Linear(16, 1, seed=1)
    opt = dl.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-2)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        out, _ = lstm(x)
        loss = nn.functional.mse_loss(head(out), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
