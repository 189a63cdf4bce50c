"""Chapter 00's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    fails,
)

from dlcourse.exercises import check
from dlcourse.perceptron import relu, sigmoid

NOTEBOOK = ChapterNotebook(
    REPO / "instructor" / "chapters" / "00_welcome.ipynb", relu=relu, sigmoid=sigmoid
)  # from earlier cells
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("00.weighted_sum", "00_weighted_sum", "weighted_sum"),
    ("00.neuron", "00_neuron", "neuron_output"),
    ("00.layer_forward", "00_layer_forward", "layer_forward"),
]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_notebook_solution_passes(exercise_id, grade_id, name, capsys):
    check(exercise_id, NOTEBOOK.solution(grade_id, name))
    assert f"✓ {exercise_id} passed" in capsys.readouterr().out


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(
    ("exercise_id", "grade_id", "name"), FUNCTIONS + [("00.predicted_output", "00_predicted_output", "")]
)
def test_graded_cell_calls_the_check(exercise_id, grade_id, name):
    assert f'check("{exercise_id}",' in NOTEBOOK.source(grade_id + "_test")


@pytest.mark.parametrize(
    "wrong",
    [
        lambda x, w, b: np.dot(x, w),  # forgot the bias
        lambda x, w, b: np.sum(x) + b,  # forgot the weights
        lambda x, w, b: np.sum(x + w) + b,  # added instead of multiplied
    ],
)
def test_weighted_sum_wrong_answers_fail(wrong):
    assert "00.weighted_sum" in fails("00.weighted_sum", wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda x, w, b, f: np.dot(f(x), w) + b,  # activation on the inputs instead of the sum
        lambda x, w, b, f: f(np.dot(x, w)),  # forgot the bias
        lambda x, w, b, f: np.dot(x, w) + b,  # forgot the activation
    ],
)
def test_neuron_wrong_answers_fail(wrong):
    assert "Hint:" in fails("00.neuron", wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda x, W, b, f: W @ x + b,  # forgot the activation
        lambda x, W, b, f: f(W @ x) + b,  # bias after the activation
        lambda x, W, b, f: f(x @ W + b),  # W the wrong way round (crashes or wrong for non-square W)
    ],
)
def test_layer_forward_wrong_answers_fail(wrong):
    fails("00.layer_forward", wrong)


def test_predicted_output_stub_raises_and_wrong_guesses_fail():
    assert_released_value_stub_says_no_answer(
        NOTEBOOK, "00.predicted_output", "00_predicted_output", "predicted_output"
    )
    assert "That is z, the weighted sum" in fails("00.predicted_output", -0.5)  # forgot that ReLU clips negatives
    assert "2.5 is not the expected value" in fails("00.predicted_output", 2.5)
    fails("00.predicted_output", None, match="no answer yet")
    check("00.predicted_output", NOTEBOOK.solution("00_predicted_output", "predicted_output"))
