"""Chapter 05's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (stepping uphill, the other momentum convention, Adam without bias correction, …)."""

import numpy as np
import pytest
from checks.ch05 import adam_step, bowl_descent, momentum_step, saddle_escape_steps
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_graded_choice,
    assert_reference_passes,
    assert_solution_passes_in_test_cell,
    exercise_spec,
    fails,
)

import dlcourse as dl
from dlcourse import optim
from dlcourse.exercises.checks import check

NOTEBOOK = REPO / "instructor" / "chapters" / "05_gradient_descent.ipynb"
CHAPTER = ChapterNotebook(NOTEBOOK)  # solution cells need nothing but NumPy


@pytest.mark.parametrize("exercise_id", ["05.gd_step", "05.momentum_step", "05.adam_step"])
def test_reference_passes_and_stub_fails(exercise_id):
    assert_reference_passes(exercise_id)


def test_gd_step_rejects_uphill_and_in_place():
    def in_place(theta, grad, lr):
        theta -= lr * grad
        return theta

    fails("05.gd_step", lambda theta, grad, lr: theta + lr * grad)
    fails("05.gd_step", lambda theta, grad, lr: theta - grad)
    fails("05.gd_step", in_place, match="in place")


def test_momentum_step_rejects_other_conventions():
    def classic(theta, velocity, grad, lr, momentum=0.9):  # v ← μv − ηg: same path, other velocity
        velocity = momentum * velocity - lr * grad
        return theta + velocity, velocity

    def velocity_after(theta, velocity, grad, lr, momentum=0.9):  # moves with the old velocity
        return theta - lr * velocity, momentum * velocity + grad

    fails("05.momentum_step", classic)
    fails("05.momentum_step", velocity_after)
    fails("05.momentum_step", lambda theta, velocity, grad, lr, momentum=0.9: theta - lr * grad)


def test_adam_step_rejects_missing_bias_correction_and_corrected_moments():
    def uncorrected(theta, m, v, grad, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * m / (np.sqrt(v) + eps), m, v

    def returns_corrected(theta, m, v, grad, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1**t)
        v = (beta2 * v + (1 - beta2) * grad**2) / (1 - beta2**t)
        return theta - lr * m / (np.sqrt(v) + eps), m, v

    fails("05.adam_step", uncorrected)
    fails("05.adam_step", returns_corrected)


def test_reference_steps_follow_dlcourse_optimizers():
    """The checks teach PyTorch's conventions: the references reproduce optim.SGD(momentum) and optim.Adam."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(30, 3))
    for opt_class, kwargs in ((optim.SGD, dict(lr=0.1, momentum=0.8)), (optim.Adam, dict(lr=0.05))):
        param = dl.tensor(np.ones(3), requires_grad=True)
        opt = opt_class([param], **kwargs)
        theta, first, second = np.ones(3), np.zeros(3), np.zeros(3)
        for t, g in enumerate(grads, start=1):
            param.grad = g.copy()
            opt.step()
            if opt_class is optim.SGD:
                theta, first = momentum_step(theta, first, g, 0.1, 0.8)
            else:
                theta, first, second = adam_step(theta, first, second, g, t, lr=0.05)
        np.testing.assert_allclose(theta, param.data, rtol=1e-12)


def test_converging_lr_window():
    low, high = 0.0229, 0.0393  # found by scanning: slower never reaches 1e-3 in time, faster zig-zags out
    for lr in (low, 0.03, high):
        check("05.converging_lr", lr)
    fails("05.converging_lr", 0.05, match="is inf; it must be < 0.001")  # diverges
    fails("05.converging_lr", 0.01, match="it must be < 0.001")  # converges, too slowly
    for wrong in (-0.1, 0.0, True, "0.03", float("nan")):
        fails("05.converging_lr", wrong, match="positive number")
    fails("05.converging_lr", ..., match="no answer yet")
    assert bowl_descent(0.0225)[-1] > 1e-3 and bowl_descent(0.0396)[-1] > 1e-3


def test_saddle_winner_is_the_fastest_escaper(capsys):
    steps = saddle_escape_steps()
    winner = min((s, n) for n, s in steps.items() if s is not None)[1]
    assert exercise_spec("05.saddle_winner").answer == winner
    assert_graded_choice("05.saddle_winner", winner.upper(), "sgd", capsys)


# ------------------------------------------------------------------ the notebook's own solutions pass
SOLUTIONS = {"05_gd_step": ("05.gd_step", "gd_step"), "05_momentum_step": ("05.momentum_step", "momentum_step"),
             "05_adam_step": ("05.adam_step", "adam_step"), "05_converging_lr": ("05.converging_lr", "my_lr"),
             "05_saddle_winner": ("05.saddle_winner", "saddle_winner")}  # fmt: skip


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_notebook_solution_passes_and_its_test_cell_calls_the_check(grade_id):
    assert_solution_passes_in_test_cell(CHAPTER, grade_id, *SOLUTIONS[grade_id])
