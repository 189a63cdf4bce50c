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

Speed (W4 of benchmarks/, LSTM 1→32, T = 50, N = 32): most of the time goes into the activations and the
small per-step products. In float32 the loops call `tanh`/`sigmoid` below, a rational function the compiler
turns into vector instructions (16 values at once); `np.exp` stays one call per value. Each loop touches
few arrays, because the compiler must prove they don't overlap before it vectorizes.
"""

from __future__ import annotations

import numpy as np

from dlcourse.backend import helper, kernel


def _sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ), written as ½(1 + tanh(x/2)) so that large |x| never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@helper
def tanh(x):
    """tanh(x) of one number, for the compiled loops: float32 by a rational function, float64 exactly.

    float32: tanh(x) ≈ x·p(x²)/q(x²) on [-9, 9] (p of degree 6, q of degree 3: the minimax fit Eigen uses),
    ±1 beyond; at most 4e-7 from the true value (tested), about float32's own rounding. Only multiplies,
    adds, one division and comparisons: the compiler vectorizes it, ~6× faster than a call to exp per value.
    float64: 2σ(2x) − 1 = 2 / (1 + e⁻²ˣ) − 1, exact to rounding (gradient checks need it).
    """
    if isinstance(x, np.float32):  # decided when Numba compiles the loop, not at every call
        x = min(max(x, np.float32(-9.0)), np.float32(9.0))
        x2 = x * x
        p = x2 * np.float32(-2.76076847742355e-16) + np.float32(2.00018790482477e-13)
        p = x2 * p + np.float32(-8.60467152213735e-11)
        p = x2 * p + np.float32(5.12229709037114e-08)
        p = x2 * p + np.float32(1.48572235717979e-05)
        p = x2 * p + np.float32(6.37261928875436e-04)
        p = x2 * p + np.float32(4.89352455891786e-03)
        q = x2 * np.float32(1.19825839466702e-06) + np.float32(1.18534705686654e-04)
        q = x2 * q + np.float32(2.26843463243900e-03)
        q = x2 * q + np.float32(4.89352518554385e-03)
        return min(max(x * p / q, np.float32(-1.0)), np.float32(1.0))  # the fit overshoots 1 by 2e-7
    return 2.0 / (1.0 + np.exp(-(x + x))) - 1.0  # exp(large) = inf gives exactly ±1, no overflow error


@helper
def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ) of one number: ½ + ½·tanh(x/2) in float32 (vectorizes), exact in float64."""
    if isinstance(x, np.float32):
        return np.float32(0.5) + np.float32(0.5) * tanh(np.float32(0.5) * x)
    return 1.0 / (1.0 + np.exp(-x))


