"""A whole RNN/LSTM sequence as ONE differentiable op: forward runs the time loop, backward runs BPTT.

Why one op instead of a graph of tiny ops per time step? A sequence of 50 steps would otherwise
build ~500 graph nodes per forward pass, and Python's overhead per node would dominate. Here:

    forward   x_proj = x @ W_ihᵀ + b_ih + b_hh     one matrix product for all T steps at once
              the recurrence over t = 1..T          a compiled loop (kernels/recurrent.py)
    backward  BPTT over t = T..1                    a compiled loop → dL/d(pre-activations)
              dL/dx, dL/dW_ih, dL/dW_hh, dL/db       matrix products for all steps at once

Inputs are time-major: x (T, N, I), h0/c0 (N, H). The modules in nn/rnn.py handle batch_first,
unbatched input and default states. `trace` (optional) is a dict the op fills for inspection:
"hidden_states", "cell_states", "gates" after forward, "grad_norms" (‖dL/dh_t‖ per step) after backward.
"""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError
from dlcourse.kernels.recurrent import lstm_backward, lstm_forward, rnn_backward, rnn_forward


def _check_shapes(name, x, states, weight_ih, weight_hh, gates_per_unit):
    """Raise a ShapeError naming the shapes if x (T, N, I), states (N, H) and the weights don't fit."""
    hidden_size = weight_hh.shape[1]
    if x.ndim != 3:
        raise ShapeError(f"{name}: the input must be (T, N, input_size), got shape {x.shape}")
    if x.shape[2] != weight_ih.shape[1]:
        raise ShapeError(
            f"{name}: input has {x.shape[2]} features per step (shape {x.shape}) but input_size is {weight_ih.shape[1]}"
        )
    if weight_hh.shape != (gates_per_unit * hidden_size, hidden_size):
        raise ShapeError(
            f"{name}: weight_hh has shape {weight_hh.shape}, expected {(gates_per_unit * hidden_size, hidden_size)}"
        )
    for state in states:
        if state.shape != (x.shape[1], hidden_size):
            raise ShapeError(
                f"{name}: initial state has shape {state.shape}, "
                f"expected (N, hidden_size) = {(x.shape[1], hidden_size)}"
            )


def _project_inputs(x, weight_ih, bias_ih, bias_hh, dtype):
    """x_proj = x @ W_ihᵀ + b_ih + b_hh for every step at once: (T, N, I) → (T, N, G), contiguous."""
    T, N, I = x.shape
    rows = np.ascontiguousarray(x, dtype).reshape(T * N, I)  # (T·N, I): one BLAS call instead of T small ones
    # np.dot, not @: NumPy's matmul takes a slow path when I = 1 (a single input feature, common here)
    x_proj = np.dot(rows, np.asarray(weight_ih, dtype).T)  # (T·N, G), a fresh array we may add into
    if bias_ih is not None:
        x_proj += bias_ih
    if bias_hh is not None:
        x_proj += bias_hh  # b_hh is added at every step too, so it can be added here once
    return x_proj.reshape(T, N, -1)


def _parameter_grads(ctx, grad_pre, x, weight_ih, h_prev, n_states):
    """dL/dx, dL/dW_ih, dL/dW_hh, dL/db_ih, dL/db_hh from dL/dpre (T, N, G).

    The op's inputs are x, `n_states` initial states, then W_ih, W_hh, b_ih, b_hh.
    """
    T, N, G = grad_pre.shape
    needs = ctx.needs_input_grad
    flat = grad_pre.reshape(T * N, G)  # (T·N, G): every step's rows stacked, so one product covers all steps
    grad_x = (flat @ weight_ih).reshape(x.shape) if needs[0] else None  # (T, N, I)
    grad_w_ih = flat.T @ x.reshape(T * N, -1) if needs[n_states + 1] else None  # (G, I)
    grad_w_hh = flat.T @ h_prev.reshape(T * N, -1) if needs[n_states + 2] else None  # (G, H)
    grad_bias = flat.sum(axis=0) if (needs[n_states + 3] or needs[n_states + 4]) else None  # (G,)
    return grad_x, grad_w_ih, grad_w_hh, grad_bias, grad_bias


