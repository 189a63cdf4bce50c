"""Checks for chapter 04 (losses): MSE, clipped binary cross-entropy, Huber, entropy, and an outlier prediction."""

import numpy as np

from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check


def _pair(rng):
    shape = (int(rng.integers(1, 6)),) if rng.random() < 0.6 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    return rng.normal(size=shape) * 3, rng.normal(size=shape) * 3


@function_check(
    "04.mse",
    cases=[
        Case(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),  # perfect: 0
        Case(np.array([1.0, 2.0]), np.array([1.5, 2.0])),  # 0.25 / 2 = 0.125
        Case(np.array([3.0, -1.0, 0.0, 2.0]), np.array([1.0, 1.0, 1.0, 1.0])),  # (4 + 4 + 1 + 1) / 4 = 2.5
        Case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 0.0], [0.0, 0.0]])),  # a 2-D batch
    ],
    random_case=lambda rng: Case(*_pair(rng)),
    check_dtype=False,
    hint="Subtract, square every difference, then average over ALL elements: np.mean((pred - target) ** 2). "
    "Not the sum, and no square root (that would be the RMSE).",
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


@function_check(
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
    hint="First p = np.clip(p, eps, 1 - eps); then −mean(y·log p + (1 − y)·log(1 − p)). Without the clip, "
    "p = 0 or 1 gives log(0) = −inf (and 0·(−inf) = NaN).",
)
def bce(p, y, eps=1e-7):
    """BCE = −mean(y·log p + (1 − y)·log(1 − p)), with p clipped into [eps, 1 − eps]."""
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@function_check(
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
    hint="d = pred − target. Where |d| ≤ delta use ½d², elsewhere delta·(|d| − ½delta); np.where picks per "
    "element. Then take the mean.",
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


@function_check(
    "04.entropy",
    cases=[
        Case(np.array([0.5, 0.5])),  # a fair coin: ln 2
        Case(np.full(4, 0.25)),  # a fair 4-sided die: ln 4
        Case(np.array([1.0, 0.0, 0.0])),  # no uncertainty: 0 (and not NaN)
        Case(np.array([0.7, 0.2, 0.1, 0.0])),
    ],
    random_case=_distribution,
    check_dtype=False,
    hint="H(p) = −Σ p·ln p over the outcomes with p > 0 (0·ln 0 counts as 0): keep only p[p > 0] first.",
)
def entropy(p):
    """H(p) = −Σ pᵢ ln pᵢ (natural log, nats), with 0·ln 0 = 0."""
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


_LOSS_NAMES = {
    "mae": "mae",
    "l1": "mae",
    "mean absolute error": "mae",
    "huber": "huber",
    "mse": "mse",
    "l2": "mse",
    "mean squared error": "mse",
}


@exercise(
    "04.least_moving_loss",
    hint="In the outlier app, drag the star far up and down at x = 8 and watch the right panel: "
    "which slope curve stays flat?",
)
def _least_moving_loss(answer):
    assert isinstance(answer, str), f'answer with a string such as "mse", "mae" or "huber", got {describe(answer)}'
    name = _LOSS_NAMES.get(answer.strip().lower())
    assert name is not None, f'{answer!r} is not one of "mse", "mae", "huber"'
    assert name != "mse", (
        "MSE moves the most: its pull on the line grows with the outlier's distance (the gradient of d² is 2d), "
        "so an outlier twice as far pulls twice as hard"
    )
    assert name != "huber", (
        "Huber moves only a little — its pull is capped at δ once the residual exceeds δ — but a capped pull "
        "is still a pull. One loss does better than that"
    )
