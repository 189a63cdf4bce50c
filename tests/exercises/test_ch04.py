"""Chapter 04's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (RMSE instead of MSE, no clipping, a forgotten ½, log 0, …)."""

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_graded_choice,
    assert_reference_passes,
    assert_solution_passes_in_test_cell,
    fails,
)

from dlcourse.exercises.checks import check

NOTEBOOK = REPO / "instructor" / "chapters" / "04_losses.ipynb"
CHAPTER = ChapterNotebook(NOTEBOOK)  # solution cells need nothing but NumPy


FUNCTIONS = ["04.mse", "04.bce", "04.huber", "04.entropy"]


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_reference_passes_and_stub_fails(exercise_id):
    assert_reference_passes(exercise_id)


def test_mse_rejects_sum_rmse_and_mae():
    fails("04.mse", lambda pred, target: np.sum((pred - target) ** 2))
    fails("04.mse", lambda pred, target: np.sqrt(np.mean((pred - target) ** 2)))
    fails("04.mse", lambda pred, target: np.mean(np.abs(pred - target)))
    fails("04.mse", lambda pred, target: np.mean((pred - target) ** 2, axis=0), match="single number")


def test_bce_needs_the_clip_with_the_given_eps():
    def unclipped(p, y, eps=1e-7):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    def other_eps(p, y, eps=1e-7):
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    def no_minus(p, y, eps=1e-7):
        p = np.clip(p, eps, 1 - eps)
        return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    fails("04.bce", unclipped, match="NaN|infinite")
    fails("04.bce", other_eps)
    fails("04.bce", no_minus)


def test_huber_rejects_missing_half_and_plain_mse():
    def no_half(pred, target, delta=1.0):
        d = np.abs(pred - target)
        return np.mean(np.where(d <= delta, d**2, delta * (d - 0.5 * delta)))

    def ignores_delta(pred, target, delta=1.0):
        d = np.abs(pred - target)
        return np.mean(np.where(d <= 1.0, 0.5 * d**2, d - 0.5))

    fails("04.huber", no_half)
    fails("04.huber", ignores_delta)
    fails("04.huber", lambda pred, target, delta=1.0: np.mean((pred - target) ** 2))


def test_entropy_rejects_log_of_zero_and_bits():
    def with_zeros(p):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.sum(p * np.log(p))

    def in_bits(p):
        p = p[p > 0]
        return -np.sum(p * np.log2(p))

    fails("04.entropy", with_zeros, match="NaN")
    fails("04.entropy", in_bits)


@pytest.mark.parametrize("answer", ["mae", "MAE", " l1 ", "mean absolute error"])
def test_least_moving_loss_accepts_mae(answer):
    check("04.least_moving_loss", answer)


def test_least_moving_loss_is_a_graded_choice(capsys):
    assert_graded_choice("04.least_moving_loss", "mae", "mse", capsys)


def test_least_moving_loss_agrees_with_the_app():
    from dlcourse.viz.losses import outlier_fit

    app = outlier_fit(outlier_x=8.0, outlier_y=40.0)
    change = {name: abs(value) for name, value in app.slope_change().items()}
    assert min(change, key=change.get) == "mae"


# ------------------------------------------------------------------ the notebook's own solutions pass
SOLUTIONS = {"04_mse": ("04.mse", "mse"), "04_bce": ("04.bce", "binary_cross_entropy"),
             "04_huber": ("04.huber", "huber"), "04_entropy": ("04.entropy", "entropy"),
             "04_least_moving_loss": ("04.least_moving_loss", "least_moving_loss")}  # fmt: skip


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_notebook_solution_passes_and_its_test_cell_calls_the_check(grade_id):
    assert_solution_passes_in_test_cell(CHAPTER, grade_id, *SOLUTIONS[grade_id])
