"""Loss landscapes on a grid: the loss of a small model at every point of a 2-D slice of its weights.

The widgets redraw a 201×201 grid of losses whenever a slider moves, so this must take milliseconds.
The obvious NumPy version builds a (grid, grid, N) array of residuals — 201·201·1000 floats = 320 MB
for W5 — and is slow because of that memory traffic, not the arithmetic. The loops below keep one
row of running sums and never hold more than the (grid, grid) answer.
"""

from __future__ import annotations

import numpy as np

from dlcourse.backend import kernel


def linear_mse_grid_numpy(w_values, b_values, x, y):
    """loss[i, j] = mean_n (w_values[j]·x[n] + b_values[i] - y[n])²; returns (len(b_values), len(w_values)).

    Readable reference: one row of the grid (a fixed b) at a time, as a (len(w), N) array.
    """
    loss = np.empty((b_values.shape[0], w_values.shape[0]), dtype=x.dtype)
    for i in range(b_values.shape[0]):
        residual = w_values[:, None] * x[None, :] + (b_values[i] - y)[None, :]  # (n_w, N)
        loss[i] = (residual * residual).mean(axis=1)
    return loss


@kernel(reference=linear_mse_grid_numpy)
def linear_mse_grid(w_values, b_values, x, y):
    """loss[i, j] = mean_n (w_values[j]·x[n] + b_values[i] - y[n])²; returns (len(b_values), len(w_values))."""
    n_w = w_values.shape[0]
    n_points = x.shape[0]
    loss = np.zeros((b_values.shape[0], n_w), dtype=x.dtype)
    for i in range(b_values.shape[0]):
        row = loss[i]
        for n in range(n_points):
            offset = b_values[i] - y[n]
            xn = x[n]
            # The innermost loop runs over the grid, not over the data: its iterations are
            # independent, so the compiler can use SIMD without reordering a floating-point sum.
            for j in range(n_w):
                r = w_values[j] * xn + offset
                row[j] += r * r
        for j in range(n_w):
            row[j] /= n_points
    return loss


def mlp_bce_grid_numpy(theta, direction_a, direction_b, alphas, betas, X, y, hidden):
    """loss[i, j] = BCE-with-logits of a 2-layer tanh MLP with weights theta + alphas[j]·d_a + betas[i]·d_b.

    theta packs W1 (hidden, D), b1 (hidden,), w2 (hidden,), b2 (1,) in that order; X (N, D), y (N,) in {0, 1}.
    BCE(z, y) = max(z, 0) - z·y + log(1 + e^{-|z|})  (the stable form of -y·log σ(z) - (1-y)·log(1-σ(z))).
    """
    n_in = X.shape[1]
    loss = np.empty((betas.shape[0], alphas.shape[0]), dtype=X.dtype)
    for i in range(betas.shape[0]):
        for j in range(alphas.shape[0]):
            p = theta + alphas[j] * direction_a + betas[i] * direction_b
            W1 = p[: hidden * n_in].reshape(hidden, n_in)  # (H, D)
            b1 = p[hidden * n_in : hidden * n_in + hidden]  # (H,)
            w2 = p[hidden * n_in + hidden : hidden * n_in + 2 * hidden]  # (H,)
            b2 = p[hidden * n_in + 2 * hidden]
            z = np.tanh(X @ W1.T + b1) @ w2 + b2  # (N,)
            loss[i, j] = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    return loss


@kernel(reference=mlp_bce_grid_numpy)
def mlp_bce_grid(theta, direction_a, direction_b, alphas, betas, X, y, hidden):
    """loss[i, j] = BCE-with-logits of a 2-layer tanh MLP with weights theta + alphas[j]·d_a + betas[i]·d_b."""
    n_points, n_in = X.shape
    loss = np.empty((betas.shape[0], alphas.shape[0]), dtype=X.dtype)
    p = np.empty_like(theta)
    for i in range(betas.shape[0]):
        for j in range(alphas.shape[0]):
            for k in range(theta.shape[0]):
                p[k] = theta[k] + alphas[j] * direction_a[k] + betas[i] * direction_b[k]
            b1_at = hidden * n_in  # offsets of b1, w2 and b2 inside the packed vector
            w2_at = b1_at + hidden
            b2_at = w2_at + hidden
            total = 0.0
            for n in range(n_points):
                z = p[b2_at]
                for h in range(hidden):
                    pre = p[b1_at + h]
                    for d in range(n_in):
                        pre += p[h * n_in + d] * X[n, d]
                    z += p[w2_at + h] * np.tanh(pre)
                total += max(z, 0.0) - z * y[n] + np.log1p(np.exp(-abs(z)))
            loss[i, j] = total / n_points
    return loss


def warmup_examples():
    for dtype in (np.float32, np.float64):
        grid = np.linspace(-1, 1, 3).astype(dtype)
        data = np.arange(4, dtype=dtype)
        yield linear_mse_grid, (grid, grid, data, data)
        theta = np.zeros(2 * 2 + 2 + 2 + 1, dtype)
        X = np.zeros((4, 2), dtype)
        yield mlp_bce_grid, (theta, theta, theta, grid, grid, X, data, 2)
