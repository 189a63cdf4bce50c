"""Small made-up datasets: logic gates, blobs, moons, circles, spirals, fruit, and noisy curves.

Classification sets return `(X, y)` as NumPy arrays: `X` float32 of shape (n, 2) and `y` int64 class
labels of shape (n,). The regression sets (`sine`, `polynomial`) return `X` and `y` both float32 of
shape (n, 1). Every function takes `seed=` and draws only from `np.random.default_rng(seed)`, so
the same seed always gives the same points and a different seed gives different ones.
"""

from __future__ import annotations

import numpy as np

# The four corners of the unit square, in truth-table order: (0,0), (0,1), (1,0), (1,1).
_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _check_count(n, name="n", minimum=1):
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def _check_noise(noise):
    if noise is None or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a number >= 0 (a standard deviation), got {noise!r}")
    return float(noise)


def _finish(rng, X, y, shuffle=True):
    """Shuffle the rows (so classes are mixed) and cast to the course's dtypes: float32 X, int64 y."""
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return X.astype(np.float32), y.astype(np.int64)


def _logic_gate(truth_table, n, noise, seed):
    """Points at (or, with noise, scattered around) the unit-square corners, labelled by a truth table."""
    n = _check_count(n, minimum=4)
    noise = (0.0 if n == 4 else 0.1) if noise is None else _check_noise(noise)
    rng = np.random.default_rng(seed)
    truth_table = np.asarray(truth_table)
    if n == 4:  # the exact truth table, in its usual order, plus optional jitter
        corner = np.arange(4)
    else:  # n points spread evenly over the four corners, in random order
        corner = rng.permutation(np.arange(n) % 4)
    X = _CORNERS[corner] + noise * rng.standard_normal((n, 2))
    return _finish(rng, X, truth_table[corner], shuffle=False)


def xor(n: int = 4, noise: float | None = None, seed: int = 0):
    """XOR: label = x1 XOR x2 on the unit-square corners; not linearly separable.

    `n=4` gives the exact truth table ((0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0). A larger `n` gives
    equally many noisy points around each corner (Gaussian, standard deviation `noise`, default 0.1
    for clouds and 0 for the four exact points).
    """
    return _logic_gate([0, 1, 1, 0], n, noise, seed)


def and_(n: int = 4, noise: float | None = None, seed: int = 0):
    """AND: label = x1 AND x2 on the unit-square corners (linearly separable). Arguments as `xor`."""
    return _logic_gate([0, 0, 0, 1], n, noise, seed)


def or_(n: int = 4, noise: float | None = None, seed: int = 0):
    """OR: label = x1 OR x2 on the unit-square corners (linearly separable). Arguments as `xor`."""
    return _logic_gate([0, 1, 1, 1], n, noise, seed)


def blobs(
    n: int = 300,
    centers=3,
    std: float = 1.0,
    seed: int = 0,
    centers_box=(-6.0, 6.0),
    return_centers: bool = False,
):
    """Gaussian blobs: x = center[label] + std * N(0, I); labels 0..k-1, equally many per blob.

    `centers` is a number of blobs (their 2-D centres drawn uniformly from `centers_box`) or an
    array of centres of shape (k, d). With `return_centers=True` you get `(X, y, centers)`.
    """
    n = _check_count(n)
    std = _check_noise(std)
    rng = np.random.default_rng(seed)
    if np.ndim(centers) == 0:
        k = _check_count(centers, "centers")
        low, high = centers_box
        center_points = rng.uniform(low, high, size=(k, 2))
    else:
        center_points = np.asarray(centers, dtype=np.float64)
        if center_points.ndim != 2 or len(center_points) == 0:
            raise ValueError(f"centers must be a count or an array of shape (k, d), got shape {center_points.shape}")
        k = len(center_points)
    labels = np.arange(n) % k  # equally many points per blob (the first n % k blobs get one more)
    X = center_points[labels] + std * rng.standard_normal((n, center_points.shape[1]))
    X, y = _finish(rng, X, labels)
    if return_centers:
        return X, y, center_points.astype(np.float32)
    return X, y


def _hidden_blob_centres(seed: int) -> np.ndarray:
    """3 to 7 centres in [-7, 7]², each at least 5 from the others (6 standard deviations of mystery_blobs)."""
    rng = np.random.default_rng([int(seed), 7])
    k = int(rng.integers(3, 8))
    while True:  # random sequential placement; start over in the rare case a centre finds no room
        centres = []
        for _ in range(1000):
            candidate = rng.uniform(-7.0, 7.0, size=2)
            if all(np.hypot(*(candidate - c)) >= 5.0 for c in centres):
                centres.append(candidate)
                if len(centres) == k:
                    return np.array(centres)


def mystery_blobs(n: int = 500, seed: int = 0) -> np.ndarray:
    """n unlabelled 2-D points from a hidden number (3 to 7) of round, well-separated blobs (std 0.8).

    For practising "how many clusters?": the number of blobs is the puzzle, so only the points are returned.
    Every seed gives other blobs, and often another number of them.
    """
    X, _ = blobs(n=n, centers=_hidden_blob_centres(seed), std=0.8, seed=seed)
    return X


