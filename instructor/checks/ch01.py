"""Chapter 01 (the perceptron): the signed distance to the boundary, the batch version of the learning rule, the
averaged perceptron, the number of updates on a logic gate (per-student numbers), and a prediction about XOR."""

import numpy as np

from dlcourse import data
from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise, numbers, value_exercise
from dlcourse.perceptron import train_perceptron

_FRUIT_X, _FRUIT_Y = data.apples_oranges(n=40, seed=0)
_GATES = {"and": data.and_(), "or": data.or_()}
_XOR_X, _XOR_Y = data.xor()
PLAYGROUND_EPOCHS = 20  # the perceptron playground runs the rule for this many epochs


def _step(z):
    return np.where(np.asarray(z) >= 0, 1, 0)


# ------------------------------------------------------------------------------------------ signed distance
def _distance_case(rng):
    d = int(rng.integers(1, 4))
    return Case(rng.normal(size=(int(rng.integers(1, 8)), d)), rng.normal(size=d), float(rng.normal()))


@function_exercise(
    "01.signed_distance",
    cases=[
        Case(_FRUIT_X[:6], np.array([0.5, 0.8]), -1.0),  # the hand-set fruit sorter
        Case(np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 1.25]]), np.array([0.5, 0.8]), -1.0),  # two points on the line
        Case(_FRUIT_X[:6], np.array([5.0, 8.0]), -10.0),  # the same line, scaled by 10: the same distances
        Case(np.array([[1.0, 2.0, 2.0]]), np.array([0.0, 3.0, 4.0]), 0.0),  # 3 inputs: ‖w‖ = 5
    ],
    random_case=_distance_case,
    check_dtype=False,
    section="§1 'The decision boundary is a line'",
    hints=(
        "The weighted sum already says which side a point is on, but it grows when you scale w and b together, "
        "and a distance must not. What do you divide by?",
        "Scaling w and b by 2 doubles the weighted sum; dividing by the length of w (Pythagoras over its entries — "
        "the bias is not part of it) undoes exactly that scaling. One number per row of X, positive on the side w "
        "points to.",
    ),
    mistakes=[
        Mistake(
            lambda X, w, b: X @ w + b,
            "That is the weighted sum. Scale w and b by 10 and it grows tenfold, while the line and every "
            "distance to it stay the same.",
        ),
        Mistake(
            lambda X, w, b: np.abs(X @ w + b) / np.linalg.norm(w),
            "Keep the sign: it says on which side of the line the point lies.",
        ),
        Mistake(
            lambda X, w, b: (X @ w + b) / np.linalg.norm(np.append(w, b)),
            "The bias slides the line without tilting it: only the weights' length belongs in the divisor.",
        ),
        Mistake(
            lambda X, w, b: (X @ w + b) / (w @ w),
            "Divide by the length of w, not by its squared length.",
        ),
    ],
)
def signed_distance(X, w, b):
    """(X·w + b) / ‖w‖: each row's signed distance to the line w·x + b = 0 (positive on w's side)."""
    return (np.asarray(X, dtype=np.float64) @ w + b) / np.linalg.norm(w)


# ------------------------------------------------------------------------------------------ batch update
def _batch_case(rng):
    n, d = int(rng.integers(1, 8)), int(rng.integers(1, 4))
    return Case(rng.normal(size=(n, d)), rng.integers(0, 2, size=n), rng.normal(size=d), float(rng.normal()),
                float(rng.uniform(0.05, 1.0)))  # fmt: skip


def _one_at_a_time(X, y, w, b, lr):
    for x_i, y_i in zip(X, y):
        error = y_i - int(_step(x_i @ w + b))
        w, b = w + lr * error * x_i, b + lr * error
    return w, b


