"""Loss-landscape grid kernels: Numba loops == NumPy reference == brute-force broadcast; W5 timing."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dlcourse as dl
from dlcourse.kernels.landscape import linear_mse_grid, mlp_bce_grid

TOLERANCE = {np.float32: dict(rtol=2e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


def brute_force_linear_mse(w_values, b_values, x, y):
    """The (n_b, n_w, N) residual table, materialised: only for small grids."""
    residual = w_values[None, :, None] * x[None, None, :] + b_values[:, None, None] - y[None, None, :]
    return (residual**2).mean(axis=2)


def linear_case(rng, n_w, n_b, n, dtype):
    w = rng.uniform(-3, 3, n_w).astype(dtype)
    b = rng.uniform(-3, 3, n_b).astype(dtype)
    x = rng.normal(0, 2, n).astype(dtype)
    y = (1.5 * x - 0.5 + rng.normal(0, 0.3, n)).astype(dtype)
    return w, b, x, y


@given(
    n_w=st.integers(1, 23),
    n_b=st.integers(1, 19),
    n=st.integers(1, 57),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
def test_linear_mse_grid_numba_matches_reference(n_w, n_b, n, dtype, seed):
    w, b, x, y = linear_case(np.random.default_rng(seed), n_w, n_b, n, dtype)
    fast = linear_mse_grid.accelerated(w, b, x, y)
    slow = linear_mse_grid.reference(w, b, x, y)
    assert fast.shape == slow.shape == (n_b, n_w)
    assert fast.dtype == slow.dtype == dtype
    np.testing.assert_allclose(fast, slow, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_mse_grid_matches_brute_force_broadcast(dtype):
    w, b, x, y = linear_case(np.random.default_rng(1), 7, 5, 31, dtype)
    expected = brute_force_linear_mse(w.astype(np.float64), b.astype(np.float64), x.astype(np.float64), y)
    for side in (linear_mse_grid.accelerated, linear_mse_grid.reference):
        np.testing.assert_allclose(side(w, b, x, y), expected, **TOLERANCE[dtype])


def test_linear_mse_grid_takes_non_contiguous_inputs():
    w, b, x, y = linear_case(np.random.default_rng(2), 22, 18, 80, np.float64)
    args = (w[::2], b[::3], x[::2], y[::2])  # strided views, as a learner's slices would be
    np.testing.assert_allclose(linear_mse_grid.accelerated(*args), brute_force_linear_mse(*args), rtol=1e-12)


def test_linear_mse_grid_minimum_is_the_least_squares_fit():
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    y = 2.0 * x + 1.0 + 0.1 * rng.normal(size=200)
    w = np.linspace(1, 3, 201)
    b = np.linspace(0, 2, 201)
    loss = linear_mse_grid(w, b, x, y)
    i, j = np.unravel_index(loss.argmin(), loss.shape)
    slope, intercept = np.polyfit(x, y, 1)
    assert abs(w[j] - slope) <= 0.01 and abs(b[i] - intercept) <= 0.01


def test_backend_switch_picks_the_reference(monkeypatch):
    w, b, x, y = linear_case(np.random.default_rng(4), 3, 3, 5, np.float64)
    calls = []
    monkeypatch.setattr(linear_mse_grid, "reference", lambda *a: calls.append(a) or np.zeros((3, 3)))
    previous = dl.get_backend()
    dl.set_backend("numpy")
    try:
        linear_mse_grid(w, b, x, y)
    finally:
        dl.set_backend(previous)
    assert len(calls) == 1


def mlp_case(rng, hidden, n, dtype):
    size = hidden * 2 + hidden + hidden + 1
    theta, d1, d2 = (rng.normal(size=size).astype(dtype) for _ in range(3))
    X = rng.normal(size=(n, 2)).astype(dtype)
    y = (rng.uniform(size=n) > 0.5).astype(dtype)
    return theta, d1, d2, X, y


@given(
    hidden=st.integers(1, 5),
    n=st.integers(1, 17),
    grid=st.integers(1, 6),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
def test_mlp_bce_grid_numba_matches_reference(hidden, n, grid, dtype, seed):
    rng = np.random.default_rng(seed)
    theta, d1, d2, X, y = mlp_case(rng, hidden, n, dtype)
    alphas = np.linspace(-1, 1, grid).astype(dtype)
    betas = np.linspace(-0.5, 1.5, grid + 1).astype(dtype)
    fast = mlp_bce_grid.accelerated(theta, d1, d2, alphas, betas, X, y, hidden)
    slow = mlp_bce_grid.reference(theta, d1, d2, alphas, betas, X, y, hidden)
    assert fast.shape == slow.shape == (grid + 1, grid)
    np.testing.assert_allclose(fast, slow, **TOLERANCE[dtype])


def test_mlp_bce_grid_matches_an_independent_forward_pass():
    """Direct formula: -mean(y log σ(z) + (1-y) log(1-σ(z))) with z from explicit matrices."""
    rng = np.random.default_rng(5)
    hidden = 3
    theta, d1, d2, X, y = mlp_case(rng, hidden, 9, np.float64)
    alphas, betas = np.array([0.0, 0.3]), np.array([-0.2])
    loss = mlp_bce_grid(theta, d1, d2, alphas, betas, X, y, hidden)
    for j, a in enumerate(alphas):
        p = theta + a * d1 + betas[0] * d2
        W1, b1, w2, b2 = p[:6].reshape(3, 2), p[6:9], p[9:12], p[12]
        z = np.tanh(X @ W1.T + b1) @ w2 + b2
        probability = 1 / (1 + np.exp(-z))
        expected = -np.mean(y * np.log(probability) + (1 - y) * np.log(1 - probability))
        assert loss[0, j] == pytest.approx(expected, rel=1e-10)


def test_w5_grid_timing_numba_vs_numpy():
    """W5: 201×201 (w, b) grid over 1,000 points. Reported, not asserted (shared machines drift)."""
    w, b, x, y = linear_case(np.random.default_rng(6), 201, 201, 1000, np.float32)
    linear_mse_grid.accelerated(w, b, x, y)  # compile / load from cache
    timings = {}
    for name, side, repeats in (("numba", linear_mse_grid.accelerated, 20), ("numpy", linear_mse_grid.reference, 3)):
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = side(w, b, x, y)
            runs.append(time.perf_counter() - start)
        timings[name] = (float(np.median(runs)), result)
    np.testing.assert_allclose(timings["numba"][1], timings["numpy"][1], rtol=2e-4)
    print(
        f"\nW5 201x201 grid, N=1000, float32: numba {timings['numba'][0] * 1e3:.1f} ms, "
        f"numpy reference {timings['numpy'][0] * 1e3:.1f} ms"
    )
