"""Chapter 07's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

import numpy as np
import pytest
from checks.ch07 import ELBOW_K, mystery_centres
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    fails,
)

from dlcourse import data
from dlcourse.cluster import kmeans

NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "07_regression_classification_clustering.ipynb")
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("07.softmax_cross_entropy", "07_softmax_cross_entropy", "softmax_cross_entropy"),
    ("07.accuracy", "07_accuracy", "classification_accuracy"),
    ("07.kmeans_assign", "07_kmeans_assign", "assign_to_nearest"),
]
VALUES = [("07.elbow_k", "07_elbow_k", "elbow_k")]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


def test_released_value_stub_says_no_answer():
    assert_released_value_stub_says_no_answer(NOTEBOOK, "07.elbow_k", "07_elbow_k", "elbow_k")


def _naive(logits, label):
    p = np.exp(logits) / np.sum(np.exp(logits))  # overflows for logits of 1000
    return float(-np.log(p[label]))


@pytest.mark.parametrize(
    "wrong",
    [
        lambda z, y: float(np.exp(z[y] - z.max()) / np.exp(z - z.max()).sum()),  # the probability, not the loss
        lambda z, y: float(z[y] - z.max() - np.log(np.exp(z - z.max()).sum())),  # the log-probability: sign flipped
        lambda z, y: float(np.log(np.exp(z - z.max()).sum()) - z[y]),  # shifted inside the log, forgot to add m back
    ],
)
def test_softmax_cross_entropy_wrong_answers_fail(wrong):
    fails("07.softmax_cross_entropy", wrong)


def test_softmax_cross_entropy_without_the_shift_fails_on_huge_logits():
    with np.errstate(all="ignore"):
        message = fails("07.softmax_cross_entropy", _naive)
    assert "NaN" in message or "infinite" in message


@pytest.mark.parametrize(
    "wrong",
    [
        lambda logits, labels: int(np.sum(np.argmax(logits, axis=1) == labels)),  # a count, not a fraction
        lambda logits, labels: float(np.mean(np.argmin(logits, axis=1) == labels)),  # smallest score
        lambda logits, labels: float(np.mean(np.max(logits, axis=1) == labels)),  # the score, not its index
    ],
)
def test_accuracy_wrong_answers_fail(wrong):
    fails("07.accuracy", wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda X, C: np.argmax(((X[:, None] - C[None]) ** 2).sum(axis=2), axis=1),  # farthest centre
        lambda X, C: np.argmin(np.abs(X[:, None] - C[None]).sum(axis=2), axis=1),  # Manhattan distance
        lambda X, C: np.argmin(((X[:, None] - C[None]) ** 2).sum(axis=2), axis=0),  # nearest point per centre
        lambda X, C: np.argmin(((X[:, None] - C[None]) ** 2).sum(axis=1), axis=1),  # summed over the centres
    ],
)
def test_kmeans_assign_wrong_answers_fail(wrong):
    fails("07.kmeans_assign", wrong)


@pytest.mark.parametrize("wrong", [ELBOW_K - 1, ELBOW_K + 1, 1, str(ELBOW_K), True])
def test_elbow_wrong_answers_fail(wrong):
    assert "is not the expected value" in fails("07.elbow_k", wrong) or "expected a whole number" in fails(
        "07.elbow_k", wrong
    )


def test_the_mystery_data_of_the_notebook_really_bends_at_the_expected_k():
    source = next(c.source for c in NOTEBOOK.nb.cells if "mystery_rng = np.random.default_rng(" in c.source)
    assert "default_rng(125)" in source and "std=0.8, seed=125" in source  # the recipe mystery_centres() copies
    X, _ = data.blobs(n=500, centers=mystery_centres(), std=0.8, seed=125)
    inertia = [min(kmeans(X, k, seed=s).inertia for s in range(3)) for k in range(1, 9)]
    drops = [before / after for before, after in zip(inertia, inertia[1:])]  # drops[k - 1]: from k to k + 1
    assert all(drop > 1.5 for drop in drops[: ELBOW_K - 1])  # every real group still gains a lot
    assert all(drop < 1.2 for drop in drops[ELBOW_K - 1 :])  # after the elbow: hardly anything
