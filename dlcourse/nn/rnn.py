"""`RNN` and `LSTM`: recurrent networks with PyTorch's parameters, shapes and results (one or more layers).

    lstm = nn.LSTM(input_size=1, hidden_size=32, batch_first=True)
    output, (h_n, c_n) = lstm(x)          # x (N, T, 1) → output (N, T, 32), h_n and c_n (1, N, 32)

The whole sequence is one graph node (ops/recurrent.py): its forward runs the time loop in a compiled
kernel and its backward runs backpropagation through time (BPTT).

Looking inside (for plots; NumPy arrays, always time-major (T, N, H), read-only):
    rnn.last_hidden_states   h_1..h_T of the latest forward pass
    lstm.last_cell_states    c_1..c_T
    lstm.last_gates          {"i": input gate, "f": forget gate, "g": candidate, "o": output gate}
    (with num_layers > 1 these describe the top layer)
    module.last_grad_norms   (T,) ‖dL/dh_t‖ over the batch, after backward() of the latest forward:
                             how much gradient reaches step t (it vanishes towards early steps in an RNN)
"""

from __future__ import annotations

import math

import numpy as np

from dlcourse.backend import prefetch_numba
from dlcourse.function import ShapeError
from dlcourse.nn import init
from dlcourse.nn.module import Module, Parameter
from dlcourse.ops.recurrent import LSTMSequence, RNNSequence
from dlcourse.tensor import Tensor, tensor
from dlcourse.tensor_functions.joining import stack


