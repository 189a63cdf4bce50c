"""Chapter 01's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

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

from dlcourse import data
from dlcourse.exercises import check
from dlcourse.perceptron import perceptron_update, train_perceptron

PUBLIC = chapter_specs()["01"].numbers(0)  # the numbers of the public learner copy
GATES = {"AND": data.and_(), "OR": data.or_(), "XOR": data.xor()}
NOTEBOOK = ChapterNotebook(
    REPO / "instructor" / "chapters" / "01_perceptron.ipynb",
    numbers=PUBLIC,
    gates=GATES,
    train_perceptron=train_perceptron,
)  # what earlier cells define
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("01.signed_distance", "01_signed_distance", "signed_distance"),
    ("01.batch_update", "01_batch_update", "batch_update"),
    ("01.averaged_perceptron", "01_averaged_perceptron", "averaged_perceptron"),
]
VALUES = [("01.rule_updates", "01_rule_updates", "rule_updates")]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), VALUES)
def test_released_value_stub_says_no_answer(exercise_id, grade_id, name):
    assert_released_value_stub_says_no_answer(NOTEBOOK, exercise_id, grade_id, name)


def test_no_exercise_asks_for_what_the_library_shows():
    """The library's step and update rule are shown in the chapter: no exercise asks for them any more."""
    assert not {"01.step", "01.perceptron_predict", "01.perceptron_update"} & set(chapter_specs()["01"].exercises)


# ------------------------------------------------------------------------------------------- signed distance
@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda X, w, b: X @ w + b, "That is the weighted sum"),
        (lambda X, w, b: np.abs(X @ w + b) / np.linalg.norm(w), "Keep the sign"),
        (lambda X, w, b: (X @ w + b) / np.linalg.norm(np.append(w, b)), "only the weights' length"),
        (lambda X, w, b: (X @ w + b) / (w @ w), "not by its squared length"),
        (lambda X, w, b: (X @ w) / np.linalg.norm(w), None),  # forgot the bias
        (lambda X, w, b: -(X @ w + b) / np.linalg.norm(w), None),  # the wrong side
    ],
)
def test_signed_distance_wrong_answers_fail(wrong, hint):
    message = fails("01.signed_distance", wrong)
    if hint:
        assert hint in message


def test_signed_distance_reference_is_a_distance():
    """Scaling w and b leaves it unchanged, and the foot point x − d·w/‖w‖ lies on the line."""
    reference = exercise_spec("01.signed_distance").reference
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(5, 2)), rng.normal(size=2), 0.7
    d = reference(X, w, b)
    assert np.allclose(d, reference(X, 3 * w, 3 * b))
    feet = X - d[:, None] * w / np.linalg.norm(w)
    assert np.allclose(feet @ w + b, 0.0)


# ------------------------------------------------------------------------------------------- batch update
def _one_at_a_time(X, y, w, b, lr):
    for x_i, y_i in zip(X, y):
        w, b = perceptron_update(x_i, y_i, w, b, lr)
    return w, b


def _in_place(X, y, w, b, lr):
    errors = y - np.where(X @ w + b >= 0, 1, 0)
    w += lr * errors @ X  # changes the caller's array
    return w, b + lr * errors.sum()


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_one_at_a_time, "one-at-a-time rule"),
        (lambda X, y, w, b, lr: (w + lr * ((y - (X @ w + b >= 0)) @ X) / len(X), b), None),
        (lambda X, y, w, b, lr: (w + lr * (y - np.where(X @ w + b > 0, 1, 0)) @ X, b), None),  # strict, no bias
    ],
)
def test_batch_update_wrong_answers_fail(wrong, hint):
    message = fails("01.batch_update", wrong)
    if hint:
        assert hint in message


def test_batch_update_in_place_is_called_out():
    assert "changed its input `w` in place" in fails("01.batch_update", _in_place)


