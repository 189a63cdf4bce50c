"""Checks for chapter 01 (the perceptron): step, predict, one update of the rule, and two predictions."""

import numpy as np

from dlcourse import data
from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check, value_check
from dlcourse.perceptron import perceptron_predict as _library_predict
from dlcourse.perceptron import perceptron_update as _library_update
from dlcourse.perceptron import train_perceptron

_FRUIT_X, _FRUIT_Y = data.apples_oranges(n=40, seed=0)
_CORNERS, _ = data.and_()


@function_check(
    "01.step",
    cases=[
        Case(0.0),  # exactly on the boundary: the course's convention says "1"
        Case(-0.5),
        Case(np.array([-2.0, -1e-9, -0.0, 0.0, 1e-9, 3.0])),
        Case(np.array([[0.3, -0.3], [0.0, -7.0]])),
    ],
    random_case=lambda rng: Case(rng.normal(size=(int(rng.integers(1, 5)), int(rng.integers(1, 5))))),
    check_dtype=False,  # 0/1 as ints or floats are both fine
    hint="1 where z ≥ 0 (zero included!), else 0, for every element: np.where(z >= 0, 1, 0) works on arrays.",
)
def step(z):
    """1 where z ≥ 0, else 0, elementwise."""
    return np.where(np.asarray(z) >= 0, 1, 0)


@function_check(
    "01.perceptron_predict",
    cases=[
        Case(_FRUIT_X, np.array([0.5, 0.8]), -1.0),  # the hand-set fruit sorter
        Case(_CORNERS, np.array([1.0, 1.0]), -1.5),  # an AND gate
        Case(np.array([[2.0, 0.0], [0.0, 1.25], [0.0, 0.0]]), np.array([0.5, 0.8]), -1.0),  # two on the line
    ],
    random_case=lambda rng: Case(
        rng.normal(size=(int(rng.integers(1, 8)), 2)), rng.normal(size=2), float(rng.normal())
    ),
    check_dtype=False,
    hint="One prediction per row of X: z = X @ w + b is a vector of n weighted sums; then apply the step.",
)
def perceptron_predict(X, w, b):
    """ŷ = step(X @ w + b): X (n, d), w (d,) → (n,) of 0/1."""
    return _library_predict(X, w, b)


def _update_case(rng):
    d = int(rng.integers(1, 4))
    return Case(rng.normal(size=d), int(rng.integers(0, 2)), rng.normal(size=d), float(rng.normal()),
                float(rng.uniform(0.05, 1.0)))  # fmt: skip


@function_check(
    "01.perceptron_update",
    cases=[
        Case(np.array([1.3, 1.2]), 1, np.array([0.1, 0.1]), -1.0, 0.5),  # an orange called "apple": push w towards x
        Case(np.array([0.7, 0.6]), 0, np.array([0.5, 0.8]), -0.2, 0.5),  # an apple called "orange": push away
        Case(np.array([1.3, 1.2]), 1, np.array([0.5, 0.8]), -1.0, 0.5),  # already right: nothing changes
        Case(np.array([2.0, 0.0]), 0, np.array([0.5, 0.8]), -1.0, 1.0),  # z = 0 counts as "1": a mistake
    ],
    random_case=_update_case,
    hint="ŷ = step(w·x + b); error = y − ŷ (+1, −1 or 0); return (w + lr·error·x, b + lr·error) — "
    "new values, without changing w in place.",
)
def perceptron_update(x, y, w, b, lr):
    """(w + η(y − ŷ)x, b + η(y − ŷ)) with ŷ = step(w·x + b)."""
    w_new, b_new = _library_update(x, y, w, b, lr)
    return w_new, float(b_new)


@exercise("01.xor_prediction", hint="Run the playground on XOR and watch the accuracy curve. Can any line do it?")
def _xor_prediction(answer):
    assert isinstance(answer, bool | np.bool_), f"answer True or False, got {describe(answer)}"
    assert not answer, (
        "the perceptron never gets all four XOR points right: whatever line it draws, one corner is on the "
        "wrong side, so some point is always a mistake and the weights keep cycling"
    )


# Mistakes (= updates) the rule makes on AND from w = (0, 0), b = 0 before an epoch goes by without one.
_AND_RUN = train_perceptron(*data.and_(), epochs=100)
value_check(
    "01.and_mistakes",
    sum(s.mistake for s in _AND_RUN.steps),
    hint="In the playground choose AND, set w1 = w2 = b = 0 and η = 1, and click 'next mistake' until the "
    "status says 'converged'; count the clicks that landed on a mistake (not the last one).",
)
