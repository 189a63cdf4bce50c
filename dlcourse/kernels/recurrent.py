"""The time loops of RNN and LSTM: forward through the sequence, then backpropagation through time.

Only the recurrence lives here, the part that must go one step after another. The input projection
`x_t @ W_ihᵀ + b` of every step is one big matrix product done before the loop (ops/recurrent.py),
and the weight gradients are big matrix products done after the backward loop.

    x_proj (T, N, G)   the projected inputs, G = H (RNN) or 4H (LSTM, gates in the order i, f, g, o)
    hs     (T+1, N, H) hidden states; hs[0] = h0, hs[t+1] = the output of step t
    cs     (T+1, N, H) LSTM cell states, the same way
    gates  (T, N, 4H)  LSTM gate values after their activations: i, f, o = σ(·), g = tanh(·)

The backward kernels take the gradient flowing into each step's output from above (`grad_hs`, and
`grad_cs` for the cell) and return the gradient of the pre-activations of every step, the gradient
of the initial state, and ‖dL/dh_t‖ for every step (to watch gradients vanish).
"""

from __future__ import annotations

import numpy as np

from dlcourse.backend import kernel


def _sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ), written as ½(1 + tanh(x/2)) so that large |x| never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ------------------------------------------------------------------------------------------ RNN
def rnn_forward_numpy(x_proj, w_hh, h0, relu):
    """h_t = act(x_proj_t + h_{t-1} @ W_hhᵀ), act = tanh (relu=0) or max(0, ·) (relu=1); returns hs."""
    T, N, H = x_proj.shape
    hs = np.empty((T + 1, N, H), x_proj.dtype)
    hs[0] = h0
    for t in range(T):
        pre = x_proj[t] + hs[t] @ w_hh.T  # (N, H)
        hs[t + 1] = np.maximum(pre, 0) if relu else np.tanh(pre)
    return hs


@kernel(reference=rnn_forward_numpy)
def rnn_forward(x_proj, w_hh, h0, relu):
    """h_t = act(x_proj_t + h_{t-1} @ W_hhᵀ), act = tanh (relu=0) or max(0, ·) (relu=1); returns hs."""
    T, N, H = x_proj.shape
    # explicit copy loops instead of array expressions (np.ascontiguousarray(w.T), hs[0] = h0): same work,
    # but Numba compiles loops much faster (rnn_forward, both dtypes, cold: 8.2 s before, 2.7 s after)
    w_hh_t = np.empty((H, H), x_proj.dtype)  # (H_in, H_out): the inner loop then walks memory in order
    for j in range(H):
        for k in range(H):
            w_hh_t[k, j] = w_hh[j, k]
    hs = np.empty((T + 1, N, H), x_proj.dtype)
    for n in range(N):
        for j in range(H):
            hs[0, n, j] = h0[n, j]
    one = np.ones(1, x_proj.dtype)[0]  # 1 in the arrays' dtype: float32 math stays float32 (faster)
    for t in range(T):
        h_prev = hs[t]
        for n in range(N):
            pre = hs[t + 1, n]  # (H,) computed in place: first the pre-activation, then h_t
            for j in range(H):
                pre[j] = x_proj[t, n, j]
            for k in range(H):  # pre += h_{t-1}[n, k] * W_hhᵀ[k, :]
                h_k = h_prev[n, k]
                w_row = w_hh_t[k]
                for j in range(H):
                    pre[j] += h_k * w_row[j]
            for j in range(H):
                if relu:
                    pre[j] = max(pre[j], 0)
                else:  # tanh(x) = 2σ(2x) - 1 = 2 / (1 + e⁻²ˣ) - 1: one exp, faster than the library's tanh
                    pre[j] = (one + one) / (one + np.exp(-(pre[j] + pre[j]))) - one
    return hs


def rnn_backward_numpy(grad_hs, w_hh, hs, relu):
    """BPTT: dL/dpre_t = (grad_hs_t + dL/dpre_{t+1} @ W_hh) · act'(pre_t); returns (dpre, dh0, norms)."""
    T, N, H = grad_hs.shape
    grad_pre = np.empty_like(grad_hs)  # (T, N, H)
    grad_h_next = np.zeros((N, H), grad_hs.dtype)  # what step t+1 sends back to h_t
    norms = np.empty(T)
    for t in range(T - 1, -1, -1):
        grad_h = grad_hs[t] + grad_h_next  # dL/dh_t: from the output above and from the next step
        norms[t] = np.sqrt(np.sum(grad_h.astype(np.float64) ** 2))
        h = hs[t + 1]
        grad_pre[t] = grad_h * (h > 0) if relu else grad_h * (1 - h * h)  # tanh' = 1 - tanh²
        grad_h_next = grad_pre[t] @ w_hh  # (N, H)
    return grad_pre, grad_h_next, norms


