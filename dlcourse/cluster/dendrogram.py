"""Draw the merge tree of hierarchical clustering as a dendrogram, with matplotlib only.

Each merge in the linkage matrix Z becomes a "⊓": two vertical legs rising from the merged
clusters up to the merge distance, joined by a horizontal bar. Cutting the tree with a horizontal
line at height h leaves as many clusters as the line crosses legs.
"""

from __future__ import annotations

import numpy as np


def dendrogram_layout(Z):
    """Where to draw everything: the left-to-right leaf order and one (4, 2) polyline per merge.

    Leaves sit at x = 0, 1, ..., n-1 (in tree order: Z[i, 0]'s side left of Z[i, 1]'s, as in
    SciPy) at height 0; a merged cluster sits midway between its two children, at its merge height.
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[1] != 4:
        raise ValueError(f"Z must be a linkage matrix of shape (n - 1, 4), got shape {Z.shape}")
    n = Z.shape[0] + 1

    # Leaf order: walk the tree depth-first from the root (id 2n - 2), left child first.
    # An explicit stack instead of recursion: a chain-like tree of 500 points is 499 levels deep.
    leaves = []
    stack = [2 * n - 2]
    while stack:
        node = stack.pop()
        if node < n:
            leaves.append(node)
        else:
            row = node - n
            stack.append(int(Z[row, 1]))  # pushed first, so visited after the left child
            stack.append(int(Z[row, 0]))

    x = np.empty(2 * n - 1)
    height = np.zeros(2 * n - 1)
    x[leaves] = np.arange(n)
    links = []
    for row in range(n - 1):  # children always have smaller ids than the cluster they form
        left, right, merge_height = int(Z[row, 0]), int(Z[row, 1]), Z[row, 2]
        x[n + row] = (x[left] + x[right]) / 2
        height[n + row] = merge_height
        links.append(
            np.array(
                [
                    (x[left], height[left]),  # up the left leg
                    (x[left], merge_height),
                    (x[right], merge_height),  # across
                    (x[right], height[right]),  # down the right leg
                ]
            )
        )
    return leaves, links


def dendrogram(Z, ax=None, labels=None, cut_height=None, color="C0"):
    """Draw the merge tree Z (SciPy linkage format, e.g. `agglomerative(X).Z`) on `ax`.

    `labels` names the points (default: their indices, shown when there are at most 60 points);
    `cut_height` draws a dashed horizontal line where the tree would be cut into flat clusters.
    Returns {"leaves": leaf order left to right, "links": one (4, 2) polyline per merge, "ax": ax}.
    """
    import matplotlib.pyplot as plt  # here, so importing dlcourse.cluster does not load matplotlib
    from matplotlib.collections import LineCollection

    leaves, links = dendrogram_layout(Z)
    n = len(leaves)
    if labels is not None and len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries but the tree has {n} points")
    if ax is None:
        ax = plt.gca()

    ax.add_collection(LineCollection(links, colors=color, linewidths=1.2))
    top = max(float(np.max(np.asarray(Z)[:, 2])), 1e-12)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(0, top * 1.05)
    if labels is not None or n <= 60:
        names = [str(labels[i]) if labels is not None else str(i) for i in leaves]
        ax.set_xticks(np.arange(n), names, rotation=90 if n > 20 else 0, fontsize=8 if n > 20 else None)
    else:
        ax.set_xticks([])
    if cut_height is not None:
        ax.axhline(cut_height, color="C3", linestyle="--", linewidth=1)
    ax.set_ylabel("merge distance")
    return {"leaves": leaves, "links": links, "ax": ax}
