"""Conv, pool and softmax-cross-entropy kernels: the Numba loops equal their NumPy references.

Random odd shapes, strides, kernel sizes, float32 and float64, and non-contiguous inputs (strided
and transposed views), since the compiled loops index arrays themselves.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.kernels import conv, pool, softmax_ce

LAYOUTS = ("contiguous", "strided", "transposed")
TOLERANCE = {np.float32: 2e-4, np.float64: 1e-10}


def make(rng, shape, dtype, layout):
    """A standard-normal array of `shape` stored contiguously, as every other column, or transposed."""
    if layout == "strided":
        wide = rng.standard_normal((*shape[:-1], 2 * shape[-1])).astype(dtype)
        return wide[..., ::2]
    if layout == "transposed":
        return rng.standard_normal(shape[::-1]).astype(dtype).T  # Fortran order: no axis is contiguous in C terms
    return rng.standard_normal(shape).astype(dtype)


def assert_close(got, expected, dtype):
    assert got.dtype == expected.dtype == dtype
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@st.composite
def windows(draw, max_channels_out=4):
    """Sizes of a sliding-window problem: batch, channels, kernel, stride and an input at least as big as the kernel."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return dict(
        n=draw(st.integers(1, 3)),
        c_in=draw(st.integers(1, 3)),
        c_out=draw(st.integers(1, max_channels_out)),
        kh=kh,
        kw=kw,
        sh=draw(st.integers(1, 3)),
        sw=draw(st.integers(1, 3)),
        height=draw(st.integers(kh, kh + 7)),
        width=draw(st.integers(kw, kw + 7)),
        dtype=draw(st.sampled_from([np.float32, np.float64])),
        layout=draw(st.sampled_from(LAYOUTS)),
        seed=draw(st.integers(0, 2**16)),
    )


def out_size(s):
    return (s["height"] - s["kh"]) // s["sh"] + 1, (s["width"] - s["kw"]) // s["sw"] + 1


@settings(max_examples=30, deadline=None)
@given(s=windows())
def test_conv2d_forward_parity(s):
    rng = np.random.default_rng(s["seed"])
    x = make(rng, (s["n"], s["c_in"], s["height"], s["width"]), s["dtype"], s["layout"])
    weight = make(rng, (s["c_out"], s["c_in"], s["kh"], s["kw"]), s["dtype"], s["layout"])
    expected = conv.conv2d_forward.reference(x, weight, s["sh"], s["sw"])
    assert expected.shape == (s["n"], s["c_out"], *out_size(s))
    assert_close(conv.conv2d_forward.accelerated(x, weight, s["sh"], s["sw"]), expected, s["dtype"])


@settings(max_examples=30, deadline=None)
@given(s=windows())
def test_conv2d_backward_parity(s):
    rng = np.random.default_rng(s["seed"])
    x = make(rng, (s["n"], s["c_in"], s["height"], s["width"]), s["dtype"], s["layout"])
    weight = make(rng, (s["c_out"], s["c_in"], s["kh"], s["kw"]), s["dtype"], s["layout"])
    grad_out = make(rng, (s["n"], s["c_out"], *out_size(s)), s["dtype"], s["layout"])
    args = (grad_out, weight, s["sh"], s["sw"], s["height"], s["width"])
    expected_x = conv.conv2d_backward_input.reference(*args)
    assert expected_x.shape == x.shape
    assert_close(conv.conv2d_backward_input.accelerated(*args), expected_x, s["dtype"])
    args = (x, grad_out, s["kh"], s["kw"], s["sh"], s["sw"])
    expected_w = conv.conv2d_backward_weight.reference(*args)
    assert expected_w.shape == weight.shape
    assert_close(conv.conv2d_backward_weight.accelerated(*args), expected_w, s["dtype"])


