"""Chapter 04 (losses): the Huber loss, binary cross-entropy from logits, cross-entropy with soft labels, the
negative log-likelihood of Laplace noise, and a prediction (no points) about which fit ignores an outlier."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise


def _pair(rng):
    shape = (int(rng.integers(1, 6)),) if rng.random() < 0.6 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    return rng.normal(size=shape) * 3, rng.normal(size=shape) * 3


def _huber_without_half(pred, target, delta=1.0):
    d = np.abs(pred - target)
    return float(np.mean(np.where(d <= delta, d**2, delta * (d - 0.5 * delta))))


def _huber_delta_one(pred, target, delta=1.0):
    d = np.abs(pred - target)
    return float(np.mean(np.where(d <= 1.0, 0.5 * d**2, d - 0.5)))


@function_exercise(
    "04.huber",
    cases=[
        Case(np.array([0.5]), np.array([0.0])),  # inside: ½·0.25 = 0.125
        Case(np.array([3.0]), np.array([0.0])),  # outside: 1·(3 − 0.5) = 2.5
        Case(np.array([1.0, -1.0]), np.array([0.0, 0.0])),  # exactly at δ: both formulas give 0.5
        Case(np.array([0.0, 2.0, -4.0]), np.array([0.5, 0.0, 0.0]), delta=2.0),
        Case(np.array([10.0, 0.1]), np.array([0.0, 0.0]), delta=0.05),
        Case(np.array([[1.0, 5.0], [-2.0, 0.2]]), np.zeros((2, 2)), delta=1.5),  # 2-D: the mean of all elements
    ],
    random_case=lambda rng: Case(*_pair(rng), delta=float(rng.uniform(0.1, 3.0))),
    check_dtype=False,
    section="§2 'Regression losses: MSE, MAE and Huber'",
    hints=(
        "Huber is quadratic for small errors and linear for large ones. Which piece applies to each element, "
        "and what is averaged at the end?",
        "Decide per element which of the chapter's two pieces applies (compare |error| with δ), then average. Check "
        "your linear piece: at |error| = δ both pieces must give the same value and the same slope.",
    ),
    mistakes=[
        Mistake(
            _huber_without_half,
            "Inside δ the loss is HALF the squared error: that is what makes the two pieces meet at d = δ.",
        ),  # fmt: skip
        Mistake(_huber_delta_one, "The switch point is the δ you are given, in both pieces."),
    ],
)
def huber(pred, target, delta=1.0):
    """Huber = mean(½d² if |d| ≤ δ else δ(|d| − ½δ)), d = pred − target."""
    d = np.abs(pred - target)
    return float(np.mean(np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta))))


def _logits_and_labels(rng):
    shape = (int(rng.integers(1, 8)),)
    z = rng.normal(size=shape) * float(rng.choice([1.0, 10.0, 200.0]))  # some far beyond where e^z is safe
    return Case(z, rng.integers(0, 2, size=shape).astype(float))


def _bce_labels_swapped(z, y):
    return float(np.mean(np.maximum(z, 0) - z * (1 - y) + np.log1p(np.exp(-np.abs(z)))))


@function_exercise(
    "04.bce_with_logits",
    cases=[
        Case(np.array([0.0]), np.array([1.0])),  # σ(0) = ½: ln 2 whatever the label
        Case(np.array([2.0, -1.0]), np.array([1.0, 0.0])),
        Case(np.array([1000.0, -1000.0]), np.array([1.0, 0.0])),  # certain and right: 0, not NaN
        Case(np.array([1000.0, -1000.0]), np.array([0.0, 1.0])),  # certain and wrong: 1000 each, not inf
        Case(np.array([-40.0]), np.array([1.0])),  # σ(−40) rounds to 1e-18: still 40
        Case(np.array([3.0, 3.0, -0.5]), np.array([0.0, 1.0, 1.0])),
    ],
    random_case=_logits_and_labels,
    check_dtype=False,
    section="§3 'Binary cross-entropy' (from the logit)",
    hints=(
        "Write the loss for a 'yes' and for a 'no' in terms of the logit z alone, without ever forming p. Which "
        "exponentials can overflow when z is ±1000?",
        "Substitute σ(z) into the two log terms and simplify on paper: the loss becomes a 'log of one plus an "
        "exponential' term minus one that is linear in z. Then rewrite that log so that its exponent is never "
        "positive, treating positive and negative z separately.",
    ),
    mistakes=[
        Mistake(_bce_labels_swapped, "A large positive logit means 'yes': it must cost little when y = 1."),
        Mistake(
            lambda z, y: float(np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))),
            "That is the sum over the examples; the loss is their mean.",
        ),  # fmt: skip
    ],
)
def bce_with_logits(z, y):
    """mean(log(1 + e^z) − y·z), with log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)) so nothing overflows."""
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def _soft_case(rng):
    n, k = int(rng.integers(1, 6)), int(rng.integers(2, 7))
    logits = rng.normal(size=(n, k)) * float(rng.choice([1.0, 5.0, 500.0]))
    return Case(logits, rng.dirichlet(np.ones(k), size=n))


def _log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, K)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@function_exercise(
    "04.soft_cross_entropy",
    cases=[
        Case(np.zeros((1, 4)), np.full((1, 4), 0.25)),  # uniform belief, uniform target: ln 4
        Case(np.array([[2.0, 0.0, -1.0]]), np.array([[1.0, 0.0, 0.0]])),  # one-hot: the usual cross-entropy
        Case(np.array([[1000.0, 0.0]]), np.array([[0.5, 0.5]])),  # half the target on a class given e^(−1000)
        Case(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]]), np.array([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]])),
    ],
    random_case=_soft_case,
    check_dtype=False,
    section="§4 'Categorical cross-entropy' and §6 'Entropy' (cross-entropy H(p, q))",
    hints=(
        "Each row's loss is the average surprise −log q under the TARGET distribution — a sum over the classes "
        "weighted by the target. Then one number for the batch. Keep every exponent at most 0.",
        "Chapter 03's log-softmax (shifted by each row's largest logit) gives the log-probabilities; weight them by "
        "the target row and add over the classes, mind the sign, then one mean over the rows.",
    ),
    mistakes=[
        Mistake(lambda z, t: float(-np.sum(t * _log_softmax(z))), "That is the sum over the rows: take their mean."),
        Mistake(
            lambda z, t: float(-np.mean(t * _log_softmax(z))),
            "Sum over the classes within a row, then average over the rows (not over every element).",
        ),
        Mistake(
            lambda z, t: float(-np.mean(np.sum(_log_softmax(z) * np.exp(_log_softmax(z)), axis=1))),
            "That is the entropy of the model's own belief; the weights come from the targets.",
        ),
    ],
)
def soft_cross_entropy(logits, targets):
    """mean over rows of H(t, softmax(z)) = −Σₖ tₖ log softmax(z)ₖ (stable log-softmax)."""
    return float(np.mean(-np.sum(targets * _log_softmax(np.asarray(logits, dtype=np.float64)), axis=1)))


def _laplace_case(rng):
    pred, target = _pair(rng)
    return Case(pred, target, b=float(rng.uniform(0.2, 3.0)))


@function_exercise(
    "04.laplace_nll",
    cases=[
        Case(np.array([0.0]), np.array([0.0]), b=0.5),  # no error: log(2b) = log 1 = 0
        Case(np.array([1.0, 2.0]), np.array([1.0, 5.0]), b=1.0),  # (2 log 2 + 3) / 2
        Case(np.array([0.0, 0.0]), np.array([-2.0, 2.0]), b=2.0),
        Case(np.array([[1.0, 0.0], [3.0, -1.0]]), np.zeros((2, 2)), b=0.25),  # a 2-D batch: mean of all elements
    ],
    random_case=_laplace_case,
    check_dtype=False,
    section="§7 'Where MSE and cross-entropy come from: maximum likelihood'",
    hints=(
        "Take minus the log of the density for one target, as section 7 did for the Gaussian: a constant part "
        "and a part that depends on the error. Keep both, then average over the targets.",
        "The log of a product is a sum of logs and the log undoes the exponential. The normalising factor depends on"
        " b, so its log stays in the loss as a constant term.",
    ),
    mistakes=[
        Mistake(
            lambda p, t, b: float(np.mean(np.abs(t - p) / b)),
            "The density's normalising factor 1/(2b) contributes a constant: keep it.",
        ),  # fmt: skip
        Mistake(lambda p, t, b: float(np.mean(np.log(b) + np.abs(t - p) / b)), "The normaliser is 1/(2b), not 1/b."),
        Mistake(
            lambda p, t, b: float(np.mean(np.log(2 * b) + (t - p) ** 2 / b)),
            "Laplace noise has |error| in the exponent, not the squared error.",
        ),  # fmt: skip
    ],
)
def laplace_nll(pred, target, b):
    """mean(log(2b) + |target − pred| / b): −log of the Laplace density of every error, averaged."""
    return float(np.mean(np.log(2 * b) + np.abs(np.asarray(target) - np.asarray(pred)) / b))


choice_exercise(
    "04.least_moving_loss",
    choices=("mse", "mae", "huber"),
    aliases={"l1": "mae", "mean absolute error": "mae", "l2": "mse", "mean squared error": "mse"},
    answer="mae",
    graded=False,
    section="§9 'Outliers'",
    hints=("Think of each loss's pull on one point (section 2): which one stops growing as the error grows?",),
    explanation=(
        "MAE. Its pull on every point has the same size, however far away the point is. Once the outlier is "
        "above the line, raising it further adds no pull at all — the best MAE line does not move (it passes "
        "through two of the other points). Huber's pull grows until the error reaches δ and then stays at δ, so "
        "its line moves a little and then stops. MSE's pull grows with the error: its line keeps tilting "
        "towards the outlier. The cells below measure it."
    ),
)
