"""Chapter 01's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

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

from dlcourse import data
from dlcourse.exercises import check
from dlcourse.perceptron import train_perceptron

NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "01_perceptron.ipynb")
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("01.step", "01_step", "step_function"),
    ("01.perceptron_predict", "01_perceptron_predict", "predict"),
    ("01.perceptron_update", "01_perceptron_update", "update"),
]
VALUES = [  # (check id, solution cell's grade_id, the variable it defines)
    ("01.xor_prediction", "01_xor_prediction", "xor_reaches_100_percent"),
    ("01.and_mistakes", "01_and_mistakes", "and_mistakes"),
]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), VALUES)
def test_released_value_stub_says_no_answer(exercise_id, grade_id, name):
    assert_released_value_stub_says_no_answer(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda z: np.where(np.asarray(z) > 0, 1, 0),  # strict: zero should count as 1
        lambda z: 1 if z >= 0 else 0,  # only works for single numbers
        lambda z: np.sign(z),  # −1/0/+1 instead of 0/1
    ],
)
def test_step_wrong_answers_fail(wrong):
    fails("01.step", wrong)


def test_step_strict_inequality_is_caught_at_zero():
    assert "on input: z = 0.0" in fails("01.step", lambda z: np.where(np.asarray(z) > 0, 1, 0))


@pytest.mark.parametrize(
    "wrong",
    [
        lambda X, w, b: np.where(X @ w >= 0, 1, 0),  # forgot the bias
        lambda X, w, b: np.where(X @ w + b > 0, 1, 0),  # strict inequality
        lambda X, w, b: X @ w + b,  # returned z, not a decision
        lambda X, w, b: np.where(w @ X.T + b >= 0, 1, 0)[:1],  # only the first prediction
    ],
)
def test_predict_wrong_answers_fail(wrong):
    fails("01.perceptron_predict", wrong)


def _update_flipped(x, y, w, b, lr):
    error = (1 if x @ w + b >= 0 else 0) - y  # ŷ − y: the wrong sign
    return w + lr * error * x, b + lr * error


def _update_without_bias(x, y, w, b, lr):
    error = y - (1 if x @ w + b >= 0 else 0)
    return w + lr * error * x, b


def _update_in_place(x, y, w, b, lr):
    error = y - (1 if x @ w + b >= 0 else 0)
    w += lr * error * x  # changes the caller's array
    return w, b + lr * error


def _update_always(x, y, w, b, lr):
    return w + lr * y * x, b + lr * y  # moves even when the prediction was right


@pytest.mark.parametrize("wrong", [_update_flipped, _update_without_bias, _update_always])
def test_update_wrong_answers_fail(wrong):
    fails("01.perceptron_update", wrong)


def test_update_in_place_is_called_out():
    assert "changed its input `w` in place" in fails("01.perceptron_update", _update_in_place)


def test_xor_prediction_wrong_answers_fail():
    assert "True is not the expected value" in fails("01.xor_prediction", True)
    assert "expected True or False" in fails("01.xor_prediction", "no")


def test_and_mistakes_expected_value_is_the_library_count_and_near_misses_fail():
    run = train_perceptron(*data.and_(), epochs=100)
    count = sum(s.mistake for s in run.steps)
    check("01.and_mistakes", count)
    assert "is not the expected value" in fails("01.and_mistakes", run.epochs)  # counted epochs, not updates
    assert "is not the expected value" in fails("01.and_mistakes", count + 1)
