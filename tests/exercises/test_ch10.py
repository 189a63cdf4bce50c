"""Chapter 10's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (squares for absolute values, argmin instead of patience, a forgotten dropout scale, …)."""

import re

import numpy as np
import pytest
from checks.ch10 import OVERFIT_SETTINGS, early_stopping_epoch
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_reference_passes,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes_in_test_cell,
    chapter_specs,
    exercise_spec,
    fails,
    read,
)

import dlcourse as dl
from dlcourse import data, nn, optim
from dlcourse.exercises.checks import check
from dlcourse.train import EarlyStopping, fit

NOTEBOOK = REPO / "instructor" / "chapters" / "10_overfitting.ipynb"
CHAPTER = ChapterNotebook(NOTEBOOK)  # solution cells need nothing but NumPy


@pytest.mark.parametrize("exercise_id", ["10.penalty", "10.early_stopping_epoch", "10.dropout_backward"])
def test_reference_passes_and_stub_fails(exercise_id):
    assert_reference_passes(exercise_id)


def l1(weights):
    return sum(np.abs(w).sum() for w in weights)


def l2(weights):
    return sum((w**2).sum() for w in weights)


def test_penalty_rejects_plausible_mistakes():
    fails("10.penalty", lambda ws, a, b: a * l2(ws) + b * l1(ws))  # the coefficients swapped
    fails("10.penalty", lambda ws, a, b: a * sum(w.sum() for w in ws) + b * l2(ws))  # no absolute value
    fails("10.penalty", lambda ws, a, b: a * l1(ws) + b / 2 * l2(ws))  # a ½ the exercise does not have
    fails("10.penalty", lambda ws, a, b: b * l2(ws))  # L2 only
    fails("10.penalty", lambda ws, a, b: a * l1(ws[:1]) + b * l2(ws[:1]))  # first array only
    fails("10.penalty", lambda ws, a, b: a * sum(np.abs(w).mean() for w in ws) + b * sum((w**2).mean() for w in ws))
    check("10.penalty", lambda ws, a, b: a * sum(np.linalg.norm(np.ravel(w), 1) for w in ws)
          + b * sum(np.dot(np.ravel(w), np.ravel(w)) for w in ws))  # fmt: skip  # another way


def test_penalty_hints_name_the_mistakes():
    assert "absolute values" in fails("10.penalty", lambda ws, a, b: a * sum(w.sum() for w in ws) + b * l2(ws))
    assert "no ½" in fails("10.penalty", lambda ws, a, b: a * l1(ws) + b / 2 * l2(ws))


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


def test_dropout_backward_is_the_library_dropouts_backward():
    """The exercise's rule is what autograd does through nn.Dropout in training mode (mask read off its output)."""
    layer = nn.Dropout(p=0.4, seed=3)
    layer.train()
    h = dl.tensor(np.random.default_rng(0).uniform(1, 2, size=(6, 5)), requires_grad=True)  # never 0: the mask shows
    out = layer(h)
    grad_out = np.random.default_rng(1).normal(size=(6, 5))
    (out * dl.tensor(grad_out)).sum().backward()
    keep = np.asarray(out) != 0
    reference = CHAPTER.solution("10_dropout_backward", "dropout_backward")
    np.testing.assert_allclose(reference(grad_out, keep, 0.4), np.asarray(h.grad), rtol=1e-6)


def test_dropout_backward_rejects_plausible_mistakes():
    fails("10.dropout_backward", lambda g, keep, p: g * keep, match="scaled up")  # forgot 1/(1 − p)
    fails("10.dropout_backward", lambda g, keep, p: g * keep * (1 - p), match="DIVIDED")
    fails("10.dropout_backward", lambda g, keep, p: g / (1 - p), match="no gradient|is 0")
    fails("10.dropout_backward", lambda g, keep, p: g * keep / p)  # p for 1 − p
    fails("10.dropout_backward", lambda g, keep, p: g * ~np.asarray(keep) / (1 - p))  # the mask inverted


def test_cv_fits_per_student_and_near_misses():
    chapter = chapter_specs()["10"]
    exercise = exercise_spec("10.cv_fits")
    answers = {exercise.answer_for(chapter.numbers(seed)) for seed in range(1, 40)}
    assert len(answers) > 15, "per-student numbers must give most students a different answer"
    n = chapter.numbers(0)
    check("10.cv_fits", n.k * n.candidates + 1)
    assert "once more" in fails("10.cv_fits", n.k * n.candidates)
    assert "once per fold" in fails("10.cv_fits", n.candidates + 1)
    assert str(n.k * n.candidates + 1) not in fails("10.cv_fits", 3)  # the answer is never revealed


def test_most_overfit_is_a_prediction_that_reveals_and_explains(capsys):
    check("10.most_overfit", " c ")
    out = capsys.readouterr().out
    assert "✗ the answer is 'a'" in out and "memorise" in out
    assert not exercise_spec("10.most_overfit").graded
    assert "10_most_overfit_test" not in [
        c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in read(NOTEBOOK).cells
    ]


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
SOLUTIONS = {"10_penalty": ("10.penalty", "penalty"),
             "10_early_stopping": ("10.early_stopping_epoch", "early_stopping_epoch"),
             "10_dropout_backward": ("10.dropout_backward", "dropout_backward")}  # fmt: skip


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_notebook_solution_passes_and_its_test_cell_calls_the_check(grade_id):
    assert_solution_passes_in_test_cell(CHAPTER, grade_id, *SOLUTIONS[grade_id])


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
def test_notebook_settings_table_matches_the_check():
    source = "\n".join(c.source for c in read(NOTEBOOK).cells if c.cell_type == "code")
    match = re.search(r"^settings = (\{.*?\})", source, re.MULTILINE)
    assert match and eval(match.group(1)) == OVERFIT_SETTINGS


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
def test_released_value_and_prediction_stubs_say_no_answer():
    numbers_chapter = ChapterNotebook(NOTEBOOK, numbers=chapter_specs()["10"].numbers(0))
    assert_released_value_stub_says_no_answer(numbers_chapter, "10.cv_fits", "10_cv_fits", "cv_fits")
    assert_released_value_stub_says_no_answer(CHAPTER, "10.most_overfit", "10_most_overfit", "most_overfit")
    assert_solution_passes_in_test_cell(numbers_chapter, "10_cv_fits", "10.cv_fits", "cv_fits")
