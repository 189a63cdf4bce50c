"""conv2d as an op: gradients (gradcheck on every element), both algorithms, both backends, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.nn import functional as F
from dlcourse.ops import conv as conv_op
from tests.parity import assert_matches_torch


def tensors(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [dl.tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes]


@pytest.mark.parametrize(
    "stride, padding",
    [(1, 0), (1, 1), (2, 0), (2, 1), (1, (1, 2)), ((2, 1), (0, 1)), ((1, 3), 2)],
)
def test_gradcheck_conv2d(backend, stride, padding):
    x, weight, bias = tensors(0, (2, 2, 6, 5), (3, 2, 3, 2), (3,))  # non-square input and kernel
    assert dl.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding), x, weight, bias)


def test_gradcheck_conv2d_without_bias_and_1x1_kernel(backend):
    x, weight = tensors(1, (3, 4, 4, 3), (2, 4, 1, 1))
    assert dl.gradcheck(lambda x, w: F.conv2d(x, w), x, weight)


def test_gradcheck_conv2d_input_used_twice(backend):
    x, weight = tensors(2, (1, 2, 5, 5), (2, 2, 3, 3))
    assert dl.gradcheck(lambda x, w: F.conv2d(x, w, padding=1) * x, x, weight)  # x reaches the output twice


def test_output_shape_and_dtype():
    x = dl.tensor(np.zeros((4, 3, 10, 7), np.float32))
    weight = dl.tensor(np.zeros((5, 3, 3, 2), np.float32))
    out = F.conv2d(x, weight, stride=(2, 1), padding=(1, 0))
    assert out.shape == (4, 5, (10 + 2 - 3) // 2 + 1, (7 - 2) // 1 + 1)
    assert out.dtype == np.float32


@pytest.mark.parametrize("limit", [0, 10**12], ids=["im2col-blas", "loops"])
def test_both_algorithms_give_torchs_result(limit, monkeypatch):
    """The op picks loops or im2col + BLAS by size: force each and compare both with torch."""
    monkeypatch.setattr(conv_op, "LOOPS_UP_TO_MACS", dict.fromkeys(conv_op.LOOPS_UP_TO_MACS, limit))
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((3, 2, 7, 6)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)]
    assert_matches_torch(
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride=2, padding=1),
        arrays,
        rtol=1e-10,
        atol=1e-10,
    )


def test_big_convolution_uses_blas_and_small_uses_loops():
    """Small convolutions run the kernel (compiled loops with the numba backend), big ones im2col + BLAS."""
    kern = conv_op.conv2d_forward
    small = conv_op._macs(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), (1, 1))
    big = conv_op._macs(np.ones((64, 16, 30, 30)), np.ones((32, 16, 3, 3)), (1, 1))
    assert (small, big) == (4 * 9, 64 * 32 * 28 * 28 * 16 * 9)
    assert conv_op._pick(kern, small) is kern
    assert conv_op._pick(kern, big) is kern.reference


def test_backends_agree():
    rng = np.random.default_rng(4)
    x, weight, bias = (rng.standard_normal(s).astype(np.float32) for s in [(5, 3, 9, 8), (4, 3, 3, 3), (4,)])
    results = {}
    previous = dl.get_backend()
    try:
        for name in ("numba", "numpy"):
            dl.set_backend(name)
            xt, wt, bt = (dl.tensor(a, requires_grad=True) for a in (x, weight, bias))
            out = F.conv2d(xt, wt, bt, stride=(1, 2), padding=1)
            (out * out).sum().backward()
            results[name] = [out.data, xt.grad, wt.grad, bt.grad]
    finally:
        dl.set_backend(previous)
    for a, b in zip(results["numba"], results["numpy"]):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_mixed_dtypes_compute_in_float64_and_grads_keep_dtypes():
    x = dl.tensor(np.ones((1, 1, 3, 3)), requires_grad=True)  # float64 data
    weight = dl.tensor(np.ones((1, 1, 2, 2), np.float32), requires_grad=True)  # float32 parameter
    out = F.conv2d(x, weight)
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float64 and weight.grad.dtype == np.float32
    np.testing.assert_array_equal(weight.grad, np.full((1, 1, 2, 2), 4.0))


# ------------------------------------------------------------------------------------------ errors
def test_error_two_dimensional_input():
    # (C, H, W) is one unbatched image, as in PyTorch; a bare (H, W) is a mistake
    with pytest.raises(ValueError, match=r"conv2d expects input of shape \(N, C_in, H, W\), got \(8, 8\)"):
        F.conv2d(np.zeros((8, 8)), np.zeros((4, 3, 3, 3)))


def test_error_weight_not_four_dimensional():
    with pytest.raises(ValueError, match=r"weight of shape \(C_out, C_in, KH, KW\), got \(4, 9\)"):
        F.conv2d(np.zeros((1, 1, 8, 8)), np.zeros((4, 9)))


def test_error_channel_mismatch_names_both():
    with pytest.raises(ValueError, match=r"input \(2, 3, 8, 8\) has C_in=3 .* weight \(8, 1, 3, 3\) expects C_in=1"):
        F.conv2d(np.zeros((2, 3, 8, 8)), np.zeros((8, 1, 3, 3)))


def test_error_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"kernel 5×5 is larger than the padded input 4×4"):
        F.conv2d(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 5, 5)), padding=1)
    F.conv2d(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 4, 4)), padding=1)  # exactly fits: fine


def test_error_bias_shape():
    with pytest.raises(ValueError, match=r"bias must have shape \(C_out,\) = \(4,\), got \(3,\)"):
        F.conv2d(np.zeros((1, 1, 5, 5)), np.zeros((4, 1, 3, 3)), np.zeros(3))


@pytest.mark.parametrize("stride, padding", [(0, 0), ((1, 2, 3), 0), (1, -1), (1.5, 0)])
def test_error_bad_stride_or_padding(stride, padding):
    with pytest.raises(ValueError, match=r"conv2d: (stride|padding) must be an int"):
        F.conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), stride=stride, padding=padding)
