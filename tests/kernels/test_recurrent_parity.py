"""The compiled RNN/LSTM time loops agree with their NumPy references (forward and BPTT)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlcourse.kernels import recurrent as K

TOLERANCE = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}

sizes = st.fixed_dictionaries(
    {
        "T": st.integers(1, 7),
        "N": st.integers(1, 4),
        "H": st.integers(1, 6),
        "dtype": st.sampled_from([np.float32, np.float64]),
        "seed": st.integers(0, 2**16),
    }
)


def _arrays(T, N, H, gates, dtype, seed):
    """Random x_proj (T, N, gates·H), W_hh (gates·H, H), h0, c0 (N, H) and upstream grads (T, N, H)."""
    rng = np.random.default_rng(seed)

    def draw(*shape, scale=1.0):
        return (scale * rng.standard_normal(shape)).astype(dtype)

    return (
        draw(T, N, gates * H, scale=1.5),
        draw(gates * H, H, scale=0.7),
        draw(N, H),
        draw(N, H),
        draw(T, N, H),
        draw(T, N, H),
    )


def assert_all_close(got, expected, dtype):
    assert len(got) == len(expected)
    for k, (g, e) in enumerate(zip(got, expected)):
        assert g.shape == e.shape, f"output {k}: shape {g.shape} vs {e.shape}"
        assert g.dtype == e.dtype, f"output {k}: dtype {g.dtype} vs {e.dtype}"
        np.testing.assert_allclose(g, e, err_msg=f"output {k} differs", **TOLERANCE[dtype])


@given(sizes=sizes, relu=st.sampled_from([0, 1]))
def test_rnn_forward_and_backward_match_reference(sizes, relu):
    T, N, H, dtype = sizes["T"], sizes["N"], sizes["H"], sizes["dtype"]
    x_proj, w_hh, h0, _, grad_hs, _ = _arrays(T, N, H, 1, dtype, sizes["seed"])
    hs = K.rnn_forward.accelerated(x_proj, w_hh, h0, relu)
    expected_hs = K.rnn_forward.reference(x_proj, w_hh, h0, relu)
    assert hs.dtype == dtype
    assert_all_close([hs], [expected_hs], dtype)
    got = K.rnn_backward.accelerated(grad_hs, w_hh, expected_hs, relu)
    expected = K.rnn_backward.reference(grad_hs, w_hh, expected_hs, relu)
    assert_all_close(got, expected, dtype)


@given(sizes=sizes)
def test_lstm_forward_and_backward_match_reference(sizes):
    T, N, H, dtype = sizes["T"], sizes["N"], sizes["H"], sizes["dtype"]
    x_proj, w_hh, h0, c0, grad_hs, grad_cs = _arrays(T, N, H, 4, dtype, sizes["seed"])
    got = K.lstm_forward.accelerated(x_proj, w_hh, h0, c0)
    expected = K.lstm_forward.reference(x_proj, w_hh, h0, c0)
    assert_all_close(got, expected, dtype)
    hs, cs, gates = expected
    got = K.lstm_backward.accelerated(grad_hs, grad_cs, w_hh, hs, cs, gates)
    expected = K.lstm_backward.reference(grad_hs, grad_cs, w_hh, hs, cs, gates)
    assert_all_close(got, expected, dtype)


def test_non_contiguous_inputs():
    """Views (a transposed weight, every other row of the states) give the same results as copies."""
    x_proj, w_hh, h0, c0, grad_hs, grad_cs = _arrays(5, 6, 3, 4, np.float64, seed=1)
    w_view = np.asfortranarray(w_hh)  # same values, column-major memory
    h_view, c_view = np.repeat(h0, 2, axis=0)[::2], np.repeat(c0, 2, axis=0)[::2]  # strided rows
    assert not w_view.flags.c_contiguous and not h_view.flags.c_contiguous
    expected = K.lstm_forward.reference(x_proj, w_hh, h0, c0)
    assert_all_close(K.lstm_forward.accelerated(x_proj, w_view, h_view, c_view), expected, np.float64)
    hs, cs, gates = expected
    assert_all_close(
        K.lstm_backward.accelerated(grad_hs, grad_cs, w_view, hs, cs, gates),
        K.lstm_backward.reference(grad_hs, grad_cs, w_hh, hs, cs, gates),
        np.float64,
    )
    rnn_x = x_proj[:, :, :3]  # a strided slice of the last axis
    assert not rnn_x.flags.c_contiguous
    rnn_w = w_hh[:3]
    assert_all_close(
        [K.rnn_forward.accelerated(rnn_x, rnn_w.T, h_view, 0)],
        [K.rnn_forward.reference(rnn_x, rnn_w.T, h0, 0)],
        np.float64,
    )


def test_saturated_gates_stay_finite():
    """Huge pre-activations (σ and tanh at ±1) must not overflow into NaN in either implementation."""
    x_proj, w_hh, h0, c0, grad_hs, grad_cs = _arrays(3, 2, 2, 4, np.float32, seed=2)
    x_proj = x_proj * 1e4
    for impl in (K.lstm_forward.accelerated, K.lstm_forward.reference):
        hs, cs, gates = impl(x_proj, w_hh, h0, c0)
        assert np.isfinite(hs).all() and np.isfinite(gates).all()
        assert set(np.unique(np.round(gates, 6))) <= {0.0, 1.0, -1.0}
    rnn_hs = K.rnn_forward.accelerated(x_proj[:, :, :2], w_hh[:2], h0, 0)
    np.testing.assert_array_equal(np.abs(rnn_hs[1:]), 1.0)


def test_grad_norms_are_norms_of_the_total_hidden_gradient():
    """norms[t] = ‖dL/dh_t‖ where dL/dh_t adds the output's gradient and what step t+1 sends back."""
    x_proj, w_hh, h0, _, grad_hs, _ = _arrays(4, 3, 2, 1, np.float64, seed=3)
    hs = K.rnn_forward.reference(x_proj, w_hh, h0, 0)
    only_last = np.zeros_like(grad_hs)
    only_last[-1] = grad_hs[-1]
    grad_pre, _, norms = K.rnn_backward.accelerated(only_last, w_hh, hs, 0)
    assert norms[-1] == pytest.approx(np.linalg.norm(grad_hs[-1]))
    # one step back: dL/dh_{T-1} = dL/dpre_T @ W_hh
    assert norms[-2] == pytest.approx(np.linalg.norm(grad_pre[-1] @ w_hh))


