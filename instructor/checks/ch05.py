"""Chapter 05 (gradient descent): one GD step, momentum, Adam, a learning rate, a saddle prediction."""

import numpy as np

from dlcourse.exercises.measures import bowl_final_loss
from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise, property_exercise


def _vectors(rng, k=2):
    n = int(rng.integers(1, 5))
    return [rng.normal(size=n) for _ in range(k)]


@function_exercise(
    "05.gd_step",
    cases=[
        Case(np.array([1.0, -2.0]), np.array([0.5, -1.0]), 0.1),
        Case(np.array([3.0]), np.array([0.0]), 10.0),  # a flat spot: no move, whatever the learning rate
        Case(np.array([0.0, 0.0, 0.0]), np.array([1.0, 2.0, -3.0]), 1.0),
    ],
    random_case=lambda rng: Case(*_vectors(rng), float(rng.uniform(0.001, 1.0))),
    section="§3 'Gradient descent'",
    hints=(
        "The gradient points uphill. Which way should the step go, and how long is it?",
        "θ_new = θ − η·∇L: a step of length η times the gradient, against it. Return a new array.",
    ),
    mistakes=[Mistake(lambda theta, grad, lr: theta + lr * grad, "That step goes uphill: step against the gradient.")],
)
def gd_step(theta, grad, lr):
    """θ ← θ − η·∇L."""
    return theta - lr * grad


@function_exercise(
    "05.momentum_step",
    cases=[
        Case(np.array([1.0, 1.0]), np.array([0.0, 0.0]), np.array([2.0, -1.0]), 0.1, 0.9),  # first step = plain GD
        Case(np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([2.0, -1.0]), 0.1, 0.9),
        Case(np.array([0.5]), np.array([-3.0]), np.array([0.0]), 0.5, 0.5),  # no gradient: coasting on v
        Case(np.array([0.5]), np.array([-3.0]), np.array([1.0]), 0.5, 0.0),  # μ = 0: plain gradient descent
    ],
    random_case=lambda rng: Case(*_vectors(rng, 3), float(rng.uniform(0.01, 1)), float(rng.uniform(0, 0.99))),
    section="§5 'Momentum and Nesterov'",
    hints=(
        "The velocity remembers past gradients. Update it first, then move with it — and return both.",
        "v_new = μ·v + ∇L (PyTorch's convention, no (1 − μ) factor); θ_new = θ − η·v_new. Return (θ_new, v_new).",
    ),
    mistakes=[
        Mistake(
            lambda theta, v, g, lr, momentum=0.9: (theta - lr * v, momentum * v + g),
            "Move with the NEW velocity, the one that already includes this step's gradient.",
        )
    ],
)
def momentum_step(theta, velocity, grad, lr, momentum=0.9):
    """v ← μ·v + ∇L;  θ ← θ − η·v  (PyTorch's convention); returns (θ, v)."""
    velocity = momentum * velocity + grad
    return theta - lr * velocity, velocity


def _adam_case(rng):
    theta, m, grad = _vectors(rng, 3)
    v = rng.uniform(0, 2, size=theta.shape)  # a running average of squares is never negative
    return Case(theta, m, v, grad, int(rng.integers(1, 50)), lr=float(rng.uniform(0.001, 0.5)))


def _adam_without_correction(theta, m, v, grad, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


@function_exercise(
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
    section="§6 'Adaptive step sizes'",
    hints=(
        "Adam keeps two running averages, and corrects both for starting at zero. Which ones do you return — "
        "the corrected ones or the raw ones?",
        "m and v are updated with β₁ and β₂; the step uses m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ): "
        "θ − η·m̂/(√v̂ + ε). Return (θ, m, v) with the uncorrected m and v.",
    ),
    mistakes=[Mistake(_adam_without_correction, "Without the bias correction the first steps are far too small.")],
)
def adam_step(theta, m, v, grad, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step at step number t (1, 2, …); returns (θ, m, v)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


property_exercise(
    "05.converging_lr",
    measure=bowl_final_loss,
    op="<",
    target=1e-3,
    describe="the loss after 200 steps on the bowl with condition 50",
    section="§3 'The speed limit on a real model'",
    hints=(
        "The steep direction sets a speed limit (steps larger than 2 divided by its curvature overshoot more every "
        "time); the flat direction needs steps that are not too timid.",
        "On the bowl the steep direction has curvature κ = 50. Try the explorer at condition 50 with 200 steps.",
    ),
)

choice_exercise(
    "05.saddle_winner",
    choices=("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"),
    aliases={"gd": "sgd", "gradient descent": "sgd"},
    answer="rmsprop",
    section="§7 'the loss-landscape explorer'",
    hints=("Open the explorer on the saddle and press play; watch the loss panel.",),
)


def bowl_descent(lr, condition=50.0, start=(-4.5, 2.0), steps=200):
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


def saddle_escape_steps(threshold: float = -0.9) -> dict:
    """For each optimizer of the explorer (default settings, saddle surface): the first step with loss < threshold."""
    from dlcourse.viz.surfaces import get_surface
    from dlcourse.viz.trajectories import run_trajectories

    runs = run_trajectories(get_surface("saddle"))
    return {name: int(np.argmax(run.losses < threshold)) if (run.losses < threshold).any() else None
            for name, run in runs.items()}  # fmt: skip