@function_exercise(
    "01.batch_update",
    cases=[
        Case(*data.and_(), np.zeros(2), 0.0, 1.0),  # AND from zero: three corners called 1 by mistake
        Case(_FRUIT_X, _FRUIT_Y, np.array([0.5, 0.8]), -1.0, 0.5),  # the hand-set sorter: one mistake
        Case(_FRUIT_X, _FRUIT_Y, np.array([1.0, 1.0]), -1.85, 0.5),  # a separating line: nothing changes
        Case(_XOR_X, _XOR_Y, np.array([0.5, -0.5]), 0.25, 0.1),
    ],
    random_case=_batch_case,
    check_dtype=False,
    section="§3 'The perceptron learning rule'",
    hints=(
        "Every example is judged by the same, old weights — nobody changes them in the middle of the batch. "
        "Then all the corrections are applied together. How do you combine them?",
        "Compute all N errors first, each with the old weights. The change of w is the learning rate times the "
        "inputs weighted by their errors, added up over the batch; the bias behaves like a weight whose input is "
        "always 1.",
    ),
    mistakes=[
        Mistake(
            _one_at_a_time,
            "That is the one-at-a-time rule: later examples saw weights already changed by earlier ones. In the "
            "batch version every example is judged by the weights you were given.",
        ),
        Mistake(
            lambda X, y, w, b, lr: (
                w + lr * np.mean((y - _step(X @ w + b))[:, None] * X, axis=0),
                b + lr * np.mean(y - _step(X @ w + b)),
            ),
            "The rule adds up every example's correction; it does not average them.",
        ),
        Mistake(
            lambda X, y, w, b, lr: (w - lr * (y - _step(X @ w + b)) @ X, b - lr * np.sum(y - _step(X @ w + b))),
            "An example the perceptron called 0 but should have called 1 must pull w towards it — check the sign.",
        ),
        Mistake(
            lambda X, y, w, b, lr: (w + lr * (y - _step(X @ w + b)) @ X, b),
            "The bias learns too: it moves by η times each error, added up.",
        ),
    ],
)
def batch_update(X, y, w, b, lr):
    """(w + η Σᵢ eᵢxᵢ, b + η Σᵢ eᵢ) with eᵢ = yᵢ − step(w·xᵢ + b), every ŷᵢ from the old w and b."""
    errors = y - _step(np.asarray(X, dtype=np.float64) @ w + b)  # (n,): −1, 0 or +1 per example
    return w + lr * errors @ X, float(b + lr * errors.sum())


# ------------------------------------------------------------------------------------------ averaged perceptron
def _averaged_case(rng):
    n, d = int(rng.integers(2, 8)), int(rng.integers(1, 4))
    return Case(rng.normal(size=(n, d)), rng.integers(0, 2, size=n), int(rng.integers(1, 5)),
                float(rng.uniform(0.1, 1.5)))  # fmt: skip


def _run_steps(X, y, epochs, lr):
    """(w, b, was it a mistake) after every step of the rule from zero, without stopping early."""
    w, b, after = np.zeros(np.shape(X)[1]), 0.0, []
    for _ in range(epochs):
        for x_i, y_i in zip(np.asarray(X, dtype=np.float64), y):
            error = y_i - int(_step(x_i @ w + b))
            w, b = w + lr * error * x_i, b + lr * error
            after.append((w, b, error != 0))
    return after


def _average_of_mistakes(X, y, epochs, lr=1.0):
    kept = [(w, b) for w, b, mistake in _run_steps(X, y, epochs, lr) if mistake] or [(np.zeros(np.shape(X)[1]), 0.0)]
    return np.mean([w for w, _ in kept], axis=0), float(np.mean([b for _, b in kept]))


def _average_of_epoch_ends(X, y, epochs, lr=1.0):
    ends = _run_steps(X, y, epochs, lr)[len(X) - 1 :: len(X)]
    return np.mean([w for w, _, _ in ends], axis=0), float(np.mean([b for _, b, _ in ends]))


def _last_weights(X, y, epochs, lr=1.0):
    w, b, _ = _run_steps(X, y, epochs, lr)[-1]
    return w, float(b)


