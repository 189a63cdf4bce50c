"""k-means (Lloyd's algorithm): alternate "assign each point to its nearest centre" and "move each
centre to the mean of its points" until the assignments stop changing.

Both steps can only lower the inertia  J = Σ_i ||x_i - c_label(i)||², so J never increases and the
loop always stops (though perhaps in a local minimum: the start matters, hence k-means++).
Every iteration is recorded in `result.history` so the course can animate it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlcourse.kernels.kmeans import kmeans_assign


@dataclass
class KMeansResult:
    """What `kmeans` found. `history[t] = (centers, labels)` after t update steps (t = 0: the start)."""

    centers: np.ndarray  # (k, d)
    labels: np.ndarray  # (n,) int64: index of each point's centre
    inertia: float  # Σ_i ||x_i - centers[labels[i]]||²
    n_iter: int  # number of update steps taken
    history: list = field(repr=False)  # [(centers (k, d), labels (n,)), ...], n_iter + 1 entries
    inertia_history: list = field(repr=False)  # inertia of each history entry: never increases

    def predict(self, X) -> np.ndarray:
        """Nearest-centre labels for new points X (m, d)."""
        X = _check_points(X, "X")
        if X.shape[1] != self.centers.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features but the centres have {self.centers.shape[1]}")
        labels, _ = kmeans_assign(X, self.centers.astype(X.dtype))
        return labels


def _check_points(X, name):
    """X as a C-contiguous float array of shape (n, d) with finite values (integers → float64)."""
    X = np.asarray(getattr(X, "data", X))
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (n_points, n_features), got shape {X.shape}")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values; k-means needs finite coordinates")
    return np.ascontiguousarray(X)


def kmeans_plus_plus(X, k, rng):
    """k-means++ start: the first centre is a random point; each next one is a point drawn with
    probability proportional to its squared distance to the nearest centre chosen so far."""
    n = X.shape[0]
    chosen = [int(rng.integers(n))]
    for _ in range(1, k):
        _, sq_dist = kmeans_assign(X, X[chosen])
        total = float(sq_dist.sum(dtype=np.float64))
        if total <= 0:  # every point sits on a chosen centre: any remaining point will do
            chosen.append(int(rng.choice(np.setdiff1d(np.arange(n), chosen))))
            continue
        chosen.append(int(rng.choice(n, p=sq_dist.astype(np.float64) / total)))
    return X[chosen].copy()


def _initial_centers(X, k, init, rng):
    if isinstance(init, str):
        if init == "k-means++":
            return kmeans_plus_plus(X, k, rng)
        if init == "random":  # k distinct points picked uniformly
            return X[rng.choice(X.shape[0], size=k, replace=False)].copy()
        raise ValueError(f"init must be 'k-means++', 'random' or an array of shape ({k}, d), got {init!r}")
    centers = np.array(getattr(init, "data", init), dtype=X.dtype)  # a copy: we move the centres in place
    if centers.shape != (k, X.shape[1]):
        raise ValueError(f"init centres must have shape ({k}, {X.shape[1]}), got {centers.shape}")
    return centers


def _update_centers(X, labels, old_centers):
    """Move every centre to the mean of its points: c_j = mean{x_i : label_i = j}.

    A centre that lost all its points would have no mean; it jumps to the point that is currently
    farthest from its own centre (the worst-served point), a common deterministic repair.
    """
    centers = old_centers.copy()
    for j in range(len(centers)):
        members = X[labels == j]
        if len(members):
            centers[j] = members.mean(axis=0)
    empty = np.flatnonzero(np.bincount(labels, minlength=len(centers)) == 0)
    if len(empty):
        sq_dist = ((X - centers[labels]) ** 2).sum(axis=1)
        farthest = np.argsort(-sq_dist, kind="stable")[: len(empty)]
        centers[empty] = X[farthest]
    return centers


def kmeans(X, k: int, seed: int = 0, max_iter: int = 100, tol: float = 1e-6, init="k-means++") -> KMeansResult:
    """Cluster X (n, d) into k groups by minimising J = Σ_i ||x_i - c_label(i)||² (Lloyd's algorithm).

    Stops when the labels no longer change, when the centres move less than `tol` (sum of squared
    shifts), or after `max_iter` update steps. `init` is "k-means++" (default), "random", or a
    (k, d) array of starting centres. Randomness only in the start, from `default_rng(seed)`.
    The assignment step is a Numba kernel (`dlcourse.kernels.kmeans`), or NumPy under
    `set_backend("numpy")`.
    """
    X = _check_points(X, "X")
    n = X.shape[0]
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n:
        raise ValueError(f"k must be an integer between 1 and the number of points ({n}), got {k!r}")
    if max_iter < 0:
        raise ValueError(f"max_iter must be >= 0, got {max_iter!r}")
    rng = np.random.default_rng(seed)

    centers = _initial_centers(X, int(k), init, rng)
    labels, sq_dist = kmeans_assign(X, centers)
    history = [(centers, labels)]
    inertia_history = [float(sq_dist.sum(dtype=np.float64))]
    n_iter = 0
    while n_iter < max_iter:
        new_centers = _update_centers(X, labels, centers)  # update step
        new_labels, sq_dist = kmeans_assign(X, new_centers)  # assignment step
        n_iter += 1
        history.append((new_centers, new_labels))
        inertia_history.append(float(sq_dist.sum(dtype=np.float64)))
        shift = float(((new_centers - centers) ** 2).sum())
        unchanged = np.array_equal(new_labels, labels)
        centers, labels = new_centers, new_labels
        if unchanged or shift <= tol:
            break
    return KMeansResult(
        centers=centers,
        labels=labels,
        inertia=inertia_history[-1],
        n_iter=n_iter,
        history=history,
        inertia_history=inertia_history,
    )