def test_conv2d_reference_matches_the_formula():
    """The im2col reference against the definition, summed term by term (a check of the check)."""
    rng = np.random.default_rng(1)
    x, weight = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    sh, sw = 2, 3
    out = conv.conv2d_forward.reference(x, weight, sh, sw)
    for n, o, i, j in np.ndindex(out.shape):
        window = x[n, :, i * sh : i * sh + 3, j * sw : j * sw + 2]
        assert out[n, o, i, j] == pytest.approx((window * weight[o]).sum(), rel=1e-12, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(s=windows(), ties=st.booleans())
def test_max_pool2d_parity(s, ties):
    rng = np.random.default_rng(s["seed"])
    shape = (s["n"], s["c_in"], s["height"], s["width"])
    x = make(rng, shape, s["dtype"], s["layout"])
    if ties:  # few distinct values: many windows hold their maximum twice (the first one must win)
        x = np.round(x)
    out_ref, argmax_ref = pool.max_pool2d_forward.reference(x, s["kh"], s["kw"], s["sh"], s["sw"])
    out, argmax = pool.max_pool2d_forward.accelerated(x, s["kh"], s["kw"], s["sh"], s["sw"])
    assert out.shape == argmax.shape == (s["n"], s["c_in"], *out_size(s))
    assert out.dtype == s["dtype"] and argmax.dtype == np.int64
    np.testing.assert_array_equal(out, out_ref)
    np.testing.assert_array_equal(argmax, argmax_ref)
    np.testing.assert_array_equal(
        np.take_along_axis(x.reshape(*shape[:2], -1), argmax.reshape(*shape[:2], -1), 2).reshape(out.shape), out
    )
    grad_out = make(rng, out.shape, s["dtype"], s["layout"])
    args = (grad_out, argmax, s["height"], s["width"])
    assert_close(pool.max_pool2d_backward.accelerated(*args), pool.max_pool2d_backward.reference(*args), s["dtype"])


@settings(max_examples=30, deadline=None)
@given(s=windows())
def test_avg_pool2d_parity(s):
    rng = np.random.default_rng(s["seed"])
    x = make(rng, (s["n"], s["c_in"], s["height"], s["width"]), s["dtype"], s["layout"])
    window = (s["kh"], s["kw"], s["sh"], s["sw"])
    assert_close(
        pool.avg_pool2d_forward.accelerated(x, *window), pool.avg_pool2d_forward.reference(x, *window), s["dtype"]
    )
    grad_out = make(rng, (s["n"], s["c_in"], *out_size(s)), s["dtype"], s["layout"])
    args = (grad_out, *window, s["height"], s["width"])
    assert_close(pool.avg_pool2d_backward.accelerated(*args), pool.avg_pool2d_backward.reference(*args), s["dtype"])


def test_max_pool2d_backward_adds_up_overlapping_windows():
    x = np.array([[[[0.0, 9.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]])  # the 9 is in both upper 2×2 windows
    for version in (pool.max_pool2d_forward.reference, pool.max_pool2d_forward.accelerated):
        out, argmax = version(x, 2, 2, 1, 1)
        np.testing.assert_array_equal(argmax[0, 0], [[1, 1], [3, 4]])  # flat positions in the 3×3 plane (ties: first)
    for version in (pool.max_pool2d_backward.reference, pool.max_pool2d_backward.accelerated):
        grad = version(np.ones((1, 1, 2, 2)), argmax, 3, 3)
        np.testing.assert_array_equal(grad[0, 0], [[0, 2, 0], [1, 1, 0], [0, 0, 0]])


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 9),
    c=st.integers(1, 12),
    scale=st.sampled_from([1.0, 30.0, 1000.0]),
    dtype=st.sampled_from([np.float32, np.float64]),
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 2**16),
)
def test_softmax_cross_entropy_parity(n, c, scale, dtype, layout, seed):
    rng = np.random.default_rng(seed)
    logits = make(rng, (n, c), dtype, layout) * dtype(scale)
    labels = rng.integers(0, c, size=2 * n)[::2]  # a strided label array
    loss_ref = softmax_ce.softmax_cross_entropy_forward.reference(logits, labels)
    loss = softmax_ce.softmax_cross_entropy_forward.accelerated(logits, labels)
    assert np.isfinite(loss).all() and (loss >= 0).all()
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss, loss_ref, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    grad_loss = rng.uniform(0.1, 1.0, n).astype(dtype)
    args = (logits, labels, grad_loss)
    grad = softmax_ce.softmax_cross_entropy_backward.accelerated(*args)
    assert_close(grad, softmax_ce.softmax_cross_entropy_backward.reference(*args), dtype)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-5)  # softmax sums to 1, the one-hot too


@pytest.mark.parametrize("module", [conv, pool, softmax_ce], ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_warmup_examples_run_in_both_dtypes(module):
    """The inputs `dlcourse warmup` compiles with: both dtypes, and every kernel of the module."""
    seen = {}
    for kern, args in module.warmup_examples():
        compiled, reference = kern.accelerated(*args), kern.reference(*args)
        for got, expected in zip(_as_tuple(compiled), _as_tuple(reference)):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        seen.setdefault(kern.__name__, set()).add(args[0].dtype)
    kernels = {name for name, value in vars(module).items() if type(value).__name__ == "Kernel"}
    assert set(seen) == kernels
    assert all(dtypes == {np.dtype(np.float32), np.dtype(np.float64)} for dtypes in seen.values())


def _as_tuple(result):
    return result if isinstance(result, tuple) else (result,)
