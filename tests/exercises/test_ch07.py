"""Chapter 07's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's
solutions; the elbow exercise reads each student's own mystery data; the chapter chooses on validation data."""

import numpy as np
import pytest
from checks.ch07 import hidden_blob_count
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

import dlcourse as dl
import dlcourse.nn.functional as F
from dlcourse import data
from dlcourse.cluster import agglomerative, kmeans
from dlcourse.exercises import check

PUBLIC = chapter_specs()["07"].numbers(0)  # the numbers of the public copy (seed 0)
NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "07_regression_classification_clustering.ipynb")
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("07.softmax_ce_grad", "07_softmax_ce_grad", "softmax_ce_grad"),
    ("07.top_k_accuracy", "07_top_k_accuracy", "top_k_accuracy"),
    ("07.linkage_distance", "07_linkage_distance", "linkage_distance"),
]


def mystery_inertia(seed, ks=range(1, 10)):
    X = data.mystery_blobs(n=500, seed=seed)
    return [min(kmeans(X, k, seed=s).inertia for s in range(10)) for k in ks]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


def test_elbow_solution_reads_the_public_plot_and_its_stub_says_no_answer():
    inertia = mystery_inertia(PUBLIC.mystery_seed)  # what the plot above the solution cell shows
    elbow = ChapterNotebook(NOTEBOOK.path, mystery_inertia=inertia).solution("07_elbow_k", "elbow_k")
    assert elbow == hidden_blob_count(PUBLIC)
    check("07.elbow_k", elbow)
    assert_released_value_stub_says_no_answer(NOTEBOOK, "07.elbow_k", "07_elbow_k", "elbow_k")


# ------------------------------------------------------------------ Exercise 1: the gradient of cross-entropy
def test_softmax_ce_grad_is_what_autograd_computes():
    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(6, 5)) * 3, rng.integers(0, 5, size=6)
    z = dl.tensor(logits, requires_grad=True)
    F.cross_entropy(z, labels).backward()
    np.testing.assert_allclose(exercise_spec("07.softmax_ce_grad").reference(logits, labels), np.asarray(z.grad))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_ce_grad_mistakes_are_named():
    def per_example(z, y):
        g = _softmax(z)
        g[np.arange(len(y)), y] -= 1
        return g

    def downhill(z, y):
        g = -_softmax(z)
        g[np.arange(len(y)), y] += 1
        return g / len(y)

    def unshifted(z, y):
        with np.errstate(all="ignore"):
            g = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        g[np.arange(len(y)), y] -= 1
        return g / len(y)

    assert "divided by N" in fails("07.softmax_ce_grad", per_example)
    assert "predicted minus true" in fails("07.softmax_ce_grad", downhill)
    assert "subtract the one-hot labels" in fails("07.softmax_ce_grad", lambda z, y: _softmax(z) / len(y))
    assert "NaN" in (message := fails("07.softmax_ce_grad", unshifted)) or "infinite" in message


# ------------------------------------------------------------------ Exercise 2: top-k accuracy
def test_top_k_mistakes_are_named():
    def k_smallest(z, y, k):
        return float(np.mean(np.any(np.argsort(z, axis=1)[:, :k] == y[:, None], axis=1)))

    def count(z, y, k):
        return int(np.sum(np.any(np.argsort(z, axis=1)[:, ::-1][:, :k] == y[:, None], axis=1)))

    def ignores_k(z, y, k):
        return float(np.mean(np.argmax(z, axis=1) == y))

    assert "k LOWEST scores" in fails("07.top_k_accuracy", k_smallest)
    assert "fraction of right rows" in fails("07.top_k_accuracy", count)
    fails("07.top_k_accuracy", ignores_k)


def test_top_1_is_the_library_accuracy():
    from dlcourse.train import accuracy

    rng = np.random.default_rng(1)
    logits, labels = rng.normal(size=(40, 6)), rng.integers(0, 6, size=40)
    reference = exercise_spec("07.top_k_accuracy").reference
    assert reference(logits, labels, 1) == accuracy(logits, labels)
    assert reference(logits, labels, 6) == 1.0


