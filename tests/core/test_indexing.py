"""Indexing x[...]: values like NumPy, gradients by scatter-add (repeated picks accumulate), torch parity."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from tests.core import leaf
from tests.parity import assert_matches_torch

INDEXES = [
    ("int", 1),
    ("negative int", -1),
    ("two ints", (1, 2)),
    ("negative ints", (-1, -2)),
    ("slice", slice(1, None)),
    ("slice with step", (slice(None), slice(None, None, 2))),
    ("reversed slice", slice(None, None, -1)),
    ("two slices", (slice(1, 3), slice(-2, None))),
    ("None", None),
    ("None inside", (slice(None), None)),
    ("Ellipsis", (Ellipsis, 1)),
    ("Ellipsis first", (0, Ellipsis)),
    ("bool mask", np.array([[True, False, True], [False, False, True], [True, True, True], [False] * 3])),
    ("bool rows", np.array([True, False, True, True])),
    ("int array", np.array([2, 0, 3])),
    ("repeated int array", np.array([0, 2, 0, 0, 3])),
    ("negative int array", np.array([-1, 0, -1])),
    ("uint array", np.array([1, 1, 3], np.uint8)),
    ("int list", [0, 0, 1]),
    ("2-D int array", np.array([[0, 1], [1, 1], [3, 0]])),
    ("row-column pairs", (np.array([0, 1, 2, 3, 0]), np.array([2, 0, 1, 1, 2]))),
    ("slice and array", (slice(None), np.array([0, 0, 2]))),
    ("array and int", (np.array([3, 3, 1]), 1)),
]


@pytest.mark.parametrize("name, index", INDEXES, ids=[i[0] for i in INDEXES])
def test_indexing_values_match_numpy_and_gradcheck(name, index, backend):
    x = leaf((4, 3), seed=2)
    out = x[index]
    np.testing.assert_array_equal(out.data, x.data[index])
    assert dl.gradcheck(lambda t: t[index], x)


@pytest.mark.parametrize("index", [np.array([0, 2, 2, 2]), np.array([1, -3, 1]), (slice(None), 0, np.array([1, 1]))])
def test_indexing_a_3d_tensor_gradcheck(index, backend):
    x = leaf((3, 2, 4), seed=6)
    np.testing.assert_array_equal(x[index].data, x.data[index])
    assert dl.gradcheck(lambda t: t[index], x)


def test_repeated_indices_accumulate(backend):
    x = dl.tensor(np.zeros((4, 2)), requires_grad=True)
    x[np.array([1, 1, 1, 3, -1])].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0], [3, 3], [0, 0], [2, 2]])


def test_label_picking_pairs_accumulate(backend):
    # x[np.arange(n), labels]: the pick of cross-entropy; the same row may be picked twice via a repeat
    logits = dl.tensor(np.zeros((3, 4), np.float32), requires_grad=True)
    rows = np.array([0, 1, 2, 0])
    labels = np.array([3, 0, 2, 3])
    picked = logits[rows, labels]
    assert picked.shape == (4,) and picked.dtype == np.float32
    picked.sum().backward()
    expected = np.zeros((3, 4), np.float32)
    expected[0, 3], expected[1, 0], expected[2, 2] = 2, 1, 1
    np.testing.assert_array_equal(logits.grad, expected)
    assert logits.grad.dtype == np.float32


def test_a_tensor_can_be_the_index(backend):
    x = leaf((4, 3))
    mask = x > 0
    np.testing.assert_array_equal(x[mask].data, x.data[x.data > 0])
    assert dl.gradcheck(lambda t: t[t > 0], x)
    rows = dl.tensor(np.array([3, 3, 0]))
    np.testing.assert_array_equal(x[rows].data, x.data[[3, 3, 0]])
    assert dl.gradcheck(lambda t: t[rows], x)


def test_integer_array_index_on_a_vector_and_a_scalar_result(backend):
    v = leaf((5,))
    assert dl.gradcheck(lambda t: t[np.array([4, 4, 0])], v)
    assert dl.gradcheck(lambda t: t[np.array(2)], v)  # a 0-d integer array picks one element
    assert dl.gradcheck(lambda t: t[3], v)


def test_empty_integer_index_gives_a_zero_gradient(backend):
    x = dl.tensor(np.ones((3, 2)), requires_grad=True)
    out = x[np.array([], dtype=np.int64)]
    assert out.shape == (0, 2)
    (out.sum() + x.sum()).backward()
    np.testing.assert_array_equal(x.grad, np.ones((3, 2)))


def test_numba_and_numpy_backends_agree_on_the_indexing_gradient():
    rng = np.random.default_rng(9)
    values = rng.standard_normal((50, 7)).astype(np.float32)
    index = rng.integers(-50, 50, size=200)
    weights = rng.standard_normal((200, 7)).astype(np.float32)
    grads = {}
    previous = dl.get_backend()
    try:
        for name in ("numba", "numpy"):
            dl.set_backend(name)
            x = dl.tensor(values, requires_grad=True)
            (x[index] * weights).sum().backward()
            grads[name] = x.grad
    finally:
        dl.set_backend(previous)
    np.testing.assert_allclose(grads["numba"], grads["numpy"], rtol=1e-5, atol=1e-6)


def test_iterating_over_a_tensor_yields_rows():
    rows = list(dl.tensor(np.arange(6.0).reshape(3, 2)))
    assert len(rows) == 3
    np.testing.assert_array_equal(rows[2].data, [4.0, 5.0])


# ----------------------------------------------------------------- torch parity


@pytest.mark.parametrize(
    "name, index",
    [
        ("repeated rows", np.array([0, 2, 0, 0, 3])),
        ("negative rows", np.array([-1, 1, -1])),
        ("pairs", (np.array([0, 1, 2, 3, 0]), np.array([2, 0, 1, 1, 2]))),
        ("columns", (slice(None), np.array([2, 2, 0]))),
        ("mask", np.array([[True, False, True], [False, False, True], [True, True, True], [False] * 3])),
        ("slices", (slice(1, None), slice(None, None, 2))),
        ("int", (2, 1)),
    ],
)
def test_indexing_matches_torch(name, index, backend):
    torch = pytest.importorskip("torch")
    parts = index if isinstance(index, tuple) else (index,)
    torch_index = tuple(torch.from_numpy(p) if isinstance(p, np.ndarray) else p for p in parts)
    x = np.random.default_rng(10).standard_normal((4, 3))
    assert_matches_torch(lambda t: t[index], lambda t: t[torch_index], [x], rtol=1e-12)
    assert_matches_torch(lambda t: t[index], lambda t: t[torch_index], [x.astype(np.float32)])
