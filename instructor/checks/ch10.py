"""Chapter 10 (overfitting): the L2 penalty, an early-stopping rule, the generalisation gap, a prediction."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise


def _weight_list(rng):
    """1–3 arrays of random shapes (1-D or 2-D): the weights of a small model."""
    n_arrays = int(rng.integers(1, 4))
    return [rng.normal(size=tuple(rng.integers(1, 5, size=int(rng.integers(1, 3))))) for _ in range(n_arrays)]


@function_exercise(
    "10.l2_penalty",
    cases=[
        Case([np.ones((2, 2)), np.ones(3)], 0.1),  # 7 ones → 0.7
        Case([np.array([[3.0, -4.0]])], 1.0),  # squares, not absolute values: 25
        Case([np.zeros((2, 3)), np.array([2.0])], 0.5),  # only the second array counts: 2
        Case([np.array([1.0, -2.0])], 0.0),  # λ = 0: no penalty at all
    ],
    random_case=lambda rng: Case(_weight_list(rng), float(rng.uniform(0, 1))),
    check_dtype=False,
    section="§5.1 'L2 regularisation'",
    hints=(
        "The penalty grows with the size of every weight of every array. Which size — absolute value or square?",
        "Ω = λ · (the sum, over all arrays and all their entries, of w²): a single number.",
    ),
    mistakes=[
        Mistake(
            lambda ws, lam: lam * sum(float(np.sum(np.abs(w))) for w in ws),
            "That is the L1 penalty: L2 squares the weights.",
        )
    ],
)
def l2_penalty(weights, lam):
    """Ω = λ Σ_arrays Σ_entries w²."""
    return lam * sum(float(np.sum(np.asarray(w) ** 2)) for w in weights)


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
    section="§5.3 'Early stopping'",
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


def _gap_case(rng):
    model = np.polynomial.Polynomial(rng.normal(size=int(rng.integers(1, 5))))
    n_train, n_val = (int(k) for k in rng.integers(2, 9, size=2))
    X_train, X_val = rng.uniform(-1, 1, n_train), rng.uniform(-1, 1, n_val)
    return Case(model, X_train, rng.normal(size=n_train), X_val, rng.normal(size=n_val))


@function_exercise(
    "10.generalization_gap",
    cases=[
        Case(
            np.polynomial.Polynomial([0.0, 2.0]),
            np.array([0.0, 1.0]),
            np.array([0.0, 2.0]),
            np.array([0.0, 1.0]),
            np.array([1.0, 1.0]),
        ),  # fmt: skip
        Case(
            np.polynomial.Polynomial([0.0]),
            np.array([1.0, 2.0, 3.0]),
            np.array([1.0, -3.0, 2.0]),
            np.array([5.0]),
            np.array([1.0]),
        ),  # fmt: skip
    ],
    random_case=_gap_case,
    check_dtype=False,
    section="§3 'Capacity'",
    hints=(
        "Two errors of the same model, on two data sets; which one is subtracted from which, so that a positive gap "
        "means 'worse on new data'?",
        "gap = MSE on the validation set − MSE on the training set, each MSE the mean of (predict(X) − y)².",
    ),
    mistakes=[
        Mistake(
            lambda predict, Xt, yt, Xv, yv: float(np.mean((predict(Xt) - yt) ** 2) - np.mean((predict(Xv) - yv) ** 2)),
            "Validation minus training, so that 'worse on new data' is a positive gap.",
        )
    ],
)
def generalization_gap(predict, X_train, y_train, X_val, y_val):
    """gap = MSE(val) − MSE(train), with MSE = mean of (predict(X) − y)²."""
    train_mse = float(np.mean((predict(X_train) - y_train) ** 2))
    val_mse = float(np.mean((predict(X_val) - y_val) ** 2))
    return val_mse - train_mse


# The settings of the prediction exercise (hidden units, training points, weight decay); A overfits most.
OVERFIT_SETTINGS = {"A": (64, 10, 0.0), "B": (64, 100, 0.0), "C": (64, 10, 1.0), "D": (2, 10, 0.0)}

choice_exercise(
    "10.most_overfit",
    choices=("A", "B", "C", "D"),
    answer="A",
    section="§3 'Capacity' and §5 'Remedies'",
    hints=(
        "Overfitting needs room to memorise (many units), little to memorise from (few points) and nothing holding "
        "it back (no regularisation).",
    ),
)
