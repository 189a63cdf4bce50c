"""Chapter 05 (gradient descent): the speed limit of a tilted bowl (per-student numbers), a learning rate that
converges in time, Nesterov's look-ahead form, a warm-up + cosine schedule, and a saddle prediction (no points)."""

import math

import numpy as np

from dlcourse.exercises.digests import Tolerance
from dlcourse.exercises.measures import bowl_final_loss
from dlcourse.exercises.spec import (
    Case,
    Mistake,
    choice_exercise,
    function_exercise,
    numbers,
    property_exercise,
    value_exercise,
)


# ------------------------------------------------------------------------------------------ per-student numbers
def _tilted_bowl(rng):
    """L(θ) = ½(a·θ₁² + 2c·θ₁θ₂ + b·θ₂²) with a positive-definite Hessian [[a, c], [c, b]] and c ≠ 0."""
    while True:
        a, b = (int(v) for v in rng.integers(2, 21, size=2))
        c = int(rng.integers(-9, 10))
        if c != 0 and c * c < a * b - 1:  # positive definite with room to spare
            return {"a": a, "b": b, "c": c}


numbers(_tilted_bowl, chapter="05")


def curvatures(n):
    """The eigenvalues of the learner's Hessian [[a, c], [c, b]], smallest first."""
    return np.linalg.eigvalsh(np.array([[n.a, n.c], [n.c, n.b]], dtype=float))


value_exercise(
    "05.speed_limit",
    answer=lambda n: float(2.0 / curvatures(n)[-1]),
    tolerance=Tolerance(relative=1e-3),
    section="§3 'The speed limit on a real model'",
    hints=(
        "The bowl is tilted: its steepest and flattest directions are not the θ₁ and θ₂ axes. Which matrix holds "
        "the curvatures of a quadratic, and which of its numbers sets the speed limit?",
        "Write the Hessian of the quadratic from its three coefficients (the cross term appears twice). The speed "
        "limit of one direction applies along each eigen-direction, so the steepest one — the largest eigenvalue — "
        "decides.",
    ),
    mistakes=[
        Mistake(
            lambda n: 2.0 / max(n.a, n.b),
            "The diagonal entries are the curvatures along the axes only; the "
            "coupling c tilts the bowl and makes the steepest direction steeper.",
        ),  # fmt: skip
        Mistake(
            lambda n: float(1.0 / curvatures(n)[-1]),
            "A step shrinks a direction of curvature h while |1 − ηh| < 1: that allows η up to 2/h, not 1/h.",
        ),  # fmt: skip
        Mistake(
            lambda n: float(2.0 / curvatures(n)[0]),
            "The SMALLEST curvature sets how slowly the flat direction "
            "converges; the speed limit comes from the steepest one.",
        ),  # fmt: skip
    ],
)

property_exercise(
    "05.converging_lr",
    measure=bowl_final_loss,
    op="<",
    target=1e-3,
    describe="the loss after 200 steps on the bowl with condition 50",
    section="§3 'Gradient descent'",
    hints=(
        "The steep direction sets a speed limit (steps larger than 2 divided by its curvature overshoot more every "
        "time); the flat direction needs steps that are not too timid.",
        "On the bowl the steep direction has curvature κ = 50. Try the explorer at condition 50 with 200 steps.",
    ),
)


# ------------------------------------------------------------------------------------------ Nesterov, look-ahead
# The "gradient functions" of the cases are real gradients: tanh = ∇Σ log cosh θ, sin = ∇(−Σ cos θ),
# arctan = ∇Σ (θ·arctan θ − ½ log(1 + θ²)).
_GRADIENTS = (np.tanh, np.sin, np.arctan)


def _lookahead_case(rng):
    n = int(rng.integers(1, 5))
    grad_fn = _GRADIENTS[int(rng.integers(len(_GRADIENTS)))]
    return Case(rng.normal(size=n) * 2, rng.normal(size=n), grad_fn, float(rng.uniform(0.01, 1.0)),
                float(rng.uniform(0.0, 0.99)))  # fmt: skip


def _pytorch_nesterov(theta, velocity, grad_fn, lr, momentum=0.9):
    g = grad_fn(theta)
    velocity = momentum * velocity + g
    return theta - lr * (g + momentum * velocity), velocity


def _gradient_at_theta(theta, velocity, grad_fn, lr, momentum=0.9):
    velocity = momentum * velocity + grad_fn(theta)
    return theta - lr * velocity, velocity


def _looks_the_wrong_way(theta, velocity, grad_fn, lr, momentum=0.9):
    velocity = momentum * velocity + grad_fn(theta + lr * momentum * velocity)
    return theta - lr * velocity, velocity


