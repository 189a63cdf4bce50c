"""Checks for the demo chapter `fixtures/99_demo.ipynb` (test-only; found via DLCOURSE_CHECKS_PATH).

This is exactly what a chapter author writes in `dlcourse/exercises/chNN.py`.
"""

import numpy as np

from dlcourse.exercises.registry import Case, exercise, function_check, predicate_check, value_check


@function_check(
    "99.clipped_relu",
    cases=[Case(np.array([-1.0, -0.0, 0.0, 3.0, 7.0]), cap=6.0), Case(np.zeros((2, 0)))],
    random_case=lambda rng: Case(rng.normal(scale=5.0, size=(3, 4)), cap=float(rng.uniform(1.0, 6.0))),
    hint="Clip from below with np.maximum, then from above with np.minimum.",
)
def clipped_relu(x, cap=6.0):
    """min(max(x, 0), cap) elementwise."""
    return np.minimum(np.maximum(x, 0.0), cap)


value_check("99.one_step_lr", 0.5, hint="One step lands on 0 when x − lr·2x = 0 for every x.")

predicate_check(
    "99.diverging_lr",
    lambda lr: abs(1 - 2 * lr) > 1,
    requirement="gradient descent on f(x) = x² must diverge with it",
    hint="Each step multiplies x by (1 − 2·lr).",
)


@exercise("99.sorted_copy", hint="sorted(values) returns a new list; values.sort() changes the input.")
def _sorted_copy(sorted_copy):
    values = [3, 1, 2]
    result = sorted_copy(values)
    assert result == [1, 2, 3], f"sorted_copy([3, 1, 2]) returned {result!r}"
    assert values == [3, 1, 2], "sorted_copy changed its input list"
    return 2