@kernel(reference=rnn_backward_numpy)
def rnn_backward(grad_hs, w_hh, hs, relu):
    """BPTT: dL/dpre_t = (grad_hs_t + dL/dpre_{t+1} @ W_hh) · act'(pre_t); returns (dpre, dh0, norms)."""
    T, N, H = grad_hs.shape
    grad_pre = np.empty_like(grad_hs)
    grad_h_next = np.zeros((N, H), grad_hs.dtype)
    norms = np.empty(T)
    one = np.ones(1, grad_hs.dtype)[0]
    for t in range(T - 1, -1, -1):
        squares = 0.0
        for n in range(N):
            grad_pre_row, grad_h_row, h_row = grad_pre[t, n], grad_h_next[n], hs[t + 1, n]
            for j in range(H):
                grad_h = grad_hs[t, n, j] + grad_h_row[j]
                squares += grad_h * grad_h
                h = h_row[j]
                if relu:
                    grad_pre_row[j] = grad_h if h > 0 else 0
                else:
                    grad_pre_row[j] = grad_h * (one - h * h)
            grad_h_row[:] = 0  # grad_h_next[n] = grad_pre[t, n] @ W_hh
            for j in range(H):
                g = grad_pre_row[j]
                w_row = w_hh[j]
                for k in range(H):
                    grad_h_row[k] += g * w_row[k]
        norms[t] = np.sqrt(squares)
    return grad_pre, grad_h_next, norms


# ------------------------------------------------------------------------------------------ LSTM
def lstm_forward_numpy(x_proj, w_hh, h0, c0):
    """i,f,g,o = σ,σ,tanh,σ(x_proj_t + h_{t-1} @ W_hhᵀ); c_t = f·c_{t-1} + i·g; h_t = o·tanh(c_t).

    Returns (hs, cs, gates).
    """
    T, N, G = x_proj.shape
    H = G // 4
    hs = np.empty((T + 1, N, H), x_proj.dtype)
    cs = np.empty((T + 1, N, H), x_proj.dtype)
    gates = np.empty((T, N, G), x_proj.dtype)
    hs[0], cs[0] = h0, c0
    for t in range(T):
        pre = x_proj[t] + hs[t] @ w_hh.T  # (N, 4H)
        i = _sigmoid(pre[:, :H])  # input gate: how much of the candidate to write
        f = _sigmoid(pre[:, H : 2 * H])  # forget gate: how much of the old cell to keep
        g = np.tanh(pre[:, 2 * H : 3 * H])  # candidate values
        o = _sigmoid(pre[:, 3 * H :])  # output gate: how much of the cell to show
        cs[t + 1] = f * cs[t] + i * g
        hs[t + 1] = o * np.tanh(cs[t + 1])
        gates[t] = np.concatenate([i, f, g, o], axis=1)
    return hs, cs, gates


@kernel(reference=lstm_forward_numpy)
def lstm_forward(x_proj, w_hh, h0, c0):
    """i,f,g,o = σ,σ,tanh,σ(x_proj_t + h_{t-1} @ W_hhᵀ); c_t = f·c_{t-1} + i·g; h_t = o·tanh(c_t).

    Returns (hs, cs, gates).
    """
    T, N, G = x_proj.shape
    H = G // 4
    # explicit copy loops instead of array expressions: much faster for Numba to compile
    w_hh_t = np.empty((H, G), x_proj.dtype)  # (H, 4H): the inner loop then walks memory in order
    for j in range(G):
        for k in range(H):
            w_hh_t[k, j] = w_hh[j, k]
    hs = np.empty((T + 1, N, H), x_proj.dtype)
    cs = np.empty((T + 1, N, H), x_proj.dtype)
    gates = np.empty((T, N, G), x_proj.dtype)
    for n in range(N):
        for j in range(H):
            hs[0, n, j] = h0[n, j]
            cs[0, n, j] = c0[n, j]
    one = np.ones(1, x_proj.dtype)[0]  # 1 in the arrays' dtype: float32 math stays float32 (faster)
    two = one + one
    for t in range(T):
        h_prev, c_prev, h_new, c_new = hs[t], cs[t], hs[t + 1], cs[t + 1]
        for n in range(N):
            pre = gates[t, n]  # (4H,) computed in place: first the pre-activations, then the gates
            for j in range(G):
                pre[j] = x_proj[t, n, j]
            for k in range(H):  # pre += h_{t-1}[n, k] * W_hhᵀ[k, :]
                h_k = h_prev[n, k]
                w_row = w_hh_t[k]
                for j in range(G):
                    pre[j] += h_k * w_row[j]
            # σ(x) = 1 / (1 + e⁻ˣ) and tanh(x) = 2σ(2x) - 1: one exp each, several times faster than the
            # library's tanh; exp(large) = inf gives exactly 0 or ±1, no overflow error
            for j in range(2 * H):  # i, f
                pre[j] = one / (one + np.exp(-pre[j]))
            for j in range(2 * H, 3 * H):  # g
                pre[j] = two / (one + np.exp(-(pre[j] + pre[j]))) - one
            for j in range(3 * H, G):  # o
                pre[j] = one / (one + np.exp(-pre[j]))
            for j in range(H):
                c = pre[H + j] * c_prev[n, j] + pre[j] * pre[2 * H + j]  # f·c_{t-1} + i·g
                c_new[n, j] = c
                h_new[n, j] = pre[3 * H + j] * (two / (one + np.exp(-(c + c))) - one)  # o·tanh(c)
    return hs, cs, gates