class RNNSequence(Function):
    """h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), t = 1..T;  output (T, N, H) = all h_t.

    act is tanh or relu. Backward: BPTT, dL/dh_{t-1} = (dL/dh_t · act'(pre_t)) @ W_hh.
    """

    @staticmethod
    def forward(ctx, x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity="tanh", trace=None):
        _check_shapes("RNN", x, [h0], weight_ih, weight_hh, 1)
        dtype = weight_hh.dtype
        relu = int(nonlinearity == "relu")
        x_proj = _project_inputs(x, weight_ih, bias_ih, bias_hh, dtype)  # (T, N, H)
        w_hh = np.ascontiguousarray(weight_hh)
        hs = rnn_forward(x_proj, w_hh, np.ascontiguousarray(h0, dtype), relu)  # (T+1, N, H), hs[0] = h0
        ctx.save_for_backward(x, weight_ih, w_hh, hs)
        ctx.relu, ctx.trace = relu, trace
        if trace is not None:
            trace["hidden_states"] = _read_only(hs[1:])
        return hs[1:]

    @staticmethod
    def backward(ctx, grad_out):
        x, weight_ih, w_hh, hs = ctx.saved
        grad_hs = np.ascontiguousarray(grad_out, hs.dtype)  # (T, N, H)
        grad_pre, grad_h0, norms = rnn_backward(grad_hs, w_hh, hs, ctx.relu)
        if ctx.trace is not None:
            ctx.trace["grad_norms"] = norms
        grad_x, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh = _parameter_grads(ctx, grad_pre, x, weight_ih, hs[:-1], 1)
        return grad_x, grad_h0, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh


class LSTMSequence(Function):
    """i,f,g,o = σ,σ,tanh,σ(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh); c_t = f·c_{t-1} + i·g; h_t = o·tanh(c_t).

    Output (2, T, N, H): [0] the hidden states h_1..h_T, [1] the cell states c_1..c_T.
    Backward: BPTT through both the hidden and the cell path (the cell path is what keeps gradients alive).
    """

    @staticmethod
    def forward(ctx, x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, trace=None):
        _check_shapes("LSTM", x, [h0, c0], weight_ih, weight_hh, 4)
        dtype = weight_hh.dtype
        x_proj = _project_inputs(x, weight_ih, bias_ih, bias_hh, dtype)  # (T, N, 4H)
        w_hh = np.ascontiguousarray(weight_hh)
        h0, c0 = np.ascontiguousarray(h0, dtype), np.ascontiguousarray(c0, dtype)
        hs, cs, gates = lstm_forward(x_proj, w_hh, h0, c0)  # (T+1, N, H), (T+1, N, H), (T, N, 4H)
        ctx.save_for_backward(x, weight_ih, w_hh, hs, cs, gates)
        ctx.trace = trace
        if trace is not None:
            hidden_size = w_hh.shape[1]
            trace["hidden_states"] = _read_only(hs[1:])
            trace["cell_states"] = _read_only(cs[1:])
            trace["gates"] = {
                name: _read_only(gates[:, :, k * hidden_size : (k + 1) * hidden_size]) for k, name in enumerate("ifgo")
            }
        return np.stack([hs[1:], cs[1:]])  # (2, T, N, H)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight_ih, w_hh, hs, cs, gates = ctx.saved
        grad_hs = np.ascontiguousarray(grad_out[0], hs.dtype)  # (T, N, H)
        grad_cs = np.ascontiguousarray(grad_out[1], hs.dtype)  # (T, N, H)
        grad_pre, grad_h0, grad_c0, norms = lstm_backward(grad_hs, grad_cs, w_hh, hs, cs, gates)
        if ctx.trace is not None:
            ctx.trace["grad_norms"] = norms
        grad_x, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh = _parameter_grads(ctx, grad_pre, x, weight_ih, hs[:-1], 2)
        return grad_x, grad_h0, grad_c0, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh


def _read_only(array):
    """A read-only view: learners can plot it, but writing into it can't corrupt the saved values."""
    view = array.view()
    view.flags.writeable = False
    return view
