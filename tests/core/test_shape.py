"""Shape ops: reshape, transpose/.T/permute, squeeze/unsqueeze/flatten, concatenate, stack."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import dlcourse as dl
from tests.core import leaf
from tests.parity import assert_matches_torch


@pytest.mark.parametrize("shape", [(12,), (3, 4), (2, 2, 3), (4, -1), (-1,), (1, 12, 1)], ids=str)
def test_reshape_gradcheck(shape):
    x = leaf((2, 6))
    # multiplying by a fixed non-uniform array makes a wrong element order visible in the gradient
    weights = np.arange(1.0, 13.0).reshape(x.data.reshape(shape).shape)
    assert dl.gradcheck(lambda t: t.reshape(shape) * weights, x)


def test_reshape_of_a_scalar():
    x = leaf(())
    assert dl.gradcheck(lambda t: t.reshape(1, 1) * 3, x)


@pytest.mark.parametrize("axes", list(itertools.permutations(range(3))) + [(-1, 0, 1), (0, -1, -2), (2, -2, 0)])
def test_transpose_gradcheck_with_axes(axes):
    x = leaf((2, 3, 4))
    out = x.transpose(*axes)
    assert out.shape == x.data.transpose(axes).shape
    weights = np.arange(24.0).reshape(out.shape)  # non-uniform, so a wrong inverse permutation fails
    assert dl.gradcheck(lambda t: t.transpose(*axes) * weights, x)


def test_transpose_negative_axes_gradient_is_the_inverse_permutation():
    x = dl.tensor(np.zeros((2, 3)), requires_grad=True)
    w = np.arange(6.0).reshape(3, 2)
    (x.transpose(-1, 0) * w).sum().backward()
    np.testing.assert_array_equal(x.grad, w.T)


@pytest.mark.parametrize(
    "name, fn",
    [
        ("T", lambda t: t.T),
        ("transpose()", lambda t: t.transpose()),
        ("permute", lambda t: t.permute(1, 2, 0)),
        ("flatten", lambda t: t.flatten()),
        ("flatten(1)", lambda t: t.flatten(1)),
        ("unsqueeze(1)", lambda t: t.unsqueeze(1)),
        ("unsqueeze(-1)", lambda t: t.unsqueeze(-1)),
        ("squeeze", lambda t: t.unsqueeze(0).squeeze(0)),
    ],
)
def test_other_shape_methods_gradcheck(name, fn):
    x = leaf((2, 3, 4))
    weights = np.random.default_rng(1).uniform(0.5, 1.5, size=fn(x).shape)
    assert dl.gradcheck(lambda t: fn(t) * weights, x)


def test_T_of_vectors_and_matrices():
    assert dl.tensor(np.ones(3)).T.shape == (3,)
    x = leaf((3, 4))
    assert dl.gradcheck(lambda t: t.T @ t, x)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_concatenate_gradcheck_along_several_axes(axis):
    base = [2, 3, 4]
    shapes = []
    for size in (1, 2, 3):
        shape = list(base)
        shape[axis] = size
        shapes.append(tuple(shape))
    inputs = [leaf(s, seed=i) for i, s in enumerate(shapes)]
    out = dl.concatenate(inputs, axis=axis)
    np.testing.assert_array_equal(out.data, np.concatenate([t.data for t in inputs], axis=axis))
    assert dl.gradcheck(lambda *ts: dl.concatenate(ts, axis=axis) ** 2, *inputs)


def test_concatenate_with_a_constant_and_a_single_tensor():
    x = leaf((2, 3))
    constant = np.ones((1, 3))
    assert dl.gradcheck(lambda t: dl.concatenate([t, constant]) * 2, x)
    assert dl.gradcheck(lambda t: dl.concatenate([t]) * 2, x)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_stack_gradcheck_along_several_axes(axis):
    inputs = [leaf((2, 3), seed=i) for i in range(3)]
    out = dl.stack(inputs, axis=axis)
    np.testing.assert_array_equal(out.data, np.stack([t.data for t in inputs], axis=axis))
    assert dl.gradcheck(lambda *ts: dl.stack(ts, axis=axis) ** 2, *inputs)


def test_stack_a_tensor_with_itself():
    x = leaf((3,))
    assert dl.gradcheck(lambda t: dl.stack([t, t * 2, t]) ** 2, x)


# ----------------------------------------------------------------- torch parity


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_stack_match_torch(axis):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((2, 3)) for _ in range(3)]
    assert_matches_torch(lambda *ts: dl.stack(ts, axis=axis), lambda *ts: torch.stack(ts, dim=axis), arrays)
    cat_arrays = [rng.standard_normal((2, 3)), rng.standard_normal((2, 3))]
    assert_matches_torch(lambda *ts: dl.concatenate(ts, axis=axis), lambda *ts: torch.cat(ts, dim=axis), cat_arrays)


def test_reshape_and_transpose_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((2, 3, 4))
    assert_matches_torch(lambda t: t.reshape(4, 6).T, lambda t: t.reshape(4, 6).T, [x])
    assert_matches_torch(lambda t: t.transpose(-1, 0, 1), lambda t: t.permute(-1, 0, 1), [x])
    assert_matches_torch(lambda t: t.flatten(1), lambda t: torch.flatten(t, 1), [x])
