"""Chapter 05's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (ignoring the tilt of the bowl, plain momentum instead of the look-ahead, a warm-up that
starts at 0, …); the speed limit is per student; the saddle prediction carries no points and says what the
explorer measures."""

import math

import numpy as np
import pytest
from checks.ch05 import curvatures, saddle_escape_steps, warmup_cosine
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_reference_passes,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    chapter_specs,
    exercise_spec,
    fails,
)

import dlcourse as dl
from dlcourse import optim
from dlcourse.exercises.checks import check
from dlcourse.exercises.measures import bowl_final_loss

PUBLIC = chapter_specs()["05"].numbers(0)  # the numbers of the public copy (seed 0)
NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "05_gradient_descent.ipynb", numbers=PUBLIC)
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("05.nesterov_lookahead", "05_nesterov_lookahead", "nesterov_lookahead"),
    ("05.warmup_cosine", "05_warmup_cosine", "warmup_cosine"),
]
VALUES = [("05.speed_limit", "05_speed_limit", "speed_limit"), ("05.converging_lr", "05_converging_lr", "my_lr")]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_reference_passes_and_released_stub_fails(exercise_id, grade_id, name):
    assert_reference_passes(exercise_id)
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), VALUES + [("05.saddle_winner", "05_saddle_winner",
                                                                         "saddle_winner")])  # fmt: skip
def test_released_value_stub_says_no_answer(exercise_id, grade_id, name):
    assert_released_value_stub_says_no_answer(NOTEBOOK, exercise_id, grade_id, name)


# ------------------------------------------------------------------ Exercise 1: the speed limit (per student)
def descent_converges(lr, n, steps=3000):
    """Plain gradient descent on ½θᵀHθ from a start that has a component along every direction."""
    H = np.array([[n.a, n.c], [n.c, n.b]], dtype=float)
    theta = np.array([1.0, -0.7])
    for _ in range(steps):
        theta = theta - lr * H @ theta
    return np.abs(theta).max() < 1e-3


def test_the_speed_limit_is_where_gradient_descent_stops_converging():
    limit = exercise_spec("05.speed_limit").answer_for(PUBLIC)
    assert descent_converges(0.99 * limit, PUBLIC) and not descent_converges(1.01 * limit, PUBLIC)
    check("05.speed_limit", limit)
    check("05.speed_limit", round(limit, 5))  # 4 significant digits are enough


def test_speed_limit_mistakes_are_named():
    n = PUBLIC
    assert "the coupling c tilts the bowl" in fails("05.speed_limit", 2 / max(n.a, n.b))
    assert "not 1/h" in fails("05.speed_limit", float(1 / curvatures(n)[-1]))
    assert "SMALLEST curvature" in fails("05.speed_limit", float(2 / curvatures(n)[0]))
    assert str(round(exercise_spec("05.speed_limit").answer_for(n), 3)) not in fails("05.speed_limit", 0.5)
    fails("05.speed_limit", ..., match="no answer yet")


def test_every_student_gets_a_tilted_positive_definite_bowl_and_their_own_answer():
    spec = chapter_specs()["05"]
    answers = set()
    for seed in range(200):
        n = spec.numbers(seed)
        assert n.c != 0 and n.c**2 < n.a * n.b  # tilted, and a bowl (both curvatures positive)
        assert 2 / max(n.a, n.b) > exercise_spec("05.speed_limit").answer_for(n) * 1.0001  # the tilt matters
        answers.add(round(exercise_spec("05.speed_limit").answer_for(n), 4))
    assert len(answers) > 150, "per-student numbers must give (nearly) everyone a different answer"


# ------------------------------------------------------------------ Exercise 2: a learning rate in the window
def test_converging_lr_window():
    low, high = 0.0229, 0.0393  # found by scanning: slower never reaches 1e-3 in time, faster zig-zags out
    for lr in (low, 0.03, high):
        check("05.converging_lr", lr)
    fails("05.converging_lr", 0.05, match="is inf; it must be < 0.001")  # diverges
    fails("05.converging_lr", 0.01, match="it must be < 0.001")  # converges, too slowly
    for wrong in (-0.1, 0.0, True, "0.03", float("nan")):
        fails("05.converging_lr", wrong, match="positive number")
    fails("05.converging_lr", ..., match="no answer yet")
    assert bowl_final_loss(0.0225) > 1e-3 and bowl_final_loss(0.0396) > 1e-3