def test_warmup_examples_run_both_sides():
    examples = list(K.warmup_examples())
    assert {kern.__name__ for kern, _ in examples} == {"rnn_forward", "rnn_backward", "lstm_forward", "lstm_backward"}
    for kern, args in examples:
        got, expected = kern.accelerated(*args), kern.reference(*args)
        got, expected = (got, expected) if isinstance(got, tuple) else ((got,), (expected,))
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_course_sized_sequences_match_reference(dtype):
    """At W4's size (T 50, N 32, H 32) the loops run their vectorized bodies and remainders, not just tails."""
    x_proj, w_hh, h0, c0, grad_hs, grad_cs = _arrays(50, 32, 32, 4, dtype, seed=4)
    w_hh = w_hh * 0.3  # a stable recurrence, so errors are not amplified over 50 steps
    expected = K.lstm_forward.reference(x_proj, w_hh, h0, c0)
    assert_all_close(K.lstm_forward.accelerated(x_proj, w_hh, h0, c0), expected, dtype)
    hs, cs, gates = expected
    assert_all_close(
        K.lstm_backward.accelerated(grad_hs, grad_cs, w_hh, hs, cs, gates),
        K.lstm_backward.reference(grad_hs, grad_cs, w_hh, hs, cs, gates),
        dtype,
    )
    rnn_x, rnn_w = x_proj[:, :, :32].copy(), w_hh[:32] * 0.5
    rnn_hs = K.rnn_forward.reference(rnn_x, rnn_w, h0, 0)
    assert_all_close([K.rnn_forward.accelerated(rnn_x, rnn_w, h0, 0)], [rnn_hs], dtype)
    assert_all_close(
        K.rnn_backward.accelerated(grad_hs, rnn_w, rnn_hs, 0),
        K.rnn_backward.reference(grad_hs, rnn_w, rnn_hs, 0),
        dtype,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_tanh_and_sigmoid_are_accurate(dtype):
    """The loops' scalar tanh/σ: float32's rational fit within 4e-7 of the truth, float64 exact to rounding."""
    numba = pytest.importorskip("numba")
    from dlcourse import backend

    backend._register_helpers()

    @numba.njit(error_model="numpy")
    def apply(x, out_tanh, out_sigmoid):
        for j in range(x.size):
            out_tanh[j] = K.tanh(x[j])
            out_sigmoid[j] = K.sigmoid(x[j])

    x = np.concatenate([np.linspace(-30, 30, 200_001), [0.0, 1e-30, -1e-8, 9.0, -9.0, 1e4, -1e4]]).astype(dtype)
    out_tanh, out_sigmoid = np.empty_like(x), np.empty_like(x)
    apply(x, out_tanh, out_sigmoid)
    exact = x.astype(np.float64)
    tolerance = 4e-7 if dtype == np.float32 else 1e-15
    assert np.abs(out_tanh - np.tanh(exact)).max() <= tolerance
    assert np.abs(out_sigmoid - 0.5 * (1 + np.tanh(exact / 2))).max() <= tolerance
    assert np.abs(out_tanh).max() <= 1 and out_sigmoid.min() >= 0 and out_sigmoid.max() <= 1
    nan = np.array([np.nan], dtype)
    apply(nan, out_tanh[:1], out_sigmoid[:1])
    assert np.isnan(out_tanh[0]) and np.isnan(out_sigmoid[0])
