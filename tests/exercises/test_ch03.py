"""Chapter 03's checks: pass on the notebook's solutions, fail on the stubs and on plausible mistakes."""

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    chapter_specs,
    exercise_spec,
    fails,
)

from dlcourse.exercises import check

PUBLIC = chapter_specs()["03"].numbers(0)  # the numbers of the public learner copy
NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "03_activations.ipynb", numbers=PUBLIC)
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("03.silu_derivative", "03_silu_derivative", "silu_derivative"),
    ("03.log_softmax", "03_log_softmax", "log_softmax"),
    ("03.dead_fraction", "03_dead_fraction", "dead_fraction"),
]
VALUES = [("03.chain_factor", "03_chain_factor", "chain_factor")]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), VALUES)
def test_released_value_stub_says_no_answer(exercise_id, grade_id, name):
    assert_released_value_stub_says_no_answer(NOTEBOOK, exercise_id, grade_id, name)


def test_no_exercise_asks_for_what_the_chapter_shows():
    """The chapter shows sigmoid, Leaky ReLU, a stable softmax and the dead-unit test as code."""
    asked = set(chapter_specs()["03"].exercises)
    assert not {"03.sigmoid", "03.sigmoid_derivative", "03.leaky_relu", "03.softmax"} & asked


# ------------------------------------------------------------------------------------------- SiLU's slope
@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (sigmoid, "the product rule has two terms"),
        (lambda x: x * sigmoid(x) * (1 - sigmoid(x)), "only the second term"),
        (lambda x: sigmoid(x) * (1 - sigmoid(x)), "the sigmoid's own slope"),
        (lambda x: x * sigmoid(x), None),  # SiLU itself, not its slope
        (lambda x: sigmoid(x) + x * sigmoid(x) * (1 + sigmoid(x)), None),  # a sign slip
    ],
)
def test_silu_derivative_wrong_answers_fail(wrong, hint):
    message = fails("03.silu_derivative", wrong)
    if hint:
        assert hint in message


def test_silu_reference_matches_central_differences():
    reference = exercise_spec("03.silu_derivative").reference
    x, h = np.linspace(-6, 6, 41), 1e-6
    silu = lambda t: t * sigmoid(t)  # noqa: E731
    assert np.allclose(reference(x), (silu(x + h) - silu(x - h)) / (2 * h), atol=1e-8)


# ------------------------------------------------------------------------------------------- log-softmax
def log_of_stable_softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return np.log(e / np.sum(e, axis=-1, keepdims=True))


def naive_log_softmax(z):
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def test_log_softmax_wrong_answers_fail():
    with np.errstate(divide="ignore"):
        assert "the logarithm of the formula" in fails("03.log_softmax", log_of_stable_softmax)
    with np.errstate(over="ignore", invalid="ignore"):
        fails("03.log_softmax", naive_log_softmax)  # overflows to inf − inf = nan
    assert "its own largest logit" in fails("03.log_softmax", exercise_spec("03.log_softmax").mistakes[1].answer)


def test_log_softmax_reference_is_the_log_of_the_softmax_where_that_is_finite():
    reference = exercise_spec("03.log_softmax").reference
    z = np.random.default_rng(0).normal(size=(4, 5))
    assert np.allclose(reference(z), log_of_stable_softmax(z))
    assert np.allclose(reference(np.array([0.0, -1000.0])), [0.0, -1000.0])  # finite, where the log of 0 is not


# ------------------------------------------------------------------------------------------- dead fraction
@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda X, W, b: np.mean(X @ W.T + b <= 0), "counts dead entries"),
        (lambda X, W, b: np.mean(np.all(X @ W.T + b < 0, axis=0)), "exactly 0"),
        (lambda X, W, b: np.mean(np.all(X @ W.T + b <= 0, axis=1)), "Units are the columns"),
        (lambda X, W, b: np.mean(np.all(X @ W + b <= 0, axis=0)), None),  # W not transposed: crashes or differs
        (lambda X, W, b: np.mean(np.all(X @ W.T <= 0, axis=0)), None),  # forgot the bias
    ],
)
def test_dead_fraction_wrong_answers_fail(wrong, hint):
    message = fails("03.dead_fraction", wrong)
    if hint:
        assert hint in message


# ------------------------------------------------------------------------------------------- a chain of sigmoids
def test_chain_factor_is_what_nudging_a_real_chain_gives():
    """Build the chain of the exercise with the public numbers and nudge its input."""
    n = PUBLIC
    w, bias = n.weight, -n.weight / 2  # σ(0) = ½ feeds the next unit: w·½ + b = 0 keeps every z at 0

    def chain(x):
        h = x
        for layer in range(n.depth):
            h = sigmoid(w * h + (bias if layer else 0.0))  # the first unit reads the input 0 itself
        return h

    delta = 1e-6
    measured = (chain(delta) - chain(-delta)) / (2 * delta)
    expected = exercise_spec("03.chain_factor").answer_for(n)
    assert np.isclose(measured, expected, rtol=1e-4)
    check("03.chain_factor", measured)


def test_chain_factor_wrong_answers_get_their_hints():
    n = PUBLIC
    assert "multiplied by the weight" in fails("03.chain_factor", 0.25**n.depth)
    assert "its slope" in fails("03.chain_factor", (n.weight * 0.5) ** n.depth)
    assert "don't add up" in fails("03.chain_factor", n.depth * n.weight * 0.25)
    fails("03.chain_factor", None, match="no answer yet")


def test_chain_factor_differs_between_students():
    exercise = exercise_spec("03.chain_factor")
    answers = {round(exercise.answer_for(chapter_specs()["03"].numbers(seed)), 12) for seed in range(1, 30)}
    assert len(answers) > 15


# ------------------------------------------------------------------------------------------- prediction (no points)
def test_vanishing_prediction_is_revealed_with_its_explanation(capsys):
    check("03.vanishing_prediction", "ReLU")
    out = capsys.readouterr().out
    assert "the answer is 'sigmoid'" in out and "never above ¼" in out
    check("03.vanishing_prediction", " Sigmoid ")
    assert "✓ right" in capsys.readouterr().out
    check("03.vanishing_prediction", "Leaky ReLU")
    assert "the answer is 'sigmoid'" in capsys.readouterr().out
    fails("03.vanishing_prediction", ..., match="no answer yet")
    fails("03.vanishing_prediction", "swish", match="is not one of")
