"""Chapter 01 (the perceptron): step, predict, one update of the rule, and two predictions."""

import numpy as np

from dlcourse import data
from dlcourse.exercises.spec import Case, Mistake, function_exercise, value_exercise
from dlcourse.perceptron import perceptron_predict as _library_predict
from dlcourse.perceptron import perceptron_update as _library_update
from dlcourse.perceptron import train_perceptron

_FRUIT_X, _FRUIT_Y = data.apples_oranges(n=40, seed=0)
_CORNERS, _ = data.and_()


@function_exercise(
    "01.step",
    cases=[
        Case(0.0),  # exactly on the boundary: the course's convention says "1"
        Case(-0.5),
        Case(np.array([-2.0, -1e-9, -0.0, 0.0, 1e-9, 3.0])),
        Case(np.array([[0.3, -0.3], [0.0, -7.0]])),
    ],
    random_case=lambda rng: Case(rng.normal(size=(int(rng.integers(1, 5)), int(rng.integers(1, 5))))),
    check_dtype=False,  # 0/1 as ints or floats are both fine
    section="§1 'a yes/no vote with a threshold'",
    hints=(
        "Which side of the threshold does a weighted sum of exactly 0 fall on, by the chapter's convention?",
        "step(z) is 1 for z ≥ 0 (zero included) and 0 for z < 0 — for every element of an array.",
    ),
    mistakes=[
        Mistake(lambda z: np.where(np.asarray(z) > 0, 1, 0), "z = 0 counts as 'yes': the comparison includes 0.")
    ],
)
def step(z):
    """1 where z ≥ 0, else 0, elementwise."""
    return np.where(np.asarray(z) >= 0, 1, 0)


@function_exercise(
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
    section="§2 'Apples versus oranges'",
    hints=(
        "X has one example per row. Can you get all the weighted sums at once instead of one at a time?",
        "The weighted sums of all rows form the vector X·w + b (one entry per example); then apply the step.",
    ),
)
def perceptron_predict(X, w, b):
    """ŷ = step(X @ w + b): X (n, d), w (d,) → (n,) of 0/1."""
    return _library_predict(X, w, b)


def _update_case(rng):
    d = int(rng.integers(1, 4))
    return Case(rng.normal(size=d), int(rng.integers(0, 2)), rng.normal(size=d), float(rng.normal()),
                float(rng.uniform(0.05, 1.0)))  # fmt: skip


@function_exercise(
    "01.perceptron_update",
    cases=[
        Case(np.array([1.3, 1.2]), 1, np.array([0.1, 0.1]), -1.0, 0.5),  # an orange called "apple": push w towards x
        Case(np.array([0.7, 0.6]), 0, np.array([0.5, 0.8]), -0.2, 0.5),  # an apple called "orange": push away
        Case(np.array([1.3, 1.2]), 1, np.array([0.5, 0.8]), -1.0, 0.5),  # already right: nothing changes
        Case(np.array([2.0, 0.0]), 0, np.array([0.5, 0.8]), -1.0, 1.0),  # z = 0 counts as "1": a mistake
    ],
    random_case=_update_case,
    section="§3 'The perceptron learning rule'",
    hints=(
        "The rule only acts on a mistake. What is the error (target minus prediction) when the prediction is right?",
        "With error e = y − ŷ (which is +1, −1 or 0): w moves by η·e·x and b by η·e. Return new values; "
        "leave the inputs unchanged.",
    ),
    mistakes=[
        Mistake(
            lambda x, y, w, b, lr: (
                w - lr * (y - (1 if x @ w + b >= 0 else 0)) * x,
                b - lr * (y - (1 if x @ w + b >= 0 else 0)),
            ),
            "The weights move towards an example the perceptron called 0 but should have called 1 — check the sign.",
        )
    ],
)
def perceptron_update(x, y, w, b, lr):
    """(w + η(y − ŷ)x, b + η(y − ŷ)) with ŷ = step(w·x + b)."""
    w_new, b_new = _library_update(x, y, w, b, lr)
    return w_new, float(b_new)


value_exercise(
    "01.xor_prediction",
    answer=False,
    section="§6 'XOR'",
    hints=("Run the playground on XOR and watch the accuracy curve. Can any single line split the four corners?",),
)

# Mistakes (= updates) the rule makes on AND from w = (0, 0), b = 0 before an epoch goes by without one.
_AND_RUN = train_perceptron(*data.and_(), epochs=100)
value_exercise(
    "01.and_mistakes",
    answer=int(sum(s.mistake for s in _AND_RUN.steps)),
    section="§4 'Live: watch the rule work'",
    hints=(
        "In the playground choose AND, set both weights and the bias to 0 and the learning rate to 1, then step "
        "through the mistakes until the status says 'converged'.",
        "Count only the clicks that landed on a mistake — the final click that reports convergence is not one.",
    ),
)