@function_exercise(
    "01.averaged_perceptron",
    cases=[
        Case(_XOR_X, _XOR_Y, 10),  # XOR, η = 1 (the default)
        Case(_XOR_X, _XOR_Y, 1),  # a single epoch
        Case(*data.and_(), 3, 0.5),
        Case(_FRUIT_X, _FRUIT_Y, 2, 0.5),
    ],
    random_case=_averaged_case,
    check_dtype=False,
    section="§6 'When no line is perfect: average'",
    hints=(
        "Run the ordinary rule from zero weights, one example at a time, for exactly the given number of epochs. "
        "The answer is not the last weights but their average: after which steps do you add them to the total?",
        "After every step — mistake or not — add the current w and b to running totals; after epochs·n steps "
        "divide both totals by epochs·n.",
    ),
    mistakes=[
        Mistake(_last_weights, "Those are the last weights of the ordinary rule. Average over every step."),
        Mistake(
            _average_of_mistakes,
            "Average over every step, also the ones where the example was right and nothing changed: weights "
            "that survive many steps count more.",
        ),
        Mistake(_average_of_epoch_ends, "Average after every single example, not only at the end of each epoch."),
    ],
)
def averaged_perceptron(X, y, epochs, lr=1.0):
    """(w̄, b̄): the rule from w = 0, b = 0, run for `epochs` epochs; the mean of (w, b) after each of its steps."""
    steps = _run_steps(X, y, epochs, lr)
    return np.mean([w for w, _, _ in steps], axis=0), float(np.mean([b for _, b, _ in steps]))


# ------------------------------------------------------------------------------------------ updates on a gate
def _gate_run(gate, w1, w2, b, lr):
    return train_perceptron(*_GATES[gate], w=[w1, w2], b=b, lr=lr, epochs=100)


def _chapter_numbers(rng):
    """A logic gate, starting weights and a learning rate whose run needs a few updates (and fits the playground)."""
    while True:
        gate = ("and", "or")[int(rng.integers(0, 2))]
        w1, w2, b = (float(v) for v in rng.choice([-0.5, 0.0, 0.5], size=3))
        lr = float(rng.choice([0.5, 1.0]))
        run = _gate_run(gate, w1, w2, b, lr)
        if run.converged and run.epochs <= PLAYGROUND_EPOCHS and sum(s.mistake for s in run.steps) >= 3:
            return {"gate": gate, "w1": w1, "w2": w2, "b": b, "lr": lr}


numbers(_chapter_numbers, chapter="01")


def _updates(n):
    return int(sum(s.mistake for s in _gate_run(n.gate, n.w1, n.w2, n.b, n.lr).steps))


value_exercise(
    "01.rule_updates",
    answer=_updates,
    section="§4 'Live: watch the rule work'",
    hints=(
        "In the playground choose your gate and set w1, w2, b and the learning rate to your numbers, then step "
        "through the mistakes until the status line says 'converged'.",
        "Count only the steps that changed the weights; the final click that reports convergence is not one. "
        "The run's record of steps says which ones were mistakes.",
    ),
    mistakes=[
        Mistake(
            lambda n: _gate_run(n.gate, n.w1, n.w2, n.b, n.lr).epochs,
            "That counts epochs. Count the updates: the steps that changed the weights.",
        ),
        Mistake(
            lambda n: len(_gate_run(n.gate, n.w1, n.w2, n.b, n.lr).steps),
            "That counts every step, also those where the example was already right and nothing changed.",
        ),
    ],
)

# ------------------------------------------------------------------------------------------ prediction (no points)
choice_exercise(
    "01.xor_best_accuracy",
    choices=("25%", "50%", "75%", "100%"),
    answer="50%",
    graded=False,
    explanation=(
        "From zero weights with η = 1 the rule never gets past 2 of the 4 corners: it falls into a cycle of "
        "lines that get 1 or 2 corners right, although a line with 3 of 4 exists. The rule only ever reacts to "
        "the one example in front of it; nothing makes it keep a good line when the next example is wrong. "
        "The cell below measures it."
    ),
    section="§6 'XOR: the problem a single perceptron cannot solve'",
    hints=("A line gets at most 3 of the 4 corners. Does the rule ever find such a line, or keep it?",),
)
