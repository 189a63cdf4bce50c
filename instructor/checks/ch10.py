"""Chapter 10 (overfitting): an L1 + L2 penalty, an early-stopping rule, the backward pass of dropout, counting the
fits of k-fold cross-validation (per-student numbers), and a prediction (no points)."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise, numbers, value_exercise


def _weight_list(rng):
    """1–3 arrays of random shapes (1-D or 2-D): the weights of a small model."""
    n_arrays = int(rng.integers(1, 4))
    return [rng.normal(size=tuple(rng.integers(1, 5, size=int(rng.integers(1, 3))))) for _ in range(n_arrays)]


def _l1_only(weights, l1, l2):
    return l1 * sum(float(np.sum(np.abs(w))) for w in weights)


@function_exercise(
    "10.penalty",
    cases=[
        Case([np.ones((2, 2)), np.ones(3)], 0.0, 0.1),  # L2 only: 7 ones → 0.7
        Case([np.array([[3.0, -4.0]])], 1.0, 0.0),  # L1 only: |3| + |−4| = 7, not 3 − 4
        Case([np.array([[3.0, -4.0]])], 0.0, 1.0),  # L2 only: 9 + 16 = 25
        Case([np.zeros((2, 3)), np.array([2.0])], 0.5, 0.5),  # only the second array counts: 1 + 2 = 3
        Case([np.array([1.0, -2.0])], 0.0, 0.0),  # no penalty at all
        Case([np.array([0.5, -0.5]), np.array([[1.0], [-3.0]])], 0.1, 0.01),  # both, two arrays
    ],
    random_case=lambda rng: Case(_weight_list(rng), float(rng.uniform(0, 1)), float(rng.uniform(0, 1))),
    check_dtype=False,
    section="§5.1 'L2 regularisation' and §5.2 'L1 regularisation'",
    hints=(
        "Two prices for large weights, added up over every entry of every array: one grows with the size of a "
        "weight, the other with its square.",
        "One sum of absolute values and one sum of squares, each over every entry of every array, each multiplied by"
        " its own rate. No ½ here.",
    ),
    mistakes=[
        Mistake(
            lambda ws, l1, l2: l1 * sum(float(np.sum(w)) for w in ws) + l2 * sum(float(np.sum(w**2)) for w in ws),
            "The L1 part adds absolute values: a negative weight costs as much as a positive one.",
        ),  # fmt: skip
        Mistake(
            lambda ws, l1, l2: (
                l1 * sum(float(np.sum(w**2)) for w in ws) + l2 * sum(float(np.sum(np.abs(w))) for w in ws)
            ),
            "L1 is the absolute value (first coefficient), L2 the square (second coefficient).",
        ),  # fmt: skip
        Mistake(
            lambda ws, l1, l2: _l1_only(ws, l1, l2) + l2 / 2 * sum(float(np.sum(w**2)) for w in ws),
            "This exercise's penalty has no ½ in front of the squares.",
        ),  # fmt: skip
    ],
)
def penalty(weights, l1, l2):
    """Ω = l1 Σ_arrays Σ_entries |w| + l2 Σ_arrays Σ_entries w²."""
    return l1 * sum(float(np.sum(np.abs(np.asarray(w)))) for w in weights) + l2 * sum(
        float(np.sum(np.asarray(w) ** 2)) for w in weights
    )


def _val_curve(rng):
    """A noisy U-shaped validation curve, as a list of floats, and a patience."""
    n = int(rng.integers(4, 30))
    epochs = np.arange(n)
    bottom = rng.uniform(0, n)
    curve = 0.1 + 0.002 * (epochs - bottom) ** 2 + 0.02 * rng.random(n)
    return Case([float(v) for v in curve], int(rng.integers(1, 6)))


@function_exercise(
    "10.early_stopping_epoch",
    cases=[
        Case([0.9, 0.5, 0.3, 0.4, 0.6, 0.8], 2),  # stops at epoch 4, keeps epoch 2
        Case([1.0, 2.0, 3.0, 0.5], 2),  # patience runs out before the later, lower value: keeps epoch 0
        Case([1.0, 2.0, 3.0, 0.5], 3),  # one more epoch of patience finds it: epoch 3
        Case([0.5, 0.4, 0.4, 0.4, 0.1], 2),  # equal is not better: the plateau uses up the patience → epoch 1
        Case([0.7], 1),  # a single epoch is the best one
        Case([3.0, 2.0, 1.0], 5),  # never ran out of patience: the end of the list
    ],
    random_case=_val_curve,
    check_dtype=False,
    section="§5.4 'Early stopping'",
    hints=(
        "Walk through the epochs in order, remembering the best one so far and how long you have waited since. "
        "Does an equal value count as better?",
        "Only a strictly lower loss resets the wait; when the wait reaches the patience, stop and return the best "
        "epoch (0-based) — or the best epoch of the whole list if you never stop.",
    ),
    mistakes=[
        Mistake(
            lambda losses, patience: int(np.argmin(losses)),
            "Early stopping cannot see the future: it stops when patience runs out.",
        )
    ],
)
def early_stopping_epoch(val_losses, patience):
    """The epoch (0-based) whose weights early stopping keeps."""
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best


def _dropout_case(rng):
    shape = tuple(int(n) for n in rng.integers(1, 6, size=2))
    p = float(rng.choice([0.1, 0.25, 0.5, 0.8]))
    return Case(rng.normal(size=shape), rng.random(shape) >= p, p)


@function_exercise(
    "10.dropout_backward",
    cases=[
        Case(np.ones((2, 3)), np.array([[True, False, True], [False, False, True]]), 0.5),
        Case(np.array([[1.0, -2.0, 3.0, 4.0]]), np.array([[True, True, False, True]]), 0.25),  # scale 4/3, not 3/4
        Case(np.array([[2.0, 5.0]]), np.array([[False, False]]), 0.9),  # everything dropped: no gradient at all
        Case(np.array([[0.3, -0.7]]), np.array([[True, True]]), 0.0),  # p = 0: the identity
    ],
    random_case=_dropout_case,
    check_dtype=False,
    section="§5.3 'Dropout'",
    hints=(
        "In training, dropout multiplies every unit by a number fixed by its mask: 0 or a scale factor. The gradient "
        "passes back through the same multiplication.",
        "In training, dropout multiplies each unit by a number that its mask fixes (0 for a dropped unit, the "
        "rescaling factor for a kept one). The derivative of 'x times a constant' is that constant.",
    ),
    mistakes=[
        Mistake(lambda g, keep, p: g * keep, "The kept units were also scaled up in the forward pass: by 1/(1 − p)."),
        Mistake(lambda g, keep, p: g * keep * (1 - p), "The forward pass DIVIDED by (1 − p); so does its gradient."),
        Mistake(lambda g, keep, p: g / (1 - p), "A dropped unit did not reach the output: its gradient is 0."),
    ],
)
def dropout_backward(grad_out, keep, p):
    """∂L/∂h for h̃ = h · keep / (1 − p): grad_out · keep / (1 − p)."""
    return np.asarray(grad_out) * np.asarray(keep) / (1 - p)


# k-fold cross-validation: each learner counts the fits for their own k and number of candidate settings.
numbers(lambda rng: {"k": int(rng.integers(3, 11)), "candidates": int(rng.integers(4, 21))}, chapter="10")

value_exercise(
    "10.cv_fits",
    answer=lambda n: n.k * n.candidates + 1,
    section="§3 'k-fold cross-validation'",
    hints=(
        "Walk through the procedure: for every candidate, how many times is a model fitted? And once the winner is "
        "chosen, is there one more fit?",
        "Count the fits of one candidate over all folds, then of all candidates; finally ask whether the model you "
        "keep is one of those fits or a new one.",
    ),
    mistakes=[
        Mistake(
            lambda n: n.k * n.candidates, "After choosing, the winner is fitted once more, on all the training data."
        ),
        Mistake(lambda n: n.candidates + 1, "Each candidate is fitted once per fold, not once."),
        Mistake(lambda n: n.k + 1, "Every candidate goes through all k folds."),
        Mistake(
            lambda n: (n.k - 1) * n.candidates + 1, "There is one fit per fold: k of them, each leaving one fold out."
        ),
    ],
)


# The settings of the prediction exercise (hidden units, training points, weight decay); A overfits most.
OVERFIT_SETTINGS = {"A": (64, 10, 0.0), "B": (64, 100, 0.0), "C": (64, 10, 1.0), "D": (2, 10, 0.0)}

choice_exercise(
    "10.most_overfit",
    choices=("A", "B", "C", "D"),
    answer="A",
    graded=False,
    explanation=(
        "A: 64 hidden units (thousands of weights), only 10 training points and no weight decay. B has ten times the "
        "data, C the same data held back by weight decay, D too few units to bend through every point; each of them "
        "ends with a far smaller gap. Overfitting needs room to memorise, little to memorise from, and nothing "
        "holding it back."
    ),
    section="§3 'Capacity' and §5 'Remedies'",
    hints=(
        "Overfitting needs room to memorise (many units), little to memorise from (few points) and nothing holding "
        "it back (no regularisation).",
    ),
)
