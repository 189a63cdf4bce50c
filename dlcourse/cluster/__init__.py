"""Clustering: finding groups in data without labels, the unsupervised contrast to classification.

from dlcourse.cluster import kmeans, agglomerative, dendrogram
result = kmeans(X, k=3, seed=0)          # result.centers, .labels, .inertia, .history
tree = agglomerative(X, n_clusters=3, linkage="ward")
dendrogram(tree.Z)
"""

from dlcourse.cluster.dendrogram import dendrogram, dendrogram_layout
from dlcourse.cluster.hierarchical import (
    LINKAGES,
    AgglomerativeResult,
    agglomerative,
    cut_tree,
    linkage_matrix,
)
from dlcourse.cluster.kmeans import KMeansResult, kmeans, kmeans_plus_plus

__all__ = [
    "LINKAGES",
    "AgglomerativeResult",
    "KMeansResult",
    "agglomerative",
    "cut_tree",
    "dendrogram",
    "dendrogram_layout",
    "kmeans",
    "kmeans_plus_plus",
    "linkage_matrix",
]