def lstm_backward_numpy(grad_hs, grad_cs, w_hh, hs, cs, gates):
    """BPTT through the LSTM cell; returns (dL/dpre (T, N, 4H), dL/dh0, dL/dc0, ‖dL/dh_t‖ (T,))."""
    T, N, H = grad_hs.shape
    grad_pre = np.empty_like(gates)  # (T, N, 4H)
    grad_h_next = np.zeros((N, H), grad_hs.dtype)
    grad_c_next = np.zeros((N, H), grad_hs.dtype)
    norms = np.empty(T)
    for t in range(T - 1, -1, -1):
        grad_h = grad_hs[t] + grad_h_next  # dL/dh_t
        norms[t] = np.sqrt(np.sum(grad_h.astype(np.float64) ** 2))
        i, f, g, o = (gates[t][:, k * H : (k + 1) * H] for k in range(4))
        tanh_c = np.tanh(cs[t + 1])
        grad_c = grad_cs[t] + grad_c_next + grad_h * o * (1 - tanh_c**2)  # h = o·tanh(c)
        grad_pre[t] = np.concatenate(  # chain through c = f·c_prev + i·g and the activations
            [
                grad_c * g * i * (1 - i),
                grad_c * cs[t] * f * (1 - f),
                grad_c * i * (1 - g * g),
                grad_h * tanh_c * o * (1 - o),
            ],
            axis=1,
        )
        grad_c_next = grad_c * f
        grad_h_next = grad_pre[t] @ w_hh  # (N, H)
    return grad_pre, grad_h_next, grad_c_next, norms


@kernel(reference=lstm_backward_numpy)
def lstm_backward(grad_hs, grad_cs, w_hh, hs, cs, gates):
    """BPTT through the LSTM cell; returns (dL/dpre (T, N, 4H), dL/dh0, dL/dc0, ‖dL/dh_t‖ (T,))."""
    T, N, H = grad_hs.shape
    grad_pre = np.empty_like(gates)
    grad_h_next = np.zeros((N, H), grad_hs.dtype)
    grad_c_next = np.zeros((N, H), grad_hs.dtype)
    norms = np.empty(T)
    one = np.ones(1, grad_hs.dtype)[0]
    two = one + one
    for t in range(T - 1, -1, -1):
        squares = 0.0
        for n in range(N):
            gate, grad_gate = gates[t, n], grad_pre[t, n]  # (4H,) rows: i, f, g, o
            grad_h_row, grad_c_row = grad_h_next[n], grad_c_next[n]
            c_row, c_prev = cs[t + 1, n], cs[t, n]
            for j in range(H):
                grad_h = grad_hs[t, n, j] + grad_h_row[j]
                squares += grad_h * grad_h
                i, f, g, o = gate[j], gate[H + j], gate[2 * H + j], gate[3 * H + j]
                c = c_row[j]
                tanh_c = two / (one + np.exp(-(c + c))) - one  # recomputed: cheaper than storing it
                grad_c = grad_cs[t, n, j] + grad_c_row[j] + grad_h * o * (one - tanh_c * tanh_c)
                grad_gate[j] = grad_c * g * i * (one - i)
                grad_gate[H + j] = grad_c * c_prev[j] * f * (one - f)
                grad_gate[2 * H + j] = grad_c * i * (one - g * g)
                grad_gate[3 * H + j] = grad_h * tanh_c * o * (one - o)
                grad_c_row[j] = grad_c * f
            grad_h_row[:] = 0  # grad_h_next[n] = grad_pre[t, n] @ W_hh
            for j in range(4 * H):
                g = grad_gate[j]
                w_row = w_hh[j]
                for k in range(H):
                    grad_h_row[k] += g * w_row[k]
        norms[t] = np.sqrt(squares)
    return grad_pre, grad_h_next, grad_c_next, norms


def warmup_examples():
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        T, N, H = 3, 2, 4
        h0 = np.zeros((N, H), dtype)
        rnn_x, lstm_x = rng.standard_normal((T, N, H)).astype(dtype), rng.standard_normal((T, N, 4 * H)).astype(dtype)
        rnn_w, lstm_w = np.eye(H, dtype=dtype), np.ones((4 * H, H), dtype)
        grad = np.ones((T, N, H), dtype)
        for relu in (0, 1):
            hs = rnn_forward_numpy(rnn_x, rnn_w, h0, relu)
            yield rnn_forward, (rnn_x, rnn_w, h0, relu)
            yield rnn_backward, (grad, rnn_w, hs, relu)
        hs, cs, gates = lstm_forward_numpy(lstm_x, lstm_w, h0, h0)
        yield lstm_forward, (lstm_x, lstm_w, h0, h0)
        yield lstm_backward, (grad, grad, lstm_w, hs, cs, gates)