@function_exercise(
    "05.nesterov_lookahead",
    cases=[
        Case(np.array([1.0, -2.0]), np.zeros(2), np.tanh, 0.1, 0.9),  # no velocity yet: the look-ahead is θ
        Case(np.array([1.0, -2.0]), np.array([3.0, -1.0]), np.tanh, 0.1, 0.9),
        Case(np.array([0.5]), np.array([2.0]), np.sin, 0.5, 0.0),  # μ = 0: plain gradient descent
        Case(np.array([2.0, 0.0, -1.0]), np.array([-1.0, 4.0, 0.5]), np.arctan, 0.3, 0.5),
    ],
    random_case=_lookahead_case,
    rtol=1e-9,
    section="§5 'Momentum and Nesterov'",
    hints=(
        "Before computing the gradient, ask where the velocity alone would carry θ this step — and evaluate the "
        "gradient there, not at θ. Then update the velocity and move, as in plain momentum.",
        "The same two updates as momentum; only the point where you evaluate the gradient changes: where θ would be "
        "after the step the old velocity alone would take (with the learning rate).",
    ),
    mistakes=[
        Mistake(_gradient_at_theta, "That is plain momentum: the gradient must be taken at the look-ahead point."),
        Mistake(
            _pytorch_nesterov,
            "That is PyTorch's rewritten form from section 5; this exercise asks for the "
            "original, which evaluates the gradient somewhere else.",
        ),  # fmt: skip
        Mistake(
            _looks_the_wrong_way, "The velocity carries θ DOWNHILL: θ moves by −η·v, so look ahead in that direction."
        ),  # fmt: skip
    ],
)
def nesterov_lookahead(theta, velocity, grad_fn, lr, momentum=0.9):
    """v ← μ·v + ∇L(θ − η·μ·v);  θ ← θ − η·v;  returns (θ, v)."""
    velocity = momentum * velocity + grad_fn(theta - lr * momentum * velocity)
    return theta - lr * velocity, velocity


# ------------------------------------------------------------------------------------------ warm-up + cosine
def _schedule_case(rng):
    total = int(rng.integers(2, 200))
    warmup = int(rng.integers(1, total))
    return Case(int(rng.integers(0, total)), float(rng.uniform(0.001, 1.0)), warmup, total)


def _warmup_from_zero(step, base_lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    return 0.5 * base_lr * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))


def _cosine_over_all_steps(step, base_lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    return 0.5 * base_lr * (1 + math.cos(math.pi * step / total_steps))


@function_exercise(
    "05.warmup_cosine",
    cases=[
        Case(0, 1.0, 4, 12),  # the first warm-up step: a quarter
        Case(3, 1.0, 4, 12),  # the last warm-up step: the full rate
        Case(4, 1.0, 4, 12),  # the cosine starts at the full rate
        Case(8, 1.0, 4, 12),  # half-way through the cosine: half
        Case(11, 0.1, 4, 12),
        Case(0, 0.3, 1, 2),  # one warm-up step
        Case(999, 3e-4, 100, 1000),
    ],
    random_case=_schedule_case,
    check_dtype=False,
    rtol=1e-9,
    section="§8 'Learning-rate schedules and warm-up'",
    hints=(
        "Two phases: a straight ramp that reaches the full rate on the last warm-up step, then a half cosine that "
        "starts at the full rate and would reach 0 at step total_steps. Count the cosine's progress from the end "
        "of the warm-up.",
        "Warm-up: base_lr times the fraction of warm-up steps done, counting the current step, so the last warm-up "
        "step reaches base_lr. After it: a cosine schedule's half cosine from base_lr down to 0, with its progress "
        "counted from the end of the warm-up to total_steps.",
    ),
    mistakes=[
        Mistake(
            _warmup_from_zero,
            "The ramp reaches the full rate on its LAST step, so the first step already has "
            "1/W of it (a step with learning rate 0 would be wasted).",
        ),  # fmt: skip
        Mistake(
            _cosine_over_all_steps,
            "The cosine's progress counts from the end of the warm-up, over the remaining total_steps − W steps.",
        ),  # fmt: skip
    ],
)
def warmup_cosine(step, base_lr, warmup_steps, total_steps):
    """base_lr·(step+1)/W during the W warm-up steps, then a half cosine from base_lr towards 0 at total_steps."""
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return 0.5 * base_lr * (1.0 + math.cos(math.pi * progress))


# ------------------------------------------------------------------------------------------ the saddle (no points)
def saddle_escape_steps(threshold: float = -0.9) -> dict:
    """For each optimizer of the explorer (default settings, saddle surface): the first step with loss < threshold."""
    from dlcourse.viz.surfaces import get_surface
    from dlcourse.viz.trajectories import run_trajectories

    runs = run_trajectories(get_surface("saddle"))
    return {name: int(np.argmax(run.losses < threshold)) if (run.losses < threshold).any() else None
            for name, run in runs.items()}  # fmt: skip


choice_exercise(
    "05.saddle_winner",
    choices=("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"),
    aliases={"gd": "sgd", "gradient descent": "sgd"},
    answer="rmsprop",
    graded=False,
    section="§7 'the loss-landscape explorer' (the saddle)",
    hints=("Think about the size of each method's first steps where the y-gradient is tiny.",),
    explanation=(
        "RMSProp, after 8 steps; then Nesterov (18), momentum (25), Adam (38), SGD (56); AdaGrad never gets there "
        "in 120 steps. Near the ridge the y-gradient is tiny. RMSProp divides it by the root of an average of "
        "squared gradients that starts at zero and has no bias correction, so its first steps are up to "
        "1/√(1 − α) = 10 times its learning rate: reckless in general, a win here. Momentum and Nesterov build "
        "up speed along the consistent downhill direction and overtake Adam, whose steps stay about η = 0.05 "
        "long. AdaGrad's ever-growing sum shrinks its steps before it gets anywhere."
    ),
)