def moons(n: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles: label 0 = the upper moon (cos t, sin t), label 1 = the lower one.

    The lower moon is (1 - cos t, 0.5 - sin t) for t in [0, π]; Gaussian noise of std `noise` is added.
    """
    n = _check_count(n, minimum=2)
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n - n_upper)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)  # (n_upper, 2)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)  # (n - n_upper, 2)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper), np.ones(n - n_upper)])
    return _finish(rng, X, y)


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0):
    """Two concentric circles: label 0 = the outer circle (radius 1), label 1 = the inner one (radius `factor`)."""
    n = _check_count(n, minimum=2)
    noise = _check_noise(noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor (inner radius / outer radius) must be between 0 and 1, got {factor!r}")
    rng = np.random.default_rng(seed)
    n_outer = n // 2
    # endpoint=False: the angle 2π is the same point as 0, so leave it out
    t_outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * np.pi, n - n_outer, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_outer), np.ones(n - n_outer)])
    return _finish(rng, X, y)


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Interleaved spiral arms, one per class: x = r (sin θ, cos θ), r ∈ [0, 1], θ = 4c + 4r + noise.

    Class c's arm starts at angle 4c and turns by 4 radians; `noise` jitters the angle (radians).
    """
    n = _check_count(n)
    classes = _check_count(classes, "classes")
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    points = np.empty((n, 2))
    for c in range(classes):
        members = np.flatnonzero(labels == c)
        radius = np.linspace(0.0, 1.0, len(members))
        angle = 4.0 * c + 4.0 * radius + noise * rng.standard_normal(len(members))
        points[members] = radius[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1)
    return _finish(rng, points, labels)


APPLES_ORANGES_FEATURES = ("weight", "size")
APPLES_ORANGES_CLASSES = ("apple", "orange")


def apples_oranges(n: int = 40, seed: int = 0):
    """The perceptron chapter's fruit: x1 = weight, x2 = size, label 1 = orange, 0 = apple.

    Units (a made-up orchard, scaled so a typical fruit is about 1):
      x1 = weight relative to 150 g,   x2 = size (diameter) relative to 7 cm; both within [0.05, 2].
    In this orchard oranges are heavier and bigger than apples, and the two kinds are linearly
    separable: every fruit lies at least 0.05 from the line x1 + x2 = 1.85 (apples below it).

    Convention for the chapter's perceptron: predict "orange" (1) when w1·x1 + w2·x2 + b ≥ 0, else
    "apple" (0). The hand-set w1 = 0.5, w2 = 0.8, b = -1 classifies most fruit correctly but not all,
    which leaves the perceptron learning rule something to fix. Half of the fruit are oranges.
    """
    n = _check_count(n, minimum=2)
    rng = np.random.default_rng(seed)
    typical = {0: np.array([0.65, 0.55]), 1: np.array([1.30, 1.20])}  # apple, orange
    spread = 0.17
    labels = np.arange(n) % 2
    points = np.empty((n, 2))
    for i, label in enumerate(labels):
        # Draw until the fruit is clearly on its own side of the separating line: a guaranteed margin.
        while True:
            point = np.clip(typical[label] + spread * rng.standard_normal(2), 0.05, 2.0)
            side = (point[0] + point[1] - 1.85) / np.sqrt(2.0)  # signed distance to the line
            if (side >= 0.05) if label == 1 else (side <= -0.05):
                break
        points[i] = point
    return _finish(rng, points, labels)


def sine(n: int = 100, noise: float = 0.1, seed: int = 0, x_range=(-3.0, 3.0)):
    """Noisy sine regression: y = sin(x) + noise * N(0, 1), x uniform in `x_range`, sorted.

    Returns `X` (n, 1) and `y` (n, 1), both float32 (sorted by x so that `plt.plot` draws a curve).
    """
    n = _check_count(n)
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*x_range, size=n))
    y = np.sin(x) + noise * rng.standard_normal(n)
    return x[:, None].astype(np.float32), y[:, None].astype(np.float32)  # (n, 1) each


def polynomial(
    n: int = 100,
    degree: int = 3,
    noise: float = 0.1,
    seed: int = 0,
    x_range=(-1.0, 1.0),
    return_coef: bool = False,
):
    """Noisy polynomial regression: y = c0 + c1 x + ... + c_degree x^degree + noise * N(0, 1).

    The coefficients c ~ N(0, 1) come from the seed too; `return_coef=True` also returns them
    (lowest power first) as `(X, y, coef)`. `X` (n, 1) and `y` (n, 1) float32, sorted by x.
    """
    n = _check_count(n)
    degree = _check_count(degree, "degree", minimum=0)
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    coef = rng.standard_normal(degree + 1)
    x = np.sort(rng.uniform(*x_range, size=n))
    powers = x[:, None] ** np.arange(degree + 1)  # (n, degree + 1): 1, x, x^2, ...
    y = powers @ coef + noise * rng.standard_normal(n)
    X, y = x[:, None].astype(np.float32), y[:, None].astype(np.float32)  # (n, 1) each
    if return_coef:
        return X, y, coef
    return X, y
