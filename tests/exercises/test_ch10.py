"""Chapter 10's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (absolute values for squares, argmin instead of patience, train minus val, …)."""

import re

import numpy as np
import pytest
from checks.ch10 import OVERFIT_SETTINGS, early_stopping_epoch
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_graded_choice,
    assert_reference_passes,
    assert_solution_passes_in_test_cell,
    fails,
    read,
)

from dlcourse import data, nn, optim
from dlcourse.exercises.checks import check
from dlcourse.train import EarlyStopping, fit

NOTEBOOK = REPO / "instructor" / "chapters" / "10_overfitting.ipynb"
CHAPTER = ChapterNotebook(NOTEBOOK)  # solution cells need nothing but NumPy


@pytest.mark.parametrize("exercise_id", ["10.l2_penalty", "10.early_stopping_epoch", "10.generalization_gap"])
def test_reference_passes_and_stub_fails(exercise_id):
    assert_reference_passes(exercise_id)


def test_l2_penalty_rejects_plausible_mistakes():
    fails("10.l2_penalty", lambda weights, lam: lam * sum(np.abs(w).sum() for w in weights))  # L1, not L2
    fails("10.l2_penalty", lambda weights, lam: lam * sum(np.sqrt((w**2).sum()) for w in weights))  # norms
    fails("10.l2_penalty", lambda weights, lam: lam * sum((w**2).mean() for w in weights))  # means
    fails("10.l2_penalty", lambda weights, lam: lam * float((weights[0] ** 2).sum()))  # first array only
    fails("10.l2_penalty", lambda weights, lam: sum((w**2).sum() for w in weights))  # forgot λ
    check("10.l2_penalty", lambda weights, lam: lam * sum(np.sum(np.square(w)) for w in weights))  # another way


def test_early_stopping_epoch_rejects_argmin_off_by_one_and_ties():
    def argmin(val_losses, patience):
        return int(np.argmin(val_losses))

    def off_by_one(val_losses, patience):  # waits one epoch too long
        best, waited = 0, 0
        for epoch in range(1, len(val_losses)):
            if val_losses[epoch] < val_losses[best]:
                best, waited = epoch, 0
            else:
                waited += 1
                if waited > patience:
                    break
        return best

    def ties_improve(val_losses, patience):  # "<=": an equal loss counts as better
        best, waited = 0, 0
        for epoch in range(1, len(val_losses)):
            if val_losses[epoch] <= val_losses[best]:
                best, waited = epoch, 0
            else:
                waited += 1
                if waited >= patience:
                    break
        return best

    for wrong in (argmin, off_by_one, ties_improve):
        fails("10.early_stopping_epoch", wrong)


def test_early_stopping_epoch_agrees_with_the_library_callback():
    """The exercise's rule is dlcourse's EarlyStopping: same best epoch on a real run's validation curve."""
    X, y = data.sine(n=60, noise=0.3, seed=3)
    X_train, X_val, y_train, y_val = data.train_test_split(X, y, test_size=40, seed=0)

    def run(callbacks):
        model = nn.Sequential(nn.Linear(1, 32, seed=0), nn.Tanh(), nn.Linear(32, 1, seed=1))
        return fit(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.02), (X_train, y_train), epochs=200,
                   val_data=(X_val, y_val), callbacks=callbacks, progress=False)  # fmt: skip

    full = run([])["val_loss"]
    for patience in (3, 10, 40):
        stopper = EarlyStopping(patience=patience)
        run([stopper])
        assert early_stopping_epoch(full, patience) == stopper.best_epoch


def test_generalization_gap_rejects_sign_sums_and_roots():
    def mse(predict, X, y):
        return np.mean((predict(X) - y) ** 2)

    fails("10.generalization_gap", lambda p, Xt, yt, Xv, yv: mse(p, Xt, yt) - mse(p, Xv, yv))  # train − val
    fails("10.generalization_gap", lambda p, Xt, yt, Xv, yv: np.sum((p(Xv) - yv) ** 2) - np.sum((p(Xt) - yt) ** 2))
    fails("10.generalization_gap", lambda p, Xt, yt, Xv, yv: np.sqrt(mse(p, Xv, yv)) - np.sqrt(mse(p, Xt, yt)))
    fails("10.generalization_gap", lambda p, Xt, yt, Xv, yv: mse(p, Xv, yv))  # the val MSE alone


def test_most_overfit_is_a_graded_choice(capsys):
    assert_graded_choice("10.most_overfit", " a ", "C", capsys)


def test_setting_a_really_overfits_most_in_the_explorer():
    """The answer of exercise 4 is what the explorer shows: A ends with the largest val − train gap."""
    from dlcourse.viz.capacity import make_mlp, sine_task, train_epochs

    X_pool, y_pool, X_val, y_val = sine_task(seed=2)  # the explorer's default data
    gaps = {}
    for letter, (hidden, n_points, decay) in OVERFIT_SETTINGS.items():
        model = make_mlp(hidden, seed=2)
        opt = optim.AdamW(model.parameters(), lr=0.01, weight_decay=decay)
        train, val, _ = train_epochs(model, opt, (X_pool[:n_points], y_pool[:n_points]), (X_val, y_val), 600)
        gaps[letter] = val[-1] - train[-1]
    assert max(gaps, key=gaps.get) == "A"
    assert gaps["A"] > 2 * max(gaps[k] for k in "BCD")  # not a close call


# ------------------------------------------------------------------ the notebook's own solutions pass
SOLUTIONS = {"10_l2_penalty": ("10.l2_penalty", "l2_penalty"),
             "10_early_stopping": ("10.early_stopping_epoch", "early_stopping_epoch"),
             "10_generalization_gap": ("10.generalization_gap", "generalization_gap"),
             "10_most_overfit": ("10.most_overfit", "most_overfit")}  # fmt: skip


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_notebook_solution_passes_and_its_test_cell_calls_the_check(grade_id):
    assert_solution_passes_in_test_cell(CHAPTER, grade_id, *SOLUTIONS[grade_id])


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
def test_notebook_settings_table_matches_the_check():
    source = "\n".join(c.source for c in read(NOTEBOOK).cells if c.cell_type == "code")
    match = re.search(r"^settings = (\{.*?\})", source, re.MULTILINE)
    assert match and eval(match.group(1)) == OVERFIT_SETTINGS
