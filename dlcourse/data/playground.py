"""The network playground's data sets: four 2-D classification problems and two regression surfaces.

    from dlcourse.data import playground_data, playground_features
    X_train, y_train, X_test, y_test = playground_data("spiral", n=200, noise=0.1, train_fraction=0.5, seed=0)
    F_train = playground_features(X_train, ["x1", "x2", "sin_x1"])     # (100, 3) float32

Every point lies in the square [-6, 6]² (the picture the playground draws). Classification sets
have labels 0/1, regression sets targets in [-1, 1]; both as float32 columns of shape (n, 1), ready
for `BCEWithLogitsLoss` / `MSELoss`. `noise` (0 … 0.5) blurs the classes or the surface, and the
same seed always gives the same points and the same train/test split.
"""

from __future__ import annotations

import numpy as np

RADIUS = 5.0  # the data fill a disc/square of this size; the picture shows [-6, 6]² around it
EXTENT = (-6.0, 6.0)

CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
REGRESSION = ("plane", "surface")
DATASETS = CLASSIFICATION + REGRESSION

# input features: name → (label for a picture, the formula as code, the function of X (n, 2)).
# The code is what the playground prints in "show the code"; a test checks it computes the same.
FEATURES = {
    "x1": ("x₁", "X[:, 0]", lambda X: X[:, 0]),
    "x2": ("x₂", "X[:, 1]", lambda X: X[:, 1]),
    "x1^2": ("x₁²", "X[:, 0] ** 2", lambda X: X[:, 0] ** 2),
    "x2^2": ("x₂²", "X[:, 1] ** 2", lambda X: X[:, 1] ** 2),
    "x1*x2": ("x₁x₂", "X[:, 0] * X[:, 1]", lambda X: X[:, 0] * X[:, 1]),
    "sin_x1": ("sin x₁", "np.sin(X[:, 0])", lambda X: np.sin(X[:, 0])),
    "sin_x2": ("sin x₂", "np.sin(X[:, 1])", lambda X: np.sin(X[:, 1])),
}


def is_classification(name: str) -> bool:
    """True for the labelled sets (circle, xor, gauss, spiral), False for the regression surfaces."""
    return _check_name(name) in CLASSIFICATION


def _check_name(name):
    if name not in DATASETS:
        raise ValueError(f"unknown playground data set {name!r}; choose one of {', '.join(DATASETS)}")
    return name


def _circle(n, noise, rng):
    """Class 1 inside radius 0.5·R, class 0 on a ring between 0.7·R and R; noise jitters the points."""
    inner = n // 2
    radius = np.concatenate([rng.uniform(0, 0.5 * RADIUS, inner), rng.uniform(0.7 * RADIUS, RADIUS, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (n, 2)
    labels = np.concatenate([np.ones(inner), np.zeros(n - inner)])
    return X + noise * RADIUS * rng.standard_normal((n, 2)), labels


def _xor(n, noise, rng):
    """Uniform points in [-R, R]² kept 0.3 away from the axes; class 1 where x₁·x₂ > 0 (quadrants 1 and 3)."""
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # a gap along the axes, where the label flips
    labels = (X[:, 0] * X[:, 1] > 0).astype(np.float64)
    return X + noise * RADIUS * rng.standard_normal((n, 2)), labels


def _gauss(n, noise, rng):
    """Two round clouds, class 1 around (2, 2) and class 0 around (-2, -2); noise widens them."""
    labels = (np.arange(n) % 2).astype(np.float64)
    centers = np.where(labels[:, None] == 1, 2.0, -2.0)  # (n, 1), the same on both axes
    spread = 0.5 + 3.5 * (noise / 0.5)  # standard deviation 0.5 (no noise) … 4 (noise 0.5)
    return centers + spread * rng.standard_normal((n, 2)), labels


def _spiral(n, noise, rng):
    """Two interleaved spiral arms of radius R, 1.75 turns each; class 1 is the arm that starts at angle 0."""
    half = n // 2
    labels = np.concatenate([np.ones(half), np.zeros(n - half)])
    t = np.concatenate([np.linspace(0, 1, half, endpoint=False), np.linspace(0, 1, n - half, endpoint=False)])
    angle = 1.75 * 2 * np.pi * t + np.where(labels == 1, 0.0, np.pi)
    X = (RADIUS * t)[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1)  # (n, 2)
    return X + noise * RADIUS * rng.standard_normal((n, 2)), labels


def _surface_value(name, X):
    """The noise-free regression target at X (n, 2), within [-1, 1]."""
    if name == "plane":
        return (X[:, 0] + X[:, 1]) / (2 * RADIUS)
    # "surface": two hills and two valleys (Gaussian bumps of width 1.6) on the diagonals
    bumps = [((-2.5, -2.5), 1.0), ((2.5, 2.5), 1.0), ((-2.5, 2.5), -1.0), ((2.5, -2.5), -1.0)]
    value = sum(sign * np.exp(-((X - center) ** 2).sum(axis=1) / (2 * 1.6**2)) for center, sign in bumps)
    return np.clip(value, -1.0, 1.0)


def _regression(name, n, noise, rng):
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    return X, np.clip(_surface_value(name, X) + noise * rng.standard_normal(n), -1.5, 1.5)


def playground_data(name: str = "circle", n: int = 200, noise: float = 0.0, train_fraction: float = 0.5,
                    seed: int = 0):  # fmt: skip
    """Points of the data set `name`, shuffled and split: `X_train, y_train, X_test, y_test`.

    X: float32 (n, 2) in [-6, 6]²; y: float32 (n, 1), labels 0/1 or regression targets. The first
    round(train_fraction · n) shuffled points train, the rest test (both parts keep at least one point).
    """
    _check_name(name)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 4:
        raise ValueError(f"n must be an integer >= 4 (the number of points), got {n!r}")
    if noise is None or not np.isfinite(noise) or not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be between 0 and 0.5, got {noise!r}")
    if train_fraction is None or not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be between 0 and 1 (exclusive), got {train_fraction!r}")
    rng = np.random.default_rng(seed)
    makers = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral}
    if name in makers:
        X, y = makers[name](int(n), float(noise), rng)
    else:
        X, y = _regression(name, int(n), float(noise), rng)
    order = rng.permutation(len(X))
    X = np.clip(X[order], *EXTENT).astype(np.float32)  # noisy points that fly off stay on the picture's edge
    y = y[order].reshape(-1, 1).astype(np.float32)  # (n, 1)
    n_train = min(max(1, round(train_fraction * len(X))), len(X) - 1)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def playground_target(name: str, X) -> np.ndarray:
    """The noise-free value of a regression set at X (n, 2): what a perfect model would output."""
    if is_classification(name):
        raise ValueError(f"{name!r} is a classification set: it has labels, not a surface")
    return _surface_value(name, np.asarray(X, dtype=np.float64)).astype(np.float32)


def playground_features(X, features) -> np.ndarray:
    """The input features of the points X (n, 2) as a float32 matrix (n, len(features)), in the given order.

    Names: x1, x2, x1^2, x2^2, x1*x2, sin_x1, sin_x2 (the columns are exactly `FEATURES[name][1]`).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) (points in the plane), got {X.shape}")
    features = list(features)
    if not features:
        raise ValueError("choose at least one input feature, e.g. ['x1', 'x2']")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; choose from {', '.join(FEATURES)}")
    if len(set(features)) != len(features):
        raise ValueError(f"each feature may appear once, got {features}")
    columns = [FEATURES[name][2](X) for name in features]
    return np.stack(columns, axis=1).astype(np.float32)  # (n, F)
