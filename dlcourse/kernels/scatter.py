"""Scatter-add: the backward of indexing with an integer array, `out[index[i]] += values[i]`.

Repeated indices must *accumulate* (if row 3 was picked twice, it gets both gradients), which is
why `out[index] += values` is wrong and NumPy needs the slower `np.add.at`.
"""

from __future__ import annotations

import numpy as np

from dlcourse.backend import kernel


def scatter_add_rows_numpy(out, index, values):
    """out[index[i], ...] += values[i, ...] for every i; out (R, D), index (N,), values (N, D)."""
    np.add.at(out, index, values)
    return out


@kernel(reference=scatter_add_rows_numpy)
def scatter_add_rows(out, index, values):
    """out[index[i], ...] += values[i, ...] for every i; out (R, D), index (N,), values (N, D)."""
    n_rows = out.shape[0]
    for i in range(index.shape[0]):
        row = index[i]
        if row < 0:  # negative indices count from the end, as in NumPy
            row += n_rows
        for j in range(values.shape[1]):
            out[row, j] += values[i, j]
    return out


def warmup_examples():
    for dtype in (np.float32, np.float64):
        yield scatter_add_rows, (np.zeros((3, 2), dtype), np.array([0, 2, 0]), np.ones((3, 2), dtype))