# ------------------------------------------------------------------ Exercise 3: linkage distances
def test_linkage_mistakes_are_named():
    def pairwise(A, B):
        return np.sqrt(((A[:, None] - B[None]) ** 2).sum(axis=2))

    def squared(A, B, linkage):
        d = pairwise(A, B) ** 2
        return float({"single": d.min(), "complete": d.max(), "average": d.mean()}[linkage])

    def swapped(A, B, linkage):
        d = pairwise(A, B)
        return float({"single": d.max(), "complete": d.min(), "average": d.mean()}[linkage])

    def centroids(A, B, linkage):
        d = pairwise(A, B)
        if linkage == "average":
            return float(np.linalg.norm(A.mean(axis=0) - B.mean(axis=0)))
        return float(d.min() if linkage == "single" else d.max())

    assert "not their squares" in fails("07.linkage_distance", squared)
    assert "CLOSEST pair" in fails("07.linkage_distance", swapped)
    assert "centroid linkage" in fails("07.linkage_distance", centroids)


@pytest.mark.parametrize("linkage", ["single", "complete", "average"])
def test_linkage_distance_decides_the_library_merges(linkage):
    """The first merge of agglomerative clustering joins the two points at the smallest distance, and the
    last merge height of two far-apart groups is their linkage distance."""
    A = np.array([[0.0, 0.0], [0.5, 0.2], [0.1, 0.6]])
    B = np.array([[8.0, 0.0], [8.4, 0.5]])
    result = agglomerative(np.vstack([A, B]), n_clusters=1, linkage=linkage)
    reference = exercise_spec("07.linkage_distance").reference
    assert np.isclose(result.Z[-1, 2], reference(A, B, linkage))


# ------------------------------------------------------------------ Exercise 4: the elbow, per student
def test_elbow_k_is_each_students_own_and_their_plot_shows_it():
    spec = chapter_specs()["07"]
    counts = set()
    for seed in (0, 1, 2, 3, 4, 5):
        n = spec.numbers(seed)
        k = hidden_blob_count(n)
        counts.add(k)
        inertia = mystery_inertia(n.mystery_seed, ks=range(1, k + 3))
        drops = [before / after for before, after in zip(inertia, inertia[1:])]
        assert drops[k - 2] >= 2 and all(d < 1.2 for d in drops[k - 1 :])  # the last big drop is into k
    assert len(counts) >= 2, "different students should see different numbers of blobs"


def test_elbow_wrong_answers_fail_with_hints():
    k = hidden_blob_count(PUBLIC)
    assert "cuts a blob in two" in fails("07.elbow_k", k + 1)
    assert "still sharing a centre" in fails("07.elbow_k", k - 1)
    for wrong in (str(k), True, 2.5):
        fails("07.elbow_k", wrong)
    fails("07.elbow_k", ..., match="no answer yet")


def test_the_chapter_never_shows_how_many_blobs_the_mystery_data_has():
    text = "\n".join(c.source for c in NOTEBOOK.nb.cells)
    assert "mystery_centres" not in text and "_hidden_blob_centres" not in text
    assert "data.mystery_blobs(n=500, seed=numbers.mystery_seed)" in text


# ------------------------------------------------------------------ issue 14: validation, not test, for choices
def test_choices_are_made_on_validation_data_and_the_cnn_claim_is_gone():
    sources = {c.get("id"): c.source for c in NOTEBOOK.nb.cells}
    regression = next(s for s in sources.values() if "best_degree = min(poly_val_mse" in s)
    assert "X_test" not in regression  # the degree is chosen without the test set
    digits = next(s for s in sources.values() if "digit_history = fit(" in s)
    training = digits[digits.index("digit_history = fit(") :].split(")  # fmt: skip")[0]
    assert "val_data=(D_val_std, d_val)" in training and "test" not in training.lower()
    text = "\n".join(sources.values())
    assert "does better still" not in text and "pushes test accuracy further" not in text