class _Recurrent(Module):
    """What RNN and LSTM share: parameters, input checks, batch_first and the inspection attributes."""

    gates_per_unit = 1  # rows of W_ih per hidden unit: 1 for RNN, 4 for LSTM (i, f, g, o)

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        seed=None,
        dtype=np.float32,
        dropout=0.0,
        bidirectional=False,
    ):
        super().__init__()
        prefetch_numba()  # its forward pass is a Numba kernel: start loading Numba now
        if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"{type(self).__name__}: num_layers must be a positive integer, got {num_layers!r}")
        if dropout or bidirectional:
            raise NotImplementedError(
                f"{type(self).__name__}: dropout between layers and bidirectional=True are not supported "
                "(PyTorch has them; the course does not use them)"
            )
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = num_layers, bool(bias), bool(batch_first)
        rows = self.gates_per_unit * self.hidden_size
        # PyTorch's names and order (layer by layer): state dicts copy both ways with load_state_dict.
        # Layer k > 0 reads the hidden states of layer k - 1, so its input size is hidden_size.
        for k in range(num_layers):
            inputs = self.input_size if k == 0 else self.hidden_size
            setattr(self, f"weight_ih_l{k}", Parameter(np.empty((rows, inputs), dtype=dtype)))
            setattr(self, f"weight_hh_l{k}", Parameter(np.empty((rows, self.hidden_size), dtype=dtype)))
            setattr(self, f"bias_ih_l{k}", Parameter(np.empty(rows, dtype=dtype)) if bias else None)
            setattr(self, f"bias_hh_l{k}", Parameter(np.empty(rows, dtype=dtype)) if bias else None)
        self._trace = {}  # filled by the op: states and gates after forward, grad norms after backward
        self.reset_parameters(seed)

    def reset_parameters(self, seed=None) -> None:
        """PyTorch's default: every weight and bias ~ U(-1/√hidden_size, 1/√hidden_size)."""
        rng = init.as_generator(seed)
        bound = 1 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for param in self.parameters():
            init.uniform_(param, -bound, bound, seed=rng)

    def _prepare_input(self, x):
        """x as a time-major (T, N, I) tensor in the weights' dtype; also whether it was unbatched."""
        name = type(self).__name__
        x = x if isinstance(x, Tensor) else tensor(np.asarray(x))
        layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
        if x.ndim not in (2, 3):
            raise ShapeError(
                f"{name} expects input of shape {layout} (or (T, input_size) for one unbatched sequence), "
                f"got shape {x.shape}"
            )
        if x.shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}(input_size={self.input_size}, hidden_size={self.hidden_size}) got input of shape {x.shape} "
                f"with {x.shape[-1]} features per step in the last axis; expected {layout} with input_size="
                f"{self.input_size}"
            )
        if 0 in x.shape[:-1]:
            raise ShapeError(
                f"{name} got an empty input of shape {x.shape}: it needs at least one step and one sequence"
            )
        if x.dtype != self.weight_hh_l0.dtype:
            x = x.astype(self.weight_hh_l0.dtype)  # the model's dtype wins (float64 NumPy data is common)
        unbatched = x.ndim == 2
        if unbatched:
            x = x.reshape(x.shape[0], 1, x.shape[1])  # (T, 1, I)
        elif self.batch_first:
            x = x.transpose(1, 0, 2)  # (N, T, I) → (T, N, I)
        return x, unbatched

    def _layer_weights(self, k: int) -> tuple:
        """(W_ih, W_hh, b_ih, b_hh) of layer k."""
        return tuple(getattr(self, f"{name}_l{k}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def _prepare_states(self, state, batch_size, unbatched, what) -> list:
        """A given initial state (L, N, H) (or (L, H) unbatched) as one (N, H) per layer; zeros when None."""
        if self.num_layers == 1:
            return [self._prepare_state(state, batch_size, unbatched, what)]
        if state is None:
            return [None] * self.num_layers
        state = state if isinstance(state, Tensor) else tensor(np.asarray(state))
        shape = (self.num_layers, self.hidden_size) if unbatched else (self.num_layers, batch_size, self.hidden_size)
        if state.shape != shape:
            raise ShapeError(
                f"{type(self).__name__}: {what} has shape {state.shape}, "
                f"expected (num_layers, N, hidden_size) = {shape}"
            )
        state = state.reshape(self.num_layers, 1, batch_size, self.hidden_size)  # each layer's as (1, N, H)
        return [self._prepare_state(state[k], batch_size, False, what) for k in range(self.num_layers)]

    def _prepare_state(self, state, batch_size, unbatched, what):
        """A given initial state (1, N, H) (or (1, H) unbatched) as (N, H); zeros when None."""
        shape = (1, self.hidden_size) if unbatched else (1, batch_size, self.hidden_size)
        if state is None:
            return np.zeros((batch_size, self.hidden_size), dtype=self.weight_hh_l0.dtype)
        state = state if isinstance(state, Tensor) else tensor(np.asarray(state))
        if state.shape != shape:
            raise ShapeError(
                f"{type(self).__name__}: {what} has shape {state.shape}, "
                f"expected (num_layers, N, hidden_size) = {shape}"
            )
        if state.dtype != self.weight_hh_l0.dtype:
            state = state.astype(self.weight_hh_l0.dtype)
        return state.reshape(batch_size, self.hidden_size)  # (N, H)

    def _finish_output(self, hidden_states, unbatched, h_n=None):
        """Time-major (T, N, H) → the layout the caller used; plus h_n (L, N, H) or (L, H)."""
        if h_n is None:
            h_n = hidden_states[-1:]  # (1, N, H): the last step's hidden state
        if unbatched:
            return hidden_states[:, 0], h_n[:, 0]  # (T, H), (1, H)
        if self.batch_first:
            return hidden_states.transpose(1, 0, 2), h_n  # (N, T, H)
        return hidden_states, h_n

    # ----------------------------------------------------------------- inspection
    def _traced(self, key, when):
        if key not in self._trace:
            raise RuntimeError(f"{type(self).__name__} has no {key.replace('_', ' ')} yet: {when}")
        return self._trace[key]

    @property
    def last_hidden_states(self) -> np.ndarray:
        """h_1..h_T of the latest forward pass, (T, N, H) (time-major even with batch_first)."""
        return self._traced("hidden_states", "call the module on an input first")

    @property
    def last_grad_norms(self) -> np.ndarray:
        """‖dL/dh_t‖ for t = 1..T, shape (T,), from the latest backward() through the latest forward pass."""
        return self._traced("grad_norms", "call backward() on a loss computed from the latest forward pass")

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        return text


class RNN(_Recurrent):
    """Elman RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), act = tanh or relu.

    forward(x, h0=None) → (output, h_n): output holds every h_t, (T, N, H) or (N, T, H) with
    batch_first; h_n (num_layers, N, H) holds each layer's last one. Parameters per layer k: weight_ih_lk
    (H, I; H, H above the first layer), weight_hh_lk (H, H), bias_ih_lk (H,), bias_hh_lk (H,).
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        seed=None,
        dtype=np.float32,
        dropout=0.0,
        bidirectional=False,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, seed, dtype, dropout, bidirectional)

    def forward(self, x, state=None):
        x, unbatched = self._prepare_input(x)
        h0s = self._prepare_states(state, x.shape[1], unbatched, "h0")
        layer_input, finals = x, []
        for k in range(self.num_layers):  # each layer reads the hidden states of the one below
            h0 = h0s[k] if h0s[k] is not None else self._prepare_state(None, x.shape[1], unbatched, "h0")
            self._trace = trace = {}
            weights = self._layer_weights(k)
            layer_input = RNNSequence.apply(layer_input, h0, *weights, nonlinearity=self.nonlinearity, trace=trace)
            finals.append(layer_input[-1])  # (N, H)
        h_n = stack(finals) if self.num_layers > 1 else None  # (L, N, H)
        return self._finish_output(layer_input, unbatched, h_n)

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTM(_Recurrent):
    """Long short-term memory: gates i, f, o = σ(·), candidate g = tanh(·), all from x_t W_ihᵀ + h_{t-1} W_hhᵀ + b;
    c_t = f·c_{t-1} + i·g (the cell: a memory the forget gate keeps or clears);  h_t = o·tanh(c_t).

    forward(x, (h0, c0)=None) → (output, (h_n, c_n)), shapes as in RNN. Parameters: weight_ih_l0 (4H, I),
    weight_hh_l0 (4H, H), bias_ih_l0 and bias_hh_l0 (4H,), rows in PyTorch's gate order i, f, g, o.
    """

    gates_per_unit = 4  # the constructor is _Recurrent's: LSTM(input_size, hidden_size, num_layers=1, …)

    def forward(self, x, state=None):
        x, unbatched = self._prepare_input(x)
        if state is not None and not (isinstance(state, (tuple, list)) and len(state) == 2):
            raise TypeError("LSTM: the state must be a pair (h0, c0), as in PyTorch")
        h0, c0 = (None, None) if state is None else state
        batch_size = x.shape[1]
        h0s = self._prepare_states(h0, batch_size, unbatched, "h0")
        c0s = self._prepare_states(c0, batch_size, unbatched, "c0")
        layer_input, last_h, last_c = x, [], []
        for k in range(self.num_layers):  # each layer reads the hidden states of the one below
            zeros = self._prepare_state(None, batch_size, unbatched, "h0")
            h0k = zeros if h0s[k] is None else h0s[k]
            c0k = zeros if c0s[k] is None else c0s[k]
            self._trace = trace = {}
            states = LSTMSequence.apply(layer_input, h0k, c0k, *self._layer_weights(k), trace=trace)
            # states (2, T, N, H): hidden states, cell states
            layer_input = states[0]
            last_h.append(states[0, -1])
            last_c.append(states[1, -1])
        if self.num_layers == 1:
            output, h_n = self._finish_output(states[0], unbatched)
            c_n = states[1, -1:]  # (1, N, H)
        else:
            output, h_n = self._finish_output(layer_input, unbatched, stack(last_h))
            c_n = stack(last_c)  # (L, N, H)
        return output, (h_n, c_n[:, 0] if unbatched else c_n)

    @property
    def last_cell_states(self) -> np.ndarray:
        """c_1..c_T of the latest forward pass, (T, N, H)."""
        return self._traced("cell_states", "call the module on an input first")

    @property
    def last_gates(self) -> dict:
        """{"i", "f", "g", "o"}: each gate's values at every step of the latest forward pass, (T, N, H)."""
        return self._traced("gates", "call the module on an input first")