def test_batch_update_equals_one_step_when_the_batch_has_one_example():
    reference = exercise_spec("01.batch_update").reference
    x, w = np.array([[1.3, 1.2]]), np.array([0.1, 0.1])
    w_batch, b_batch = reference(x, np.array([1]), w, -1.0, 0.5)
    w_one, b_one = perceptron_update(x[0], 1, w, -1.0, 0.5)
    assert np.allclose(w_batch, w_one) and np.isclose(b_batch, b_one)


# ------------------------------------------------------------------------------------------- averaged perceptron
def _averaged_with_early_stop(X, y, epochs, lr=1.0):
    run = train_perceptron(X, y, lr=lr, epochs=epochs)  # stops after a clean epoch: fewer steps averaged
    return np.mean([s.w_after for s in run.steps], axis=0), float(np.mean([s.b_after for s in run.steps]))


def _averaged_including_the_start(X, y, epochs, lr=1.0):
    run = train_perceptron(X, y, lr=lr, epochs=epochs, stop_when_converged=False)
    ws = [run.w_initial] + [s.w_after for s in run.steps]
    bs = [run.b_initial] + [s.b_after for s in run.steps]
    return np.mean(ws, axis=0), float(np.mean(bs))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda X, y, epochs, lr=1.0: train_perceptron(X, y, lr=lr, epochs=epochs).w, None),  # not a pair
        (_averaged_including_the_start, None),
        (_averaged_with_early_stop, None),
    ],
)
def test_averaged_perceptron_wrong_answers_fail(wrong, hint):
    message = fails("01.averaged_perceptron", wrong)
    if hint:
        assert hint in message


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [(0, "last weights"), (1, "also the ones where the example was right"), (2, "after every single example")],
)
def test_averaged_perceptron_mistakes_get_their_own_hint(mistake, hint):
    wrong = exercise_spec("01.averaged_perceptron").mistakes[mistake].answer
    assert hint in fails("01.averaged_perceptron", wrong)


def test_averaged_reference_matches_the_library_record():
    reference = exercise_spec("01.averaged_perceptron").reference
    X, y = GATES["XOR"]
    run = train_perceptron(X, y, epochs=25)
    w, b = reference(X, y, 25)
    assert np.allclose(w, np.mean([s.w_after for s in run.steps], axis=0))
    assert np.isclose(b, np.mean([s.b_after for s in run.steps]))


# ------------------------------------------------------------------------------------------- updates on a gate
def test_rule_updates_is_the_library_count_and_near_misses_fail():
    n = PUBLIC
    run = train_perceptron(*GATES[n.gate.upper()], w=[n.w1, n.w2], b=n.b, lr=n.lr, epochs=100)
    count = sum(s.mistake for s in run.steps)
    check("01.rule_updates", count)
    assert "That counts epochs" in fails("01.rule_updates", run.epochs)
    assert "also those where the example was already right" in fails("01.rule_updates", len(run.steps))
    assert "is not the expected value" in fails("01.rule_updates", count + 1)


def test_rule_updates_differ_between_students_and_fit_the_playground():
    chapter = chapter_specs()["01"]
    exercise = exercise_spec("01.rule_updates")
    answers = set()
    for seed in range(1, 30):
        n = chapter.numbers(seed)
        run = train_perceptron(*GATES[n.gate.upper()], w=[n.w1, n.w2], b=n.b, lr=n.lr, epochs=100)
        assert run.converged and run.epochs <= 20  # the playground runs 20 epochs
        answers.add(exercise.answer_for(n))
    assert len(answers) >= 8


# ------------------------------------------------------------------------------------------- prediction (no points)
def test_xor_prediction_is_revealed_with_its_explanation(capsys):
    check("01.xor_best_accuracy", "75%")
    out = capsys.readouterr().out
    assert "the answer is '50%'" in out and "never gets past 2 of the 4 corners" in out
    check("01.xor_best_accuracy", "50%")
    assert "✓ right" in capsys.readouterr().out
    fails("01.xor_best_accuracy", ..., match="no answer yet")
    fails("01.xor_best_accuracy", "60%", match="is not one of")


def test_xor_prediction_matches_the_measurement():
    run = train_perceptron(*GATES["XOR"], epochs=100)
    assert max(s.accuracy_after for s in run.steps) == 0.5
