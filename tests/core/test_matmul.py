"""Matrix multiplication: 1-D, 2-D, batched and broadcast-batched operands; gradcheck and torch parity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse as dl
from tests.core import leaf
from tests.parity import assert_matches_torch

SHAPES = [
    ((4,), (4,)),  # vector · vector → scalar
    ((4,), (4, 5)),  # vector · matrix
    ((3, 4), (4,)),  # matrix · vector
    ((3, 4), (4, 5)),
    ((1, 4), (4, 1)),
    ((2, 3, 4), (4, 5)),  # batched · matrix
    ((3, 4), (2, 4, 5)),  # matrix · batched
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),  # broadcast batch axes
    ((4,), (2, 4, 5)),  # vector · batched
    ((2, 3, 4), (4,)),  # batched · vector
]
IDS = [f"{a}@{b}" for a, b in SHAPES]


@pytest.mark.parametrize("shape_x, shape_y", SHAPES, ids=IDS)
def test_matmul_gradcheck(shape_x, shape_y):
    x, y = leaf(shape_x, 1), leaf(shape_y, 2)
    out = x @ y
    assert out.shape == np.matmul(x.data, y.data).shape
    np.testing.assert_allclose(out.data, np.matmul(x.data, y.data))
    assert dl.gradcheck(lambda a, b: a @ b, x, y)


@pytest.mark.parametrize("shape_x, shape_y", SHAPES, ids=IDS)
def test_matmul_gradcheck_one_side_constant(shape_x, shape_y):
    x, y = leaf(shape_x, 1), leaf(shape_y, 2)
    assert dl.gradcheck(lambda a: a @ y.data, x)  # ndarray on the right
    assert dl.gradcheck(lambda b: x.data @ b, y)  # ndarray on the left (Tensor.__rmatmul__)


@pytest.mark.parametrize(
    "name, fn",
    [("x@x.T", lambda x: x @ x.T), ("x.T@x", lambda x: x.T @ x), ("x@x[0]", lambda x: x @ x[0, :3])],
)
def test_matmul_reused_input_gradcheck(name, fn):
    assert dl.gradcheck(fn, leaf((3, 3)) if name == "x@x[0]" else leaf((3, 4)))


def test_square_matrix_times_itself():
    assert dl.gradcheck(lambda x: x @ x @ x, leaf((3, 3)))


def test_matmul_with_a_python_list():
    x = dl.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    out = x @ [[1.0], [1.0]]
    np.testing.assert_array_equal(out.data, [[3.0], [7.0]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 2)))


def test_matmul_keeps_float32():
    x = dl.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    w = dl.tensor(np.ones((3, 4), np.float32), requires_grad=True)
    out = x @ w
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


@settings(max_examples=25, deadline=None, database=None)
@given(
    batch=st.lists(st.sampled_from([(1, 1), (1, 2), (2, 1), (2, 2), (3, 3)]), max_size=2),
    m=st.integers(1, 3),
    k=st.integers(1, 3),
    n=st.integers(1, 3),
    vector_x=st.booleans(),
    vector_y=st.booleans(),
    drop_x=st.integers(0, 2),
    seed=st.integers(0, 1000),
)
def test_matmul_gradcheck_on_random_broadcast_batches(batch, m, k, n, vector_x, vector_y, drop_x, seed):
    batch_x = tuple(a for a, _ in batch)[min(drop_x, len(batch)) :]  # x may have fewer batch axes than y
    batch_y = tuple(b for _, b in batch)
    shape_x = (k,) if vector_x else batch_x + (m, k)
    shape_y = (k,) if vector_y else batch_y + (k, n)
    x, y = leaf(shape_x, seed), leaf(shape_y, seed + 1)
    np.testing.assert_allclose((x @ y).data, np.matmul(x.data, y.data), rtol=1e-12)
    assert dl.gradcheck(lambda a, b: a @ b, x, y)


@pytest.mark.parametrize("shape_x, shape_y", SHAPES, ids=IDS)
def test_matmul_matches_torch(shape_x, shape_y):
    pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(shape_x), rng.standard_normal(shape_y)
    assert_matches_torch(lambda a, b: a @ b, lambda a, b: a @ b, [x, y], rtol=1e-10, atol=1e-12)
    assert_matches_torch(
        lambda a, b: a @ b, lambda a, b: a @ b, [x.astype(np.float32), y.astype(np.float32)], rtol=1e-4, atol=1e-5
    )
