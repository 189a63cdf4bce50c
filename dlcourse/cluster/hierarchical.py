"""Agglomerative (bottom-up hierarchical) clustering: start with every point alone, then repeatedly
merge the two closest clusters until one is left. The merges form a tree (drawn by `dendrogram`).

"Closest" depends on the linkage, i.e. how the distance between two clusters A and B is measured:
    single    min  over a∈A, b∈B of ||a - b||       (nearest pair: long, chained clusters)
    complete  max  over a∈A, b∈B of ||a - b||       (farthest pair: compact clusters)
    average   mean over a∈A, b∈B of ||a - b||
    ward      sqrt(2 |A||B| / (|A|+|B|)) · ||mean(A) - mean(B)||  (merge that adds least variance)

After merging s and t into u, the Lance–Williams formulas give d(u, v) for every other cluster v
from d(s, v), d(t, v) and d(s, t) alone, so we never go back to the points. This plain version
keeps the full n×n distance matrix: O(n²) memory and O(n³) time, fine for n ≤ a few hundred.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LINKAGES = ("single", "complete", "average", "ward")


@dataclass
class AgglomerativeResult:
    """What `agglomerative` found: the merge tree `Z` and, if n_clusters was given, flat `labels`."""

    Z: np.ndarray  # (n - 1, 4) SciPy-style linkage matrix: [cluster a, cluster b, distance, size]
    labels: np.ndarray | None  # (n,) int64 cluster of each point, or None without n_clusters
    linkage: str

    def cut(self, n_clusters: int) -> np.ndarray:
        """Labels for `n_clusters` flat clusters (see `cut_tree`)."""
        return cut_tree(self.Z, n_clusters)


def _merged_distances(linkage, d_sv, d_tv, d_st, size_s, size_t, size_v):
    """Lance–Williams update: distance from the merged cluster u = s ∪ t to every other cluster v."""
    if linkage == "single":
        return np.minimum(d_sv, d_tv)
    if linkage == "complete":
        return np.maximum(d_sv, d_tv)
    if linkage == "average":  # size-weighted mean of the two old distances
        return (size_s * d_sv + size_t * d_tv) / (size_s + size_t)
    # ward, written on squared distances (where it is exact) and square-rooted back
    total = size_s + size_t + size_v
    squared = ((size_v + size_s) * d_sv**2 + (size_v + size_t) * d_tv**2 - size_v * d_st**2) / total
    return np.sqrt(np.maximum(squared, 0.0))  # max: rounding must not push a tiny value below zero


def linkage_matrix(X, linkage: str = "average") -> np.ndarray:
    """The merge tree of X (n, d) in SciPy's format Z (n-1, 4): row i merges clusters Z[i,0] < Z[i,1]
    at distance Z[i,2] into a new cluster of Z[i,3] points that gets id n + i (points are ids 0..n-1).
    """
    if linkage not in LINKAGES:
        raise ValueError(f"linkage must be one of {LINKAGES}, got {linkage!r}")
    X = np.asarray(getattr(X, "data", X), dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must be a 2-D array (n_points, n_features) with at least 2 points, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    n = X.shape[0]

    # Pairwise Euclidean distances, (n, n), one row at a time (an (n, n, d) temporary could be large).
    distances = np.empty((n, n))
    for i in range(n):
        distances[i] = np.sqrt(((X - X[i]) ** 2).sum(axis=1))
    # Slot i of the matrix holds one current cluster. The diagonal and every retired slot hold +inf,
    # so they are never the minimum.
    np.fill_diagonal(distances, np.inf)
    active = np.ones(n, dtype=bool)
    cluster_id = np.arange(n)  # which cluster (SciPy id) lives in each slot
    size = np.ones(n)  # points per cluster
    Z = np.empty((n - 1, 4))

    for step in range(n - 1):
        # The closest pair: the first minimum in row-major order, so slot s < slot t.
        s, t = np.unravel_index(np.argmin(distances), distances.shape)
        d_st = distances[s, t]
        a, b = sorted((cluster_id[s], cluster_id[t]))
        Z[step] = (a, b, d_st, size[s] + size[t])

        # The merged cluster u = s ∪ t takes slot s; slot t is retired.
        new_row = _merged_distances(linkage, distances[s], distances[t], d_st, size[s], size[t], size)
        active[t] = False
        new_row[~active] = np.inf
        new_row[s] = np.inf
        distances[s, :] = new_row
        distances[:, s] = new_row
        distances[t, :] = np.inf
        distances[:, t] = np.inf
        size[s] += size[t]
        cluster_id[s] = n + step
    return Z


def cut_tree(Z, n_clusters: int) -> np.ndarray:
    """Flat labels from a linkage matrix: undo the last n_clusters - 1 merges.

    Labels are numbered 0, 1, ... in order of each cluster's first point, so the same partition
    always gets the same numbers.
    """
    Z = np.asarray(Z)
    n = Z.shape[0] + 1
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int | np.integer) or not 1 <= n_clusters <= n:
        raise ValueError(f"n_clusters must be an integer between 1 and {n}, got {n_clusters!r}")
    # Union-find over the first n - n_clusters merges.
    parent = np.arange(2 * n - 1)

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for step in range(n - n_clusters):
        a, b = int(Z[step, 0]), int(Z[step, 1])
        parent[root(a)] = n + step
        parent[root(b)] = n + step
    roots = np.array([root(i) for i in range(n)])
    _, first_seen, labels = np.unique(roots, return_index=True, return_inverse=True)
    # np.unique numbers roots by value; renumber by the first point of each cluster instead.
    rank = np.empty(len(first_seen), np.int64)
    rank[np.argsort(first_seen)] = np.arange(len(first_seen))
    return rank[labels].astype(np.int64)


def agglomerative(X, n_clusters: int | None = None, linkage: str = "average") -> AgglomerativeResult:
    """Hierarchical clustering of X (n, d): the full merge tree `Z` and, given n_clusters, flat labels.

    linkage: "single" | "complete" | "average" | "ward" (see the module docstring). Euclidean
    distances. `Z` has SciPy's linkage-matrix format, so `dlcourse.cluster.dendrogram(Z)` (or
    SciPy's) can draw it. Deterministic: no randomness involved.
    """
    Z = linkage_matrix(X, linkage)
    labels = None if n_clusters is None else cut_tree(Z, n_clusters)
    return AgglomerativeResult(Z=Z, labels=labels, linkage=linkage)
