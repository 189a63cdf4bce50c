"""Chapter 03's checks: pass on a learner-style solution, fail on the stub and on plausible mistakes."""

import numpy as np
import pytest
from exercise_helpers import assert_graded_choice, stub

from dlcourse.exercises import CheckFailed, check


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize(
    ("exercise_id", "solution", "wrong", "message"),
    [
        ("03.sigmoid", sigmoid, lambda x: 1 / (1 + np.exp(x)), "values differ"),
        ("03.sigmoid", sigmoid, np.tanh, "values differ"),
        (
            "03.sigmoid_derivative",
            lambda x: sigmoid(x) * (1 - sigmoid(x)),
            lambda x: sigmoid(x) * (1 + sigmoid(x)),
            "values differ",
        ),  # fmt: skip
        (
            "03.sigmoid_derivative",
            lambda x: sigmoid(x) * (1 - sigmoid(x)),
            lambda x: 1 - np.tanh(x) ** 2,
            "values differ",
        ),  # fmt: skip
        (
            "03.leaky_relu",
            lambda x, negative_slope=0.01: np.where(x > 0, x, negative_slope * x),
            lambda x, negative_slope=0.01: np.maximum(0, x),
            "values differ",
        ),  # fmt: skip
        (
            "03.leaky_relu",
            lambda x, negative_slope=0.01: np.where(x > 0, x, negative_slope * x),
            lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
            "missing 1 required positional",
        ),  # fmt: skip
        ("03.dead_fraction", lambda Z: np.mean(np.all(Z <= 0, axis=0)), lambda Z: np.mean(Z <= 0), "expected"),
        (
            "03.dead_fraction",
            lambda Z: np.mean(np.all(Z <= 0, axis=0)),
            lambda Z: np.mean(np.all(Z < 0, axis=0)),
            "expected",
        ),  # fmt: skip
    ],
)
def test_elementwise_checks(exercise_id, solution, wrong, message, capsys):
    check(exercise_id, solution)
    assert f"✓ {exercise_id} passed" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=message):
        check(exercise_id, wrong)
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check(exercise_id, stub)


def stable_softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def naive_softmax(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def softmax_over_everything(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_softmax(capsys):
    check("03.softmax", stable_softmax)
    assert "passed" in capsys.readouterr().out
    with pytest.warns(RuntimeWarning), pytest.raises(CheckFailed, match="NaN value"):
        check("03.softmax", naive_softmax)
    with pytest.raises(CheckFailed, match="values differ"):
        check("03.softmax", softmax_over_everything)
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check("03.softmax", stub)


def test_vanishing_prediction(capsys):
    assert_graded_choice("03.vanishing_prediction", " Sigmoid ", "relu", capsys)
