"""Chapter 04 (losses): MSE, clipped binary cross-entropy, Huber, entropy, and an outlier prediction."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise


def _pair(rng):
    shape = (int(rng.integers(1, 6)),) if rng.random() < 0.6 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    return rng.normal(size=shape) * 3, rng.normal(size=shape) * 3


@function_exercise(
    "04.mse",
    cases=[
        Case(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),  # perfect: 0
        Case(np.array([1.0, 2.0]), np.array([1.5, 2.0])),  # 0.25 / 2 = 0.125
        Case(np.array([3.0, -1.0, 0.0, 2.0]), np.array([1.0, 1.0, 1.0, 1.0])),  # (4 + 4 + 1 + 1) / 4 = 2.5
        Case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 0.0], [0.0, 0.0]])),  # a 2-D batch
    ],
    random_case=lambda rng: Case(*_pair(rng)),
    check_dtype=False,
    section="§2 'Regression losses'",
    hints=(
        "Three words in the name, three steps: an error per element, squared, then what kind of summary?",
        "MSE = the average over all elements of (prediction − target)²: not the sum, and no square root.",
    ),
    mistakes=[
        Mistake(lambda p, t: float(np.sum((p - t) ** 2)), "That is the sum of squares; MSE is its mean."),
        Mistake(lambda p, t: float(np.sqrt(np.mean((p - t) ** 2))), "That is the RMSE: MSE takes no square root."),
    ],
)
def mse(pred, target):
    """MSE = mean((pred - target)²) over all elements."""
    return float(np.mean((pred - target) ** 2))


def _probabilities(rng):
    n = int(rng.integers(1, 8))
    p = rng.uniform(0, 1, size=n)
    p[rng.random(n) < 0.2] = 0.0  # certainty, right or wrong: needs the clipping
    p[rng.random(n) < 0.2] = 1.0
    return Case(p, rng.integers(0, 2, size=n).astype(float))


@function_exercise(
    "04.bce",
    cases=[
        Case(np.array([0.5]), np.array([1.0])),  # ln 2
        Case(np.array([0.9, 0.2]), np.array([1.0, 0.0])),
        Case(np.array([1.0, 0.0]), np.array([1.0, 0.0])),  # certain and right: (almost) 0, not NaN
        Case(np.array([0.0, 1.0]), np.array([1.0, 0.0])),  # certain and wrong: big but finite (−ln 1e-7)
        Case(np.array([0.3, 0.3]), np.array([0.0, 0.0])),
    ],
    random_case=_probabilities,
    check_dtype=False,
    section="§3 'Binary cross-entropy'",
    hints=(
        "What is log(0)? A probability of exactly 0 or 1 must be kept away from the edges before taking logs.",
        "First clip p into [eps, 1 − eps]; then BCE = −mean(y·ln p + (1 − y)·ln(1 − p)).",
    ),
)
def bce(p, y, eps=1e-7):
    """BCE = −mean(y·log p + (1 − y)·log(1 − p)), with p clipped into [eps, 1 − eps]."""
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@function_exercise(
    "04.huber",
    cases=[
        Case(np.array([0.5]), np.array([0.0])),  # inside: ½·0.25 = 0.125
        Case(np.array([3.0]), np.array([0.0])),  # outside: 1·(3 − 0.5) = 2.5
        Case(np.array([1.0, -1.0]), np.array([0.0, 0.0])),  # exactly at δ: both formulas give 0.5
        Case(np.array([0.0, 2.0, -4.0]), np.array([0.5, 0.0, 0.0]), delta=2.0),
        Case(np.array([10.0, 0.1]), np.array([0.0, 0.0]), delta=0.05),
    ],
    random_case=lambda rng: Case(*_pair(rng), delta=float(rng.uniform(0.1, 3.0))),
    check_dtype=False,
    section="§2 'Regression losses: MSE, MAE and Huber'",
    hints=(
        "Huber is quadratic for small errors and linear for large ones. Which formula applies to each element, "
        "and what is averaged at the end?",
        "With d = |prediction − target|: ½d² where d ≤ δ, δ·(d − ½δ) elsewhere; then the mean over all elements.",
    ),
)
def huber(pred, target, delta=1.0):
    """Huber = mean(½d² if |d| ≤ δ else δ(|d| − ½δ)), d = pred − target."""
    d = np.abs(pred - target)
    return float(np.mean(np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta))))


def _distribution(rng):
    k = int(rng.integers(2, 8))
    p = rng.dirichlet(np.ones(k))
    p[rng.random(k) < 0.3] = 0.0  # impossible outcomes: 0·log 0 counts as 0
    if p.sum() == 0:
        p[0] = 1.0
    return Case(p / p.sum())


@function_exercise(
    "04.entropy",
    cases=[
        Case(np.array([0.5, 0.5])),  # a fair coin: ln 2
        Case(np.full(4, 0.25)),  # a fair 4-sided die: ln 4
        Case(np.array([1.0, 0.0, 0.0])),  # no uncertainty: 0 (and not NaN)
        Case(np.array([0.7, 0.2, 0.1, 0.0])),
    ],
    random_case=_distribution,
    check_dtype=False,
    section="§6 'Entropy: measuring surprise'",
    hints=(
        "Entropy is the average surprise. What is the surprise of an outcome that never happens, and how much "
        "does it contribute to the average?",
        "H(p) = −Σ pᵢ ln pᵢ over the outcomes with pᵢ > 0 (0·ln 0 counts as 0, in nats).",
    ),
)
def entropy(p):
    """H(p) = −Σ pᵢ ln pᵢ (natural log, nats), with 0·ln 0 = 0."""
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


choice_exercise(
    "04.least_moving_loss",
    choices=("mse", "mae", "huber"),
    aliases={"l1": "mae", "mean absolute error": "mae", "l2": "mse", "mean squared error": "mse"},
    answer="mae",
    section="§8 'Outliers'",
    hints=("In the outlier app, drag the star far up and down and watch the right panel: which pull stops growing?",),
)
