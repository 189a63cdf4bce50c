"""Exercises of the demo chapter `fixtures/99_demo.ipynb` (test-only): what an instructor writes in
`instructor/checks/chNN.py`. The tests record it into a temporary directory on DLCOURSE_CHECKS_PATH."""

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

numbers(lambda rng: {"curvature": int(rng.integers(2, 9))}, chapter="99")


@function_exercise(
    "99.clipped_relu",
    cases=[Case(np.array([-1.0, -0.0, 0.0, 3.0, 7.0]), cap=6.0), Case(np.zeros((2, 0)))],
    random_case=lambda rng: Case(rng.normal(scale=5.0, size=(3, 4)), cap=float(rng.uniform(1.0, 6.0))),
    section="§1 (clipped ReLU)",
    hints=(
        "Two limits: nothing below zero, nothing above the cap.",
        "Apply the lower limit first, then the upper one: min(max(x, 0), cap).",
    ),
    mistakes=[Mistake(lambda x, cap=6.0: np.maximum(x, 0.0), "Values above the cap must be cut down to the cap.")],
)
def clipped_relu(x, cap=6.0):
    """min(max(x, 0), cap) elementwise."""
    return np.minimum(np.maximum(x, 0.0), cap)


value_exercise(
    "99.one_step_lr",
    answer=lambda n: 1.0 / n.curvature,
    tolerance=Tolerance(absolute=1e-6),
    section="§2 (a learning rate)",
    hints=(
        "After one step x becomes x − lr·f'(x). For which lr is that 0 for every x?",
        "The gradient is proportional to x, so one step scales x by a constant factor: keep it inside (−1, 1).",
    ),
    mistakes=[Mistake(lambda n: 2.0 / n.curvature, "That learning rate jumps to −x: the other side, not the minimum.")],
)


@function_exercise(
    "99.running_mean",
    cases=[Case([2.0, 4.0]), Case([1.0, 2.0, 6.0])],
    random_case=lambda rng: Case(list(rng.normal(size=int(rng.integers(1, 8))))),
    check_dtype=False,
    section="§3 (running mean)",
    hints=("Element i averages the first i + 1 values.", "Divide the running sum by how many values it holds."),
)
def running_mean(values):
    """out[i] = mean(values[: i + 1])."""
    values = np.asarray(values, dtype=float)
    return np.cumsum(values) / np.arange(1, len(values) + 1)


choice_exercise(
    "99.direction",
    choices=("downhill", "uphill"),
    answer="downhill",
    graded=False,
    explanation="Gradient descent steps against the gradient: downhill.",
    section="§2 (a learning rate)",
    hints=("Which way does the gradient point?",),
)

# Declared for the check tests only (the demo notebook does not use them).
choice_exercise(
    "99.fastest",
    choices=("sgd", "adam"),
    answer="adam",
    section="§2 (a learning rate)",
    hints=("Which one adapts its step size?",),
)

property_exercise(
    "99.diverging_lr",
    measure=bowl_final_loss,
    op=">",
    target=1e6,
    describe="the loss after 200 steps on the bowl",
    section="§2 (a learning rate)",
    hints=("Steps that are too long overshoot the bottom, further each time.",),
)