# ------------------------------------------------------------------ Exercise 3: Nesterov's look-ahead form
def test_nesterov_lookahead_mistakes_are_named():
    def plain_momentum(theta, velocity, grad_fn, lr, momentum=0.9):
        velocity = momentum * velocity + grad_fn(theta)
        return theta - lr * velocity, velocity

    def pytorch_form(theta, velocity, grad_fn, lr, momentum=0.9):
        g = grad_fn(theta)
        velocity = momentum * velocity + g
        return theta - lr * (g + momentum * velocity), velocity

    def uphill_lookahead(theta, velocity, grad_fn, lr, momentum=0.9):
        velocity = momentum * velocity + grad_fn(theta + lr * momentum * velocity)
        return theta - lr * velocity, velocity

    assert "That is plain momentum" in fails("05.nesterov_lookahead", plain_momentum)
    assert "PyTorch's rewritten form" in fails("05.nesterov_lookahead", pytorch_form)
    assert "DOWNHILL" in fails("05.nesterov_lookahead", uphill_lookahead)


def test_the_lookahead_form_is_pytorch_nesterov_seen_from_the_lookahead_point():
    """The two forms are one method: PyTorch's θ is the original's look-ahead point θ − ημv (same start)."""
    reference = exercise_spec("05.nesterov_lookahead").reference
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    lr, mu = 0.1, 0.9
    theta, velocity = np.array([1.0, -2.0]), np.zeros(2)
    param = dl.tensor(theta.copy(), requires_grad=True)
    opt = optim.SGD([param], lr=lr, momentum=mu, nesterov=True)
    for _ in range(25):
        theta, velocity = reference(theta, velocity, lambda p: H @ p, lr, mu)
        param.grad = None
        (0.5 * (param @ dl.tensor(H) @ param)).backward()
        opt.step()
        np.testing.assert_allclose(np.asarray(param.data), theta - lr * mu * velocity, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ Exercise 4: warm-up, then cosine
def test_warmup_cosine_mistakes_are_named():
    def from_zero(step, base_lr, warmup_steps, total_steps):
        if step < warmup_steps:
            return base_lr * step / warmup_steps
        return 0.5 * base_lr * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))

    def cosine_over_everything(step, base_lr, warmup_steps, total_steps):
        if step < warmup_steps:
            return base_lr * (step + 1) / warmup_steps
        return 0.5 * base_lr * (1 + math.cos(math.pi * step / total_steps))

    assert "on its LAST step" in fails("05.warmup_cosine", from_zero)
    assert "counts from the end of the warm-up" in fails("05.warmup_cosine", cosine_over_everything)
    fails("05.warmup_cosine", lambda step, base_lr, warmup_steps, total_steps: base_lr)


def test_warmup_cosine_is_a_linear_ramp_then_the_library_cosine():
    base, warmup, total = 0.3, 7, 40
    param = dl.tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([param], lr=base)
    cosine = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup)
    for step in range(total):
        expected = base * (step + 1) / warmup if step < warmup else opt.param_groups[0]["lr"]
        assert math.isclose(warmup_cosine(step, base, warmup, total), expected, rel_tol=1e-12)
        if step >= warmup:
            cosine.step()
    assert warmup_cosine(warmup - 1, base, warmup, total) == warmup_cosine(warmup, base, warmup, total) == base


# ------------------------------------------------------------------ the saddle: a prediction, no points
def test_saddle_prediction_reveals_the_measured_order(capsys):
    spec = exercise_spec("05.saddle_winner")
    assert spec.graded is False
    steps = saddle_escape_steps()
    assert steps == {"sgd": 56, "momentum": 25, "nesterov": 18, "adagrad": None, "rmsprop": 8, "adam": 38}
    winner = min((s, n) for n, s in steps.items() if s is not None)[1]
    assert spec.answer == winner == "rmsprop"
    for step in steps.values():  # the explanation quotes what the explorer measures
        quoted = f"({step})" in spec.explanation or f"after {step} steps" in spec.explanation
        assert quoted if step is not None else "never" in spec.explanation
    check("05.saddle_winner", "adam")
    out = capsys.readouterr().out
    assert "the answer is 'rmsprop'" in out and "Adam (38)" in out
    check("05.saddle_winner", "RMSProp")
    assert "✓ right" in capsys.readouterr().out


def test_the_saddle_prediction_has_no_graded_test_cell_and_sits_before_the_explorer():
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in NOTEBOOK.nb.cells]
    assert "05_saddle_winner" in ids and "05_saddle_winner_test" not in ids
    sources = [c.source for c in NOTEBOOK.nb.cells]
    prediction = ids.index("05_saddle_winner")
    explorer = next(i for i, s in enumerate(sources) if 'landscape_explorer("saddle")' in s)
    explanation = next(i for i, s in enumerate(sources) if s.startswith("**Why this order?**"))
    assert prediction < explorer < explanation


def test_no_cell_primes_adam_for_the_saddle():
    text = "\n".join(c.source for c in NOTEBOOK.nb.cells if c.cell_type == "markdown")
    assert "walks off a nearly flat saddle" not in text
    assert "default" in text and "below $-0.9$" in text and "loss + 1" in text