# fastmath "reassoc": lets the compiler add each dot product up in vector-wide partial sums
@helper(fastmath={"reassoc"})
def rows_times_transposed(rows, matrix_t, out):
    """out = rows @ matrix_tᵀ, i.e. out[n, k] = Σ_j rows[n, j] · matrix_t[k, j]: one dot product per entry.

    BPTT's step back, dL/dh_{t-1} = dL/dpre_t @ W_hh, with W_hh passed transposed. Written as dot products
    (reads only), not as `out[n] += g · W_hh[j]` row updates: those wait on their own store every time.
    """
    for n in range(rows.shape[0]):
        row = rows[n]
        for k in range(matrix_t.shape[0]):
            column = matrix_t[k]
            total = row[0] - row[0]  # 0 in the rows' dtype
            for j in range(row.shape[0]):
                total += row[j] * column[j]
            out[n, k] = total


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
            if relu:
                for j in range(H):
                    pre[j] = max(pre[j], 0)
            else:
                for j in range(H):
                    pre[j] = tanh(pre[j])
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
    w_hh_t = np.empty((H, H), grad_hs.dtype)  # W_hhᵀ: each dL/dh_{t-1}[k] is a dot product of rows
    for j in range(H):
        for k in range(H):
            w_hh_t[k, j] = w_hh[j, k]
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
        norms[t] = np.sqrt(squares)
        rows_times_transposed(grad_pre[t], w_hh_t, grad_h_next)  # dL/dh_{t-1} = dL/dpre_t @ W_hh, all rows
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
            for j in range(2 * H):  # i, f
                pre[j] = sigmoid(pre[j])
            for j in range(2 * H, 3 * H):  # g
                pre[j] = tanh(pre[j])
            for j in range(3 * H, G):  # o
                pre[j] = sigmoid(pre[j])
            for j in range(H):
                c = pre[H + j] * c_prev[n, j] + pre[j] * pre[2 * H + j]  # f·c_{t-1} + i·g
                c_new[n, j] = c
                h_new[n, j] = pre[3 * H + j] * tanh(c)  # o·tanh(c)
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
    G = 4 * H
    grad_pre = np.empty_like(gates)
    grad_h_next = np.zeros((N, H), grad_hs.dtype)
    grad_c_next = np.zeros((N, H), grad_hs.dtype)
    norms = np.empty(T)
    w_hh_t = np.empty((H, G), grad_hs.dtype)  # (H, 4H): each dL/dh_{t-1}[k] is a dot product of rows
    for j in range(G):
        for k in range(H):
            w_hh_t[k, j] = w_hh[j, k]
    # one row of scratch each: every loop below reads and writes few arrays, so each one vectorizes
    grad_h, grad_c, tanh_c = np.empty(H, grad_hs.dtype), np.empty(H, grad_hs.dtype), np.empty(H, grad_hs.dtype)
    one = np.ones(1, grad_hs.dtype)[0]  # 1 in the arrays' dtype: float32 math stays float32 (faster)
    for t in range(T - 1, -1, -1):
        squares = 0.0
        for n in range(N):
            gate, grad_gate = gates[t, n], grad_pre[t, n]  # (4H,) rows: i, f, g, o
            i, f, g, o = gate[:H], gate[H : 2 * H], gate[2 * H : 3 * H], gate[3 * H :]
            grad_i, grad_f = grad_gate[:H], grad_gate[H : 2 * H]
            grad_g, grad_o = grad_gate[2 * H : 3 * H], grad_gate[3 * H :]
            grad_h_row, grad_c_row, c_row, c_prev = grad_h_next[n], grad_c_next[n], cs[t + 1, n], cs[t, n]
            for j in range(H):
                grad_h[j] = grad_hs[t, n, j] + grad_h_row[j]  # dL/dh_t: from the output above and from step t+1
            for j in range(H):
                squares += grad_h[j] * grad_h[j]
            for j in range(H):
                tanh_c[j] = tanh(c_row[j])  # recomputed: cheaper than storing it
            for j in range(H):  # h = o·tanh(c)
                grad_c[j] = grad_cs[t, n, j] + grad_c_row[j] + grad_h[j] * o[j] * (one - tanh_c[j] * tanh_c[j])
            for j in range(H):  # through the activations: σ' = σ(1 - σ), tanh' = 1 - tanh²
                grad_o[j] = grad_h[j] * tanh_c[j] * o[j] * (one - o[j])
            for j in range(H):  # c = f·c_prev + i·g
                grad_i[j] = grad_c[j] * g[j] * i[j] * (one - i[j])
            for j in range(H):
                grad_f[j] = grad_c[j] * c_prev[j] * f[j] * (one - f[j])
            for j in range(H):
                grad_g[j] = grad_c[j] * i[j] * (one - g[j] * g[j])
            for j in range(H):
                grad_c_row[j] = grad_c[j] * f[j]
        norms[t] = np.sqrt(squares)
        rows_times_transposed(grad_pre[t], w_hh_t, grad_h_next)  # dL/dh_{t-1} = dL/dpre_t @ W_hh, all rows
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
