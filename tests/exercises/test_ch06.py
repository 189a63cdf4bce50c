"""Chapter 06's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

import math

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    fails,
)

from dlcourse.exercises import check

NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "06_backprop.ipynb")
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("06.mul_backward", "06_mini_engine", "mul_backward"),
    ("06.tanh_backward", "06_mini_engine", "tanh_backward"),
    ("06.numerical_gradient", "06_numerical_gradient", "numerical_gradient"),
    ("06.dense_tanh_backward", "06_dense_tanh_backward", "dense_tanh_backward"),
]
VALUES = [("06.chain_rule", "06_chain_rule", "grads_by_hand")]
RIGHT = {"e": 4.0, "d": 4.0, "c": -4.0, "b": 8.0, "a": -8.0}


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


def test_released_value_stub_says_no_answer():
    assert_released_value_stub_says_no_answer(NOTEBOOK, "06.chain_rule", "06_chain_rule", "grads_by_hand")


def test_the_expected_chain_rule_answer_is_what_value_backward_computes():
    from dlcourse.scalar import Value

    a, b, c = Value(2.0), Value(-3.0), Value(4.0)
    d = a * b
    e = d + a
    L = e * c
    L.backward()
    engine = {"a": a.grad, "b": b.grad, "c": c.grad, "d": d.grad, "e": e.grad}
    assert engine == RIGHT
    check("06.chain_rule", engine)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"a": -12.0}, "only the path through d"),  # forgot the direct path a → e
        ({"a": 4.0}, "only the direct path"),  # forgot the path through d
        ({"b": -8.0}, "answer['b'] = -8.0 is not right"),
        ({"c": 4.0}, "the value e had in the forward pass"),
    ],
)
def test_chain_rule_wrong_numbers_are_named(change, message):
    assert message in fails("06.chain_rule", {**RIGHT, **change})


def test_chain_rule_wrong_kinds_of_answer():
    assert "expected a dict with the keys" in fails("06.chain_rule", [4.0, 4.0, -4.0, 8.0, -8.0])
    assert "missing: ['e']" in fails("06.chain_rule", {k: v for k, v in RIGHT.items() if k != "e"})
    assert "answer['a']: expected a number" in fails("06.chain_rule", {**RIGHT, "a": "-8"})


@pytest.mark.parametrize(
    "wrong",
    [
        lambda a, b, grad_out: (grad_out * a, grad_out * b),  # swapped
        lambda a, b, grad_out: (b, a),  # forgot the incoming gradient
        lambda a, b, grad_out: grad_out * a * b,  # one number instead of two
    ],
)
def test_mul_backward_wrong_answers_fail(wrong):
    fails("06.mul_backward", wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda a, grad_out: grad_out * (1 - a**2),  # squared the input, not the output
        lambda a, grad_out: 1 - math.tanh(a) ** 2,  # forgot grad_out
        lambda a, grad_out: grad_out * math.tanh(a),  # the forward value, not the derivative
    ],
)
def test_tanh_backward_wrong_answers_fail(wrong):
    fails("06.tanh_backward", wrong)


def _forward_difference(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    base = f(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        grad[i] = (f(x) - base) / eps
        x[i] -= eps
    return grad


def _ignores_eps(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + 1e-6
        plus = f(x)
        x[i] = old - 1e-6
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / 2e-6
    return grad


def _flat_only(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros(len(x))
    for i in range(len(x)):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def _leaves_x_nudged(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f(x)
        x[i] -= 2 * eps
        minus = f(x)  # never put back
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("wrong", [_forward_difference, _ignores_eps, _flat_only])
def test_numerical_gradient_wrong_answers_fail(wrong):
    fails("06.numerical_gradient", wrong)


def test_numerical_gradient_that_leaves_x_changed_is_called_out():
    assert "changed its input `x` in place" in fails("06.numerical_gradient", _leaves_x_nudged)


def _no_activation_derivative(X, W, b, grad_H):
    return grad_H.T @ X, grad_H.sum(axis=0), grad_H @ W


def _transposed_dW(X, W, b, grad_H):
    delta = grad_H * (1 - np.tanh(X @ W.T + b) ** 2)
    return X.T @ delta, delta.sum(axis=0), delta @ W


def _mean_bias(X, W, b, grad_H):
    delta = grad_H * (1 - np.tanh(X @ W.T + b) ** 2)
    return delta.T @ X, delta.mean(axis=0), delta @ W


def _pre_activation_derivative(X, W, b, grad_H):
    Z = X @ W.T + b
    delta = grad_H * (1 - Z**2)  # 1 − z² instead of 1 − tanh(z)²
    return delta.T @ X, delta.sum(axis=0), delta @ W


@pytest.mark.parametrize("wrong", [_no_activation_derivative, _transposed_dW, _mean_bias, _pre_activation_derivative])
def test_dense_tanh_backward_wrong_answers_fail(wrong):
    fails("06.dense_tanh_backward", wrong)


def test_dense_tanh_backward_matches_autograd():
    import dlcourse as dl

    rng = np.random.default_rng(0)
    X, W, b, G = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(5, 4))
    tX, tW, tb = (dl.tensor(v, requires_grad=True) for v in (X, W, b))
    ((tX @ tW.T + tb).tanh() * dl.tensor(G)).sum().backward()
    dW, db, dX = NOTEBOOK.solution("06_dense_tanh_backward", "dense_tanh_backward")(X, W, b, G)
    np.testing.assert_allclose(dW, tW.grad)
    np.testing.assert_allclose(db, tb.grad)
    np.testing.assert_allclose(dX, tX.grad)
