"""Errors learners understand: each names the problem and the shapes, with no NumPy traceback chained."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from tests.core import assert_no_numpy_chain


def raised(error_type, fn):
    """The exception `fn()` raises (checked to be `error_type` and free of NumPy chains)."""
    with pytest.raises(error_type) as info:
        fn()
    assert_no_numpy_chain(info.value)
    return str(info.value)


def test_matmul_inner_sizes():
    a, b = dl.tensor(np.ones((3, 4))), dl.tensor(np.ones((5, 2)))
    message = raised(ValueError, lambda: a @ b)
    assert "cannot multiply (3, 4) by (5, 2): inner sizes 4 and 5 differ" in message
    assert isinstance(pytest.raises(dl.ShapeError, lambda: a @ b).value, ValueError)


def test_matmul_vectors_and_batches():
    message = raised(ValueError, lambda: dl.tensor(np.ones(3)) @ dl.tensor(np.ones(4)))
    assert "(3,)" in message and "(4,)" in message and "inner sizes 3 and 4" in message
    message = raised(ValueError, lambda: dl.tensor(np.ones((2, 3, 4))) @ dl.tensor(np.ones((5, 4, 2))))
    assert "(2, 3, 4)" in message and "(5, 4, 2)" in message and "batch" in message
    message = raised(ValueError, lambda: dl.tensor(np.ones(3)) @ dl.tensor(2.0))
    assert "scalar" in message


@pytest.mark.parametrize(
    "op, symbol",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "sub"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / b, "div"),
        (lambda a, b: dl.maximum(a, b), "maximum"),
    ],
)
def test_broadcasting_failure_names_both_shapes(op, symbol):
    a, b = dl.tensor(np.ones((2, 3))), dl.tensor(np.ones((4,)))
    message = raised(ValueError, lambda: op(a, b))
    assert "(2, 3)" in message and "(4,)" in message and "broadcast" in message
    assert symbol in message
    message = raised(ValueError, lambda: op(a, np.ones((3, 2))))  # a NumPy array operand too
    assert "(2, 3)" in message and "(3, 2)" in message


def test_where_names_the_condition_shape():
    message = raised(ValueError, lambda: dl.where(np.ones(4, bool), dl.tensor(np.ones((2, 3))), 0.0))
    assert "(4,)" in message and "(2, 3)" in message


def test_reshape_to_an_impossible_shape():
    message = raised(ValueError, lambda: dl.tensor(np.ones((2, 3))).reshape(4, 2))
    assert "(2, 3)" in message and "(4, 2)" in message and "6" in message


@pytest.mark.parametrize("axes", [(0,), (0, 0), (0, 2), (0, -3), (1, 0, 2)])
def test_transpose_with_bad_axes(axes):
    message = raised(ValueError, lambda: dl.tensor(np.ones((2, 3))).transpose(*axes))
    assert str(axes) in message and "(2, 3)" in message and "permutation" in message


def test_stack_with_different_shapes():
    message = raised(ValueError, lambda: dl.stack([dl.tensor(np.ones((2, 3))), dl.tensor(np.ones((3, 2)))]))
    assert "(2, 3)" in message and "(3, 2)" in message and "same shape" in message


def test_stack_and_concatenate_with_bad_axes_or_shapes():
    a = dl.tensor(np.ones((2, 3)))
    message = raised(ValueError, lambda: dl.stack([a, a], axis=3))
    assert "axis 3" in message and "(2, 3)" in message
    message = raised(ValueError, lambda: dl.concatenate([a, a], axis=2))
    assert "axis 2" in message and "(2, 3)" in message
    message = raised(ValueError, lambda: dl.concatenate([a, dl.tensor(np.ones((3, 3)))], axis=1))
    assert "(2, 3)" in message and "(3, 3)" in message
    message = raised(ValueError, lambda: dl.concatenate([dl.tensor(1.0), dl.tensor(2.0)]))
    assert "()" in message
    raised(ValueError, lambda: dl.stack([]))
    raised(ValueError, lambda: dl.concatenate([]))


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
def test_reduction_over_a_missing_axis(method):
    message = raised(ValueError, lambda: getattr(dl.tensor(np.ones((2, 3))), method)(axis=2))
    assert "axis 2" in message and "(2, 3)" in message
    message = raised(ValueError, lambda: getattr(dl.tensor(np.ones((2, 3))), method)(axis=(0, -3)))
    assert "axis -3" in message


@pytest.mark.parametrize(
    "index, bad",
    [(5, "5"), ((0, 7), "7"), (np.array([0, 4]), "4"), (-6, "-6"), (np.array([True, False]), "boolean")],
)
def test_index_out_of_range_names_the_tensor_shape(index, bad):
    message = raised(IndexError, lambda: dl.tensor(np.ones((4, 3)))[index])
    assert "(4, 3)" in message and bad in message


def test_item_of_many_elements():
    message = raised(ValueError, lambda: dl.tensor(np.ones((2, 2))).item())
    assert "one element" in message and "(2, 2)" in message


def test_bool_of_many_elements():
    message = raised(ValueError, lambda: bool(dl.tensor([1.0, 2.0])))
    assert "ambiguous" in message and "(2,)" in message
    with pytest.raises(ValueError):
        if dl.tensor([1.0, 2.0]) > 0:  # the classic learner mistake
            pass


def test_integer_tensor_asking_for_grad():
    message = raised(RuntimeError, lambda: dl.tensor(np.array([1, 2, 3]), requires_grad=True))
    assert "int64" in message and "float" in message


def test_non_scalar_backward():
    message = raised(RuntimeError, lambda: (dl.tensor(np.ones((3, 2)), requires_grad=True) * 2).backward())
    assert "scalar" in message and "(3, 2)" in message


def test_gradcheck_with_float32_inputs():
    x = dl.tensor(np.ones(3, np.float32), requires_grad=True)
    message = raised(TypeError, lambda: dl.gradcheck(lambda t: t * 2, x))
    assert "float64" in message and "float32" in message


def test_unknown_backend():
    message = raised(ValueError, lambda: dl.set_backend("cuda"))
    assert "'cuda'" in message and "numba" in message and "numpy" in message
