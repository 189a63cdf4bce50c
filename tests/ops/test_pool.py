"""max_pool2d and avg_pool2d as ops: gradients (overlapping windows too), ties, torch parity, errors."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.nn import functional as F
from tests.parity import assert_matches_torch, torch_or_skip

# kernel_size, stride: side by side, overlapping (stride < kernel), gaps (stride > kernel), non-square
WINDOWS = [(2, None), (2, 1), (3, 2), (2, 3), ((3, 2), (2, 1)), (1, None)]


def random_input(seed, shape=(2, 3, 7, 6)):
    # a permutation: all values distinct, so no maximum is a tie and finite differences are exact
    values = np.random.default_rng(seed).permutation(np.prod(shape)).reshape(shape) / 10.0
    return dl.tensor(values, requires_grad=True)


@pytest.mark.parametrize("kernel_size, stride", WINDOWS)
def test_gradcheck_max_pool2d(backend, kernel_size, stride):
    assert dl.gradcheck(lambda x: F.max_pool2d(x, kernel_size, stride), random_input(0))


@pytest.mark.parametrize("kernel_size, stride", WINDOWS)
def test_gradcheck_avg_pool2d(backend, kernel_size, stride):
    assert dl.gradcheck(lambda x: F.avg_pool2d(x, kernel_size, stride), random_input(1))


def test_gradcheck_pool_of_reused_input(backend):
    assert dl.gradcheck(lambda x: F.max_pool2d(x * x, 2, 1) + F.avg_pool2d(x, 2, 1), random_input(2, (1, 2, 5, 5)))


@pytest.mark.parametrize("kernel_size, stride", WINDOWS)
def test_pools_match_torch(backend, kernel_size, stride):
    torch = torch_or_skip()
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 6)).astype(np.float32)
    assert_matches_torch(
        lambda t: F.max_pool2d(t, kernel_size, stride),
        lambda t: torch.nn.functional.max_pool2d(t, kernel_size, stride),
        [x],
    )
    assert_matches_torch(
        lambda t: F.avg_pool2d(t, kernel_size, stride),
        lambda t: torch.nn.functional.avg_pool2d(t, kernel_size, stride),
        [x],
    )


@pytest.mark.parametrize("stride", [1, 2])
def test_max_pool2d_ties_send_the_gradient_where_torch_does(backend, stride):
    """Many equal values: the gradient goes to the first maximum of each window only, as in PyTorch."""
    torch = torch_or_skip()
    x = np.random.default_rng(4).integers(0, 3, size=(2, 2, 6, 6)).astype(np.float64)
    assert_matches_torch(
        lambda t: F.max_pool2d(t, 2, stride),
        lambda t: torch.nn.functional.max_pool2d(t, 2, stride),
        [x],
    )


def test_max_pool2d_all_equal_window_gives_its_whole_gradient_to_the_first_pixel(backend):
    x = dl.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_output_shape_dtype_and_default_stride():
    x = dl.tensor(np.zeros((4, 3, 9, 8), np.float32))
    assert F.max_pool2d(x, 2).shape == (4, 3, 4, 4)  # floor: the last row of 9 is dropped
    assert F.avg_pool2d(x, 3, 2).shape == (4, 3, 4, 3)
    assert F.max_pool2d(x, (3, 2), (1, 2)).shape == (4, 3, 7, 4)
    assert F.max_pool2d(x, 2).dtype == F.avg_pool2d(x, 2).dtype == np.float32


def test_backends_agree():
    x = np.random.default_rng(5).standard_normal((3, 4, 9, 7)).astype(np.float32)
    results = {}
    previous = dl.get_backend()
    try:
        for name in ("numba", "numpy"):
            dl.set_backend(name)
            t = dl.tensor(x, requires_grad=True)
            out = F.max_pool2d(t, 3, 2) * 2 + F.avg_pool2d(t, 3, 2)
            (out * out).sum().backward()
            results[name] = (out.data, t.grad)
    finally:
        dl.set_backend(previous)
    for a, b in zip(results["numba"], results["numpy"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_error_two_dimensional_input(pool):
    # (C, H, W) is one unbatched image, as in PyTorch; a bare (H, W) is a mistake
    name = pool.__name__
    with pytest.raises(ValueError, match=rf"{name} expects input of shape \(N, C, H, W\), got \(8, 8\)"):
        pool(np.zeros((8, 8)), 2)


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_error_kernel_larger_than_input(pool):
    with pytest.raises(ValueError, match=r"kernel 3×3 is larger than the input 2×2"):
        pool(np.zeros((1, 1, 2, 2)), 3)


@pytest.mark.parametrize("kernel_size, stride", [(0, None), (2, 0), ((2, 2, 2), None)])
def test_error_bad_kernel_or_stride(kernel_size, stride):
    with pytest.raises(ValueError, match=r"max_pool2d: (kernel_size|stride) must be an int"):
        F.max_pool2d(np.zeros((1, 1, 4, 4)), kernel_size, stride)


def test_error_integer_input():
    with pytest.raises(TypeError, match=r"max_pool2d: input must be floating point, got dtype uint8"):
        F.max_pool2d(np.zeros((1, 1, 4, 4), np.uint8), 2)
