"""Checks for chapter 05 (gradient descent): one GD step, momentum, Adam, a learning rate, a saddle prediction."""

import numpy as np

from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check

# The bowl of the learning-rate exercise: f = ½(x² + κy²), from START, within STEPS steps, down to TARGET.
BOWL_CONDITION, START, STEPS, TARGET = 50.0, (-4.5, 2.0), 200, 1e-3


def _vectors(rng, k=2):
    n = int(rng.integers(1, 5))
    return [rng.normal(size=n) for _ in range(k)]


@function_check(
    "05.gd_step",
    cases=[
        Case(np.array([1.0, -2.0]), np.array([0.5, -1.0]), 0.1),  # → [0.95, -1.9]
        Case(np.array([3.0]), np.array([0.0]), 10.0),  # a flat spot: no move, whatever the learning rate
        Case(np.array([0.0, 0.0, 0.0]), np.array([1.0, 2.0, -3.0]), 1.0),
    ],
    random_case=lambda rng: Case(*_vectors(rng), float(rng.uniform(0.001, 1.0))),
    hint="Step AGAINST the gradient: return theta - lr * grad (a new array; don't change theta in place).",
)
def gd_step(theta, grad, lr):
    """θ ← θ − η·∇L."""
    return theta - lr * grad


@function_check(
    "05.momentum_step",
    cases=[
        Case(np.array([1.0, 1.0]), np.array([0.0, 0.0]), np.array([2.0, -1.0]), 0.1, 0.9),  # first step = plain GD
        Case(np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([2.0, -1.0]), 0.1, 0.9),  # v = [2.9, -0.1]
        Case(np.array([0.5]), np.array([-3.0]), np.array([0.0]), 0.5, 0.5),  # no gradient: coasting on v
        Case(np.array([0.5]), np.array([-3.0]), np.array([1.0]), 0.5, 0.0),  # μ = 0: plain gradient descent
    ],
    random_case=lambda rng: Case(*_vectors(rng, 3), float(rng.uniform(0.01, 1)), float(rng.uniform(0, 0.99))),
    hint="First the velocity: v_new = momentum * velocity + grad; then theta_new = theta - lr * v_new. "
    "Return both, as (theta_new, v_new).",
)
def momentum_step(theta, velocity, grad, lr, momentum=0.9):
    """v ← μ·v + ∇L;  θ ← θ − η·v  (PyTorch's convention); returns (θ, v)."""
    velocity = momentum * velocity + grad
    return theta - lr * velocity, velocity


def _adam_case(rng):
    theta, m, grad = _vectors(rng, 3)
    v = rng.uniform(0, 2, size=theta.shape)  # a running average of squares is never negative
    return Case(theta, m, v, grad, int(rng.integers(1, 50)), lr=float(rng.uniform(0.001, 0.5)))


@function_check(
    "05.adam_step",
    cases=[
        # t = 1 from zero moments: bias correction makes the first step exactly lr·sign(g) (up to eps)
        Case(np.array([1.0, -1.0]), np.zeros(2), np.zeros(2), np.array([4.0, -0.01]), 1, lr=0.1),
        Case(np.array([0.5]), np.array([0.2]), np.array([0.3]), np.array([-1.0]), 5, lr=0.01),
        Case(np.array([0.5]), np.array([0.2]), np.array([0.3]), np.array([-1.0]), 500, lr=0.01),  # corrections ≈ 1
        Case(
            np.array([2.0]), np.zeros(1), np.zeros(1), np.array([0.0]), 1, lr=0.1
        ),  # zero gradient: eps keeps 0/0 away
    ],
    random_case=_adam_case,
    rtol=1e-6,
    hint="m = b1·m + (1−b1)·g;  v = b2·v + (1−b2)·g²;  m̂ = m / (1 − b1**t);  v̂ = v / (1 − b2**t);  "
    "theta − lr·m̂ / (sqrt(v̂) + eps). Return (theta, m, v) — the UNcorrected m and v.",
)
def adam_step(theta, m, v, grad, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step at step number t (1, 2, …); returns (θ, m, v)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def bowl_descent(lr, condition=BOWL_CONDITION, start=START, steps=STEPS):
    """Losses of plain gradient descent on f = ½(x² + κy²): a list, stopping early if it blows up."""
    point, curvature = np.array(start, dtype=float), np.array([1.0, condition])
    losses = []
    for _ in range(steps + 1):
        loss = 0.5 * float(np.sum(curvature * point**2))
        losses.append(loss)
        if not np.isfinite(loss) or loss > 1e12:
            break
        point = point - lr * curvature * point  # ∇f = (x, κy)
    return losses


@exercise(
    "05.converging_lr",
    hint=f"On the bowl the steepest direction (y) has curvature κ = {BOWL_CONDITION:g}: steps larger than 2/κ "
    "overshoot further every time. The flat direction (x) needs steps that are not too timid. Try the "
    "explorer: condition slider at 50, 200 steps.",
)
def _converging_lr(answer):
    ok = isinstance(answer, int | float | np.number) and not isinstance(answer, bool) and np.isfinite(answer)
    assert ok and answer > 0, f"answer with one positive number (the learning rate), got {describe(answer)}"
    losses = bowl_descent(float(answer))
    final = losses[-1]
    if not np.isfinite(final) or final > losses[0]:
        raise AssertionError(f"lr = {answer:g} diverges: the loss grows from {losses[0]:.3g} to {final:.3g}")
    assert final < TARGET, (
        f"lr = {answer:g} converges, but after {STEPS} steps the loss is still {final:.3g} "
        f"(the goal is below {TARGET:g})"
    )


_OPTIMIZER_NAMES = {"sgd": "sgd", "gd": "sgd", "gradient descent": "sgd", "momentum": "momentum",
                    "nesterov": "nesterov", "adagrad": "adagrad", "rmsprop": "rmsprop", "adam": "adam"}  # fmt: skip


def saddle_escape_steps(threshold: float = -0.9) -> dict:
    """For each optimizer of the explorer (default settings, saddle surface): the first step with loss < threshold."""
    from dlcourse.viz.surfaces import get_surface
    from dlcourse.viz.trajectories import run_trajectories

    runs = run_trajectories(get_surface("saddle"))
    return {name: int(np.argmax(run.losses < threshold)) if (run.losses < threshold).any() else None
            for name, run in runs.items()}  # fmt: skip


@exercise("05.saddle_winner", hint="Open the explorer on the saddle and press play; watch the loss panel.")
def _saddle_winner(answer):
    assert isinstance(answer, str), f'answer with an optimizer name such as "adam", got {describe(answer)}'
    name = _OPTIMIZER_NAMES.get(answer.strip().lower())
    assert name is not None, f"{answer!r} is not one of {sorted(set(_OPTIMIZER_NAMES.values()))}"
    steps = saddle_escape_steps()
    fastest = min(s for s in steps.values() if s is not None)
    mine = steps[name]
    where = f"at step {mine}" if mine is not None else "never (within the run)"
    assert mine == fastest, f"{answer} gets below −0.9 {where}; another optimizer gets there at step {fastest}"
