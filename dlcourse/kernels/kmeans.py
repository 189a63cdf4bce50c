"""k-means assignment step: every point goes to its nearest centre (squared Euclidean distance).

    label[i]    = argmin_j ||X[i] - centers[j]||²
    sq_dist[i]  =  min_j   ||X[i] - centers[j]||²

The NumPy version builds all n·k·d differences at once, an (n, k, d) temporary; the loop version
needs no temporary at all, which is why this step is compiled (it runs once per iteration, and
k-means++ initialisation calls it k times) — from LARGE point-centre pairs on: below that the temporary is
small and NumPy's 40 µs (300 points, 3 centres) never pay for loading Numba (≈ 125 MiB, 0.3–1 s).
"""

from __future__ import annotations

import numpy as np

from dlcourse.backend import kernel

LARGE = 100_000  # point-centre pairs (n·k) from which the compiled loops run


def _large(X, centers):
    return X.shape[0] * centers.shape[0] >= LARGE


def kmeans_assign_numpy(X, centers):
    """labels[i] = argmin_j ||X[i] - centers[j]||², sq_dist[i] = that minimum; X (n, d), centers (k, d)."""
    diff = X[:, None, :] - centers[None, :, :]  # (n, k, d): every point minus every centre
    sq_dist_all = np.einsum("nkd,nkd->nk", diff, diff)  # (n, k) squared distances
    labels = np.argmin(sq_dist_all, axis=1)  # ties go to the lowest centre index
    sq_dist = sq_dist_all[np.arange(X.shape[0]), labels]  # (n,)
    return labels.astype(np.int64), sq_dist.astype(X.dtype)


@kernel(reference=kmeans_assign_numpy, worth_compiling=_large)
def kmeans_assign(X, centers):
    """labels[i] = argmin_j ||X[i] - centers[j]||², sq_dist[i] = that minimum; X (n, d), centers (k, d)."""
    n, d = X.shape
    k = centers.shape[0]
    labels = np.empty(n, np.int64)
    sq_dist = np.empty(n, X.dtype)
    for i in range(n):
        best_label = 0
        best = np.inf
        for j in range(k):
            total = 0.0  # accumulate in float64 even for float32 inputs
            for f in range(d):
                delta = X[i, f] - centers[j, f]
                total += delta * delta
            if total < best:  # strict: ties go to the lowest centre index, as np.argmin
                best = total
                best_label = j
        labels[i] = best_label
        sq_dist[i] = best
    return labels, sq_dist


def warmup_examples():
    for dtype in (np.float32, np.float64):
        yield kmeans_assign, (np.zeros((4, 2), dtype), np.ones((2, 2), dtype))
