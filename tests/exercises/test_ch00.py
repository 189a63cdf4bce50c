"""Chapter 00's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

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
from dlcourse.perceptron import relu, sigmoid

PUBLIC = chapter_specs()["00"].numbers(0)  # the numbers of the public learner copy
W1, B1 = np.array([[1.0, -1.0], [-1.0, 0.5]]), np.array([0.0, 0.5])  # section 3's network
W2, B2 = np.array([[2.0, 3.0]]), np.array([-1.5])
NOTEBOOK = ChapterNotebook(
    REPO / "instructor" / "chapters" / "00_welcome.ipynb",
    relu=relu,
    sigmoid=sigmoid,
    numbers=PUBLIC,
    W1=W1,
    b1=B1,
    W2=W2,
    b2=B2,
)  # what earlier cells define
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("00.boundary_x2", "00_boundary_x2", "boundary_x2"),
    ("00.network_forward", "00_network_forward", "network_forward"),
]
VALUES = [  # (check id, solution cell's grade_id, the variable it defines)
    ("00.predicted_output", "00_predicted_output", "predicted_output"),
    ("00.undecided_bias", "00_undecided_bias", "undecided_bias"),
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


def test_no_stub_docstring_gives_the_answer():
    for grade_id in ("00_boundary_x2", "00_network_forward"):
        released = NOTEBOOK.released(grade_id)
        assert "@" not in released and "/" not in released.split('"""')[1], released


# ------------------------------------------------------------------------------------------- boundary_x2
@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x1, w, b: -(w[0] * x1) / w[1], "slides the line"),  # forgot the bias
        (lambda x1, w, b: (w[0] * x1 + b) / w[1], "Check the sign"),
        (lambda x1, w, b: -(w[1] * x1 + b) / w[0], "x1 goes with w1"),
        (lambda x1, w, b: -(w[0] * x1 + b) * w[1], None),  # multiplied instead of divided
        (lambda x1, w, b: float(-(w[0] * np.ravel(x1)[0] + b) / w[1]), None),  # only the first x1
    ],
)
def test_boundary_wrong_answers_fail(wrong, hint):
    message = fails("00.boundary_x2", wrong)
    if hint:
        assert hint in message


def test_boundary_points_lie_on_the_line():
    """The reference's points really have weighted sum 0 (the check compares with the right thing)."""
    reference = exercise_spec("00.boundary_x2").reference
    rng = np.random.default_rng(0)
    w, b, x1 = rng.normal(size=2), 0.3, rng.uniform(-3, 3, size=5)
    assert np.allclose(w[0] * x1 + w[1] * reference(x1, w, b) + b, 0.0)


# ------------------------------------------------------------------------------------------- network_forward
def _last_layer_only(x, layers):
    W, b, f = layers[-1]
    return f(W @ x + b)


def _activation_at_the_end_only(x, layers):
    for W, b, _ in layers:
        x = W @ x + b
    return layers[-1][2](x)


def _transposed(x, layers):
    for W, b, f in layers:
        x = f(x @ W + b)
    return x


def _reversed(x, layers):
    for W, b, f in reversed(layers):
        x = f(W @ x + b)
    return x


@pytest.mark.parametrize("wrong", [_last_layer_only, _activation_at_the_end_only, _transposed, _reversed])
def test_network_forward_wrong_answers_fail(wrong):
    fails("00.network_forward", wrong)


def test_network_forward_mistakes_get_their_hints():
    assert "Every layer must run" in fails("00.network_forward", _last_layer_only)
    assert "its own activation" in fails("00.network_forward", _activation_at_the_end_only)


# ------------------------------------------------------------------------------------------- value exercises
def test_predicted_output_wrong_guesses_fail_with_their_hints():
    n = PUBLIC
    z = n.w1 * n.x1 + n.w2 * n.x2 + n.b
    assert z < 0, "the public numbers show the ReLU trap: a negative weighted sum"
    check("00.predicted_output", 0.0)
    assert "That is z, the weighted sum" in fails("00.predicted_output", z)
    assert "is not the expected value" in fails("00.predicted_output", -z)
    fails("00.predicted_output", None, match="no answer yet")


def test_undecided_bias_wrong_guesses_fail_with_their_hints():
    n = PUBLIC
    inputs = n.v1 * n.p1 + n.v2 * n.p2
    check("00.undecided_bias", -inputs)
    assert "wrong sign" in fails("00.undecided_bias", inputs)
    assert "the output you want" in fails("00.undecided_bias", 0.5)
    assert sigmoid(n.v1 * n.p1 + n.v2 * n.p2 - inputs) == 0.5  # the answer really leaves the neuron at ½


@pytest.mark.parametrize("exercise_id", ["00.predicted_output", "00.undecided_bias"])
def test_value_answers_differ_between_students(exercise_id):
    exercise = exercise_spec(exercise_id)
    answers = {exercise.answer_for(chapter_specs()["00"].numbers(seed)) for seed in range(1, 40)}
    assert len(answers) > 10, "per-student numbers must give most learners a different answer"


def test_public_numbers_fit_the_playground():
    n = PUBLIC
    assert all(-3 < v < 3 for v in (n.x1, n.x2, n.p1, n.p2, n.w1, n.w2, n.b, n.v1, n.v2))
