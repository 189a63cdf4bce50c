"""`dl.gradcheck` itself: it passes correct ops and catches wrong gradients on any single element."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.function import Function
from dlcourse.gradcheck import numerical_grad
from tests.core import leaf


class SquareMissingTwo(Function):
    """z = x²  with a wrong backward (forgets the factor 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return grad_out * x


class ScaleWrongInLastElement(Function):
    """z = 3x  with a backward that is right everywhere except the very last element."""

    @staticmethod
    def forward(ctx, x):
        return 3 * x

    @staticmethod
    def backward(ctx, grad_out):
        grad = 3 * grad_out
        grad.reshape(-1)[-1] *= 1.01
        return grad


class IgnoresGradOut(Function):
    """z = 2x  with a backward that uses the mean of grad_out instead of grad_out itself."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad_out):
        return np.full(grad_out.shape, 2 * grad_out.mean())


def test_gradcheck_passes_a_correct_function_of_several_inputs():
    x, w, b = leaf((4, 3), 1), leaf((3, 2), 2), leaf((2,), 3)
    assert dl.gradcheck(lambda x, w, b: (x @ w + b).tanh(), x, w, b) is True


def test_gradcheck_catches_a_wrong_gradient_and_names_the_input():
    x = leaf((2, 3))
    with pytest.raises(dl.GradcheckError) as info:
        dl.gradcheck(lambda t: SquareMissingTwo.apply(t), x)
    message = str(info.value)
    assert "input 0" in message and "(2, 3)" in message and "6 of 6" in message
    assert isinstance(info.value, AssertionError)  # so a failing gradcheck fails a plain test


def test_gradcheck_checks_every_element():
    x = leaf((3, 4))
    with pytest.raises(dl.GradcheckError) as info:
        dl.gradcheck(lambda t: ScaleWrongInLastElement.apply(t), x)
    assert "index (2, 3)" in str(info.value) and "1 of 12" in str(info.value)


def test_gradcheck_uses_non_uniform_output_weights():
    # a backward that only works when grad_out is all ones would pass a plain .sum().backward() test
    x = leaf((3, 4))
    (IgnoresGradOut.apply(x)).sum().backward()
    np.testing.assert_allclose(x.grad, np.full((3, 4), 2.0))
    with pytest.raises(dl.GradcheckError):
        dl.gradcheck(lambda t: IgnoresGradOut.apply(t), x)


def test_gradcheck_names_the_second_input_when_only_it_is_wrong():
    x, y = leaf((2, 2), 1), leaf((2, 2), 2)
    with pytest.raises(dl.GradcheckError, match="input 1"):
        dl.gradcheck(lambda a, b: a * 2 + SquareMissingTwo.apply(b), x, y)


def test_gradcheck_requires_float64():
    x = dl.tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        dl.gradcheck(lambda t: t * 2, x)


def test_gradcheck_needs_an_input_with_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        dl.gradcheck(lambda t: t * 2, dl.tensor(np.ones(3)))


def test_gradcheck_ignores_constant_inputs_and_leaves_values_unchanged():
    x = leaf((2, 3))
    constant = dl.tensor(np.arange(6.0).reshape(2, 3))
    before = x.data.copy()
    assert dl.gradcheck(lambda a, c: a * c, x, constant)
    np.testing.assert_array_equal(x.data, before)
    assert constant.grad is None


def test_gradcheck_with_a_non_contiguous_input():
    values = np.random.default_rng(0).standard_normal((4, 3)).T  # a transposed (Fortran-ordered) view
    x = dl.tensor(values, requires_grad=True)
    assert dl.gradcheck(lambda t: t * np.arange(12.0).reshape(3, 4), x)
    np.testing.assert_array_equal(x.data, values)


def test_gradcheck_of_an_input_that_does_not_affect_the_output():
    x, unused = leaf((2,), 1), leaf((3,), 2)
    assert dl.gradcheck(lambda a, b: a * 2, x, unused)


def test_numerical_grad_by_central_differences():
    x = leaf((3,))
    weights = np.array([1.0, 2.0, 3.0])
    (grad,) = numerical_grad(lambda t: t * t * t, [x], [x], weights, eps=1e-6)
    np.testing.assert_allclose(grad, 3 * x.data**2 * weights, rtol=1e-6)
