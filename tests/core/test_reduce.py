"""Reductions sum/mean/max/min (and var): gradcheck over every axis form, ties, torch parity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dlcourse as dl
from tests.core import leaf
from tests.parity import assert_matches_torch

AXES = [None, 0, 1, 2, -1, -2, (0, 2), (-1, 0), (0, 1, 2), [1, 2]]
METHODS = ["sum", "mean", "max", "min", "var"]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("method", METHODS)
def test_reduction_gradcheck(method, axis, keepdims):
    x = leaf((2, 3, 4), seed=4)
    out = getattr(x, method)(axis=axis, keepdims=keepdims)
    expected_axis = tuple(axis) if isinstance(axis, list) else axis
    assert out.shape == getattr(x.data, method)(axis=expected_axis, keepdims=keepdims).shape
    assert dl.gradcheck(lambda t: getattr(t, method)(axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape, axis", [((), None), ((5,), None), ((5,), 0), ((5,), -1), ((1, 4), 0)], ids=str)
def test_reduction_gradcheck_small_shapes(method, shape, axis):
    x = leaf(shape, seed=5)
    assert dl.gradcheck(lambda t: getattr(t, method)(axis=axis), x)


@pytest.mark.parametrize("method", ["max", "min"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_max_min_with_pairs_of_ties_gradcheck(method, axis):
    # central differences at a two-way tie give exactly ½ for each: the same as splitting evenly
    x = dl.tensor(np.array([[3.0, 1.0, 3.0], [-2.0, 5.0, -2.0], [1.0, 5.0, 0.0]]), requires_grad=True)
    assert dl.gradcheck(lambda t: getattr(t, method)(axis=axis), x)


def test_max_splits_the_gradient_evenly_among_ties():
    x = dl.tensor(np.array([[2.0, 7.0, 7.0, 7.0], [1.0, 0.0, 1.0, -4.0]]), requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 1 / 3, 1 / 3, 1 / 3], [0.5, 0, 0.5, 0]])
    x.zero_grad()
    x.min().backward()
    np.testing.assert_allclose(x.grad, [[0, 0, 0, 0], [0, 0, 0, 1]])
    x.zero_grad()
    x.max().backward()
    np.testing.assert_allclose(x.grad, [[0, 1 / 3, 1 / 3, 1 / 3], [0, 0, 0, 0]])


def test_max_keeps_float32():
    x = dl.tensor(np.array([[1.0, 3.0], [3.0, 2.0]], np.float32), requires_grad=True)
    x.max(axis=0, keepdims=True).sum().backward()
    assert x.grad.dtype == np.float32


def test_mean_gradient_is_one_over_the_count():
    x = dl.tensor(np.ones((2, 3, 4)), requires_grad=True)
    x.mean(axis=(0, 2)).sum().backward()
    np.testing.assert_allclose(x.grad, np.full((2, 3, 4), 1 / 8))


@settings(max_examples=25, deadline=None, database=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=3),
    data=st.data(),
    method=st.sampled_from(["sum", "mean", "max", "min"]),
    keepdims=st.booleans(),
)
def test_reduction_gradcheck_on_random_shapes_and_axes(shape, data, method, keepdims):
    ndim = len(shape)
    axis = data.draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple),
        )
    )
    x = leaf(shape, seed=data.draw(st.integers(0, 1000)))
    out = getattr(x, method)(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, getattr(x.data, method)(axis=axis, keepdims=keepdims))
    assert dl.gradcheck(lambda t: getattr(t, method)(axis=axis, keepdims=keepdims), x)


# ----------------------------------------------------------------- torch parity


def _torch_reduction(method, axis, keepdims):
    torch = pytest.importorskip("torch")

    def run(t):
        dims = tuple(range(t.ndim)) if axis is None else axis
        if method == "max":
            return torch.amax(t, dim=dims, keepdim=keepdims)  # amax splits ties evenly, like dlcourse
        if method == "min":
            return torch.amin(t, dim=dims, keepdim=keepdims)
        return getattr(t, method)(dim=dims, keepdim=keepdims)

    return run


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)], ids=str)
@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
def test_reductions_match_torch(method, axis, keepdims):
    rng = np.random.default_rng(11)
    values = rng.integers(-3, 4, size=(2, 3, 4)).astype(np.float64)  # small integers: plenty of ties
    assert_matches_torch(
        lambda t: getattr(t, method)(axis=axis, keepdims=keepdims),
        _torch_reduction(method, axis, keepdims),
        [values],
        rtol=1e-12,
    )
    assert_matches_torch(
        lambda t: getattr(t, method)(axis=axis, keepdims=keepdims),
        _torch_reduction(method, axis, keepdims),
        [rng.standard_normal((2, 3, 4)).astype(np.float32)],
    )
