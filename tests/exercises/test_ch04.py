"""Chapter 04's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (a forgotten ½, an overflowing sigmoid, a sum instead of a mean, a missing normaliser, …);
the outlier prediction carries no points and reveals what the app measures."""

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_reference_passes,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes_in_test_cell,
    exercise_spec,
    fails,
)

import dlcourse as dl
import dlcourse.nn.functional as F
from dlcourse.exercises.checks import check

NOTEBOOK = REPO / "instructor" / "chapters" / "04_losses.ipynb"
CHAPTER = ChapterNotebook(NOTEBOOK)  # solution cells need nothing but NumPy

FUNCTIONS = {  # check id → (solution cell's grade_id, the function it defines)
    "04.huber": ("04_huber", "huber"),
    "04.bce_with_logits": ("04_bce_with_logits", "bce_with_logits"),
    "04.soft_cross_entropy": ("04_soft_cross_entropy", "soft_cross_entropy"),
    "04.laplace_nll": ("04_laplace_nll", "laplace_nll"),
}


@pytest.mark.parametrize("exercise_id", sorted(FUNCTIONS))
def test_reference_passes_and_stub_fails(exercise_id):
    assert_reference_passes(exercise_id)


@pytest.mark.parametrize("exercise_id", sorted(FUNCTIONS))
def test_notebook_solution_passes_and_its_test_cell_calls_the_check(exercise_id):
    assert_solution_passes_in_test_cell(CHAPTER, *FUNCTIONS[exercise_id][:1], exercise_id, FUNCTIONS[exercise_id][1])


@pytest.mark.parametrize("exercise_id", sorted(FUNCTIONS))
def test_released_stub_fails_with_the_friendly_message(exercise_id):
    assert_released_stub_fails(CHAPTER, exercise_id, *FUNCTIONS[exercise_id])


def test_huber_rejects_missing_half_fixed_delta_and_plain_mse():
    def no_half(pred, target, delta=1.0):
        d = np.abs(pred - target)
        return np.mean(np.where(d <= delta, d**2, delta * (d - 0.5 * delta)))

    def ignores_delta(pred, target, delta=1.0):
        d = np.abs(pred - target)
        return np.mean(np.where(d <= 1.0, 0.5 * d**2, d - 0.5))

    assert "HALF the squared error" in fails("04.huber", no_half)
    assert "the δ you are given" in fails("04.huber", ignores_delta)
    assert "HALF the squared error" in fails("04.huber", lambda pred, target, delta=1.0: np.mean((pred - target) ** 2))
    fails("04.huber", lambda pred, target, delta=1.0: np.abs(pred - target), match="single number|shape")


def test_bce_with_logits_must_not_overflow():
    def through_the_sigmoid(z, y):  # the formula of section 3, p = σ(z) first: log(0) for |z| = 1000
        with np.errstate(all="ignore"):
            p = 1 / (1 + np.exp(-z))
            return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def softplus_without_shift(z, y):  # log(1 + e^z) as written: e^1000 overflows
        with np.errstate(all="ignore"):
            return float(np.mean(np.log1p(np.exp(z)) - y * z))

    assert "NaN" in (m := fails("04.bce_with_logits", through_the_sigmoid)) or "infinite" in m
    assert "NaN" in (m := fails("04.bce_with_logits", softplus_without_shift)) or "infinite" in m


def test_bce_with_logits_rejects_swapped_labels_and_a_sum():
    def swapped(z, y):
        return float(np.mean(np.maximum(z, 0) - z * (1 - y) + np.log1p(np.exp(-np.abs(z)))))

    def summed(z, y):
        return float(np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    assert "cost little when y = 1" in fails("04.bce_with_logits", swapped)
    assert "the sum over the examples" in fails("04.bce_with_logits", summed)


def test_bce_with_logits_reference_agrees_with_the_library():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=50) * 30, rng.integers(0, 2, size=50).astype(float)
    expected = F.binary_cross_entropy_with_logits(dl.tensor(z), y).item()
    assert np.isclose(exercise_spec("04.bce_with_logits").reference(z, y), expected)


def _log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def test_soft_cross_entropy_mistakes_are_named():
    assert "the sum over the rows" in fails("04.soft_cross_entropy", lambda z, t: float(-np.sum(t * _log_softmax(z))))
    assert "then average over the rows" in fails(
        "04.soft_cross_entropy", lambda z, t: float(-np.mean(t * _log_softmax(z)))
    )

    def unshifted(z, t):
        with np.errstate(all="ignore"):
            q = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            return float(np.mean(-np.sum(t * np.log(q), axis=1)))

    assert "NaN" in (m := fails("04.soft_cross_entropy", unshifted)) or "infinite" in m


def test_soft_cross_entropy_with_one_hot_targets_is_the_library_cross_entropy():
    rng = np.random.default_rng(1)
    logits, labels = rng.normal(size=(7, 5)) * 4, rng.integers(0, 5, size=7)
    one_hot = np.eye(5)[labels]
    reference = exercise_spec("04.soft_cross_entropy").reference
    assert np.isclose(reference(logits, one_hot), F.cross_entropy(dl.tensor(logits), labels).item())


def test_laplace_nll_mistakes_are_named():
    assert "normalising factor" in fails("04.laplace_nll", lambda p, t, b: float(np.mean(np.abs(t - p) / b)))
    assert "not 1/b" in fails("04.laplace_nll", lambda p, t, b: float(np.mean(np.log(b) + np.abs(t - p) / b)))
    assert "not the squared error" in fails(
        "04.laplace_nll", lambda p, t, b: float(np.mean(np.log(2 * b) + (t - p) ** 2 / b))
    )


def test_laplace_nll_is_minus_the_log_density():
    rng = np.random.default_rng(2)
    pred, target, b = rng.normal(size=9), rng.normal(size=9), 0.8
    density = np.exp(-np.abs(target - pred) / b) / (2 * b)
    assert np.isclose(exercise_spec("04.laplace_nll").reference(pred, target, b), -np.mean(np.log(density)))


# ------------------------------------------------------------------ the prediction: no points, revealed
def test_least_moving_loss_is_a_prediction_that_reveals_and_explains(capsys):
    spec = exercise_spec("04.least_moving_loss")
    assert spec.graded is False
    for answer in ("mae", "MAE", " l1 ", "mean absolute error"):
        check("04.least_moving_loss", answer)
        assert "✓ right" in capsys.readouterr().out
    check("04.least_moving_loss", "mse")
    out = capsys.readouterr().out
    assert "the answer is 'mae'" in out and "same size, however far away" in out
    fails("04.least_moving_loss", "certainly-not-a-loss", match="is not one of")


def test_least_moving_loss_agrees_with_the_app():
    from dlcourse.viz.losses import outlier_fit

    app = outlier_fit(outlier_x=8.0, outlier_y=40.0)
    change = {name: abs(value) for name, value in app.slope_change().items()}
    assert min(change, key=change.get) == exercise_spec("04.least_moving_loss").answer == "mae"
    assert change["mae"] < 1e-9 < change["huber"] < change["mse"] / 10  # what the explanation says


def test_the_prediction_has_no_graded_test_cell_and_its_released_stub_says_no_answer():
    cells = [c for c in CHAPTER.nb.cells if "04_least_moving_loss" in str(c.metadata.get("nbgrader", {}))]
    assert len(cells) == 1 and not cells[0].metadata["nbgrader"]["grade"]
    assert_released_value_stub_says_no_answer(CHAPTER, "04.least_moving_loss", "04_least_moving_loss",
                                              "least_moving_loss")  # fmt: skip
