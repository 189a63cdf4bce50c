"""k-means (with its Numba assignment kernel) and agglomerative clustering with the dendrogram."""

import matplotlib.pyplot as plt  # the Agg backend is chosen in tests/conftest.py
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlcourse.backend import get_backend, set_backend
from dlcourse.cluster import agglomerative, cut_tree, dendrogram, kmeans, linkage_matrix
from dlcourse.data import blobs
from dlcourse.kernels.kmeans import kmeans_assign

PLANTED = [[0.0, 0.0], [12.0, 0.0], [0.0, 12.0]]


def _matched_fraction(labels, truth):
    """Fraction of points whose cluster maps to their true class under a one-to-one relabelling."""
    k = max(labels.max(), truth.max()) + 1
    table = np.zeros((k, k), dtype=np.int64)
    np.add.at(table, (labels, truth), 1)
    # Each found cluster must be pure and the map one-to-one: check the greedy maximum is a permutation.
    best = table.argmax(axis=1)
    assert len(set(best[np.unique(labels)].tolist())) == len(np.unique(labels)), "two clusters map to one class"
    return table.max(axis=1).sum() / len(labels)


@pytest.fixture
def backend():
    """Restore the backend after a test that switches it."""
    previous = get_backend()
    yield set_backend
    set_backend(previous)


# ---------------------------------------------------------------- the assignment kernel


def _reference_sq_dist(X, centers):
    X64, C64 = X.astype(np.float64), centers.astype(np.float64)
    return ((X64[:, None, :] - C64[None, :, :]) ** 2).sum(axis=2)  # (n, k)


@st.composite
def points_and_centers(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n, k, d = draw(st.integers(1, 40)), draw(st.integers(1, 7)), draw(st.integers(1, 9))
    elements = st.floats(-100, 100, width=32, allow_nan=False, allow_infinity=False)
    # Twice as wide, then every other column: a non-contiguous view, as `X[:, ::2]` would give.
    wide = draw(hnp.arrays(dtype, (n, 2 * d), elements=elements))
    centers = draw(hnp.arrays(dtype, (k, d), elements=elements))
    contiguous = draw(st.booleans())
    X = np.ascontiguousarray(wide[:, ::2]) if contiguous else wide[:, ::2]
    return X, centers


@given(points_and_centers())
def test_assign_kernel_numba_matches_numpy(case):
    X, centers = case
    labels_fast, dist_fast = kmeans_assign.accelerated(X, centers)
    labels_ref, dist_ref = kmeans_assign.reference(X, centers)
    assert labels_fast.dtype == labels_ref.dtype == np.int64
    assert dist_fast.dtype == dist_ref.dtype == X.dtype
    exact = _reference_sq_dist(X, centers)
    tol = 1e-5 if X.dtype == np.float32 else 1e-11
    scale = exact.max() + 1.0
    np.testing.assert_allclose(dist_fast, dist_ref, rtol=tol, atol=tol * scale)
    np.testing.assert_allclose(dist_fast, exact.min(axis=1), rtol=tol, atol=tol * scale)
    # Labels may differ only on (near-)ties: both picks must be an optimal centre.
    for labels in (labels_fast, labels_ref):
        chosen = exact[np.arange(len(X)), labels]
        assert np.all(chosen <= exact.min(axis=1) + tol * scale)
    clear = np.sort(exact, axis=1)[:, 1] - exact.min(axis=1) > 10 * tol * scale if centers.shape[0] > 1 else True
    np.testing.assert_array_equal(labels_fast[clear], labels_ref[clear])


def test_assign_kernel_ties_go_to_the_first_centre():
    X = np.array([[0.0, 0.0], [2.0, 0.0]])
    centers = np.array([[1.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    for run in (kmeans_assign.accelerated, kmeans_assign.reference):
        labels, dist = run(X, centers)
        assert labels.tolist() == [0, 0] and dist.tolist() == [1.0, 1.0]


# ---------------------------------------------------------------- k-means


@pytest.mark.parametrize("name", ["numba", "numpy"])
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_recovers_planted_blobs(backend, name, init):
    backend(name)
    X, truth = blobs(n=300, centers=PLANTED, std=1.0, seed=0)
    result = kmeans(X, 3, seed=0, init=init)
    assert result.centers.shape == (3, 2) and result.labels.shape == (300,)
    assert result.labels.dtype == np.int64 and result.centers.dtype == np.float32
    assert _matched_fraction(result.labels, truth) == 1.0
    for j in range(3):  # each centre is its cluster's mean, and close to a planted centre
        np.testing.assert_allclose(result.centers[j], X[result.labels == j].mean(axis=0), rtol=1e-5, atol=1e-5)
        assert np.min(np.linalg.norm(np.array(PLANTED) - result.centers[j], axis=1)) < 0.5
    expected_inertia = ((X - result.centers[result.labels]) ** 2).sum()
    assert result.inertia == pytest.approx(expected_inertia, rel=1e-5)


@pytest.mark.parametrize("seed", range(5))
def test_kmeans_inertia_never_increases_along_history(seed):
    X, _ = blobs(n=400, centers=6, std=1.5, seed=seed)
    result = kmeans(X, 6, seed=seed, init="random")
    assert len(result.history) == result.n_iter + 1 == len(result.inertia_history)
    assert result.n_iter >= 2, "a random start should need a few steps (the history is worth animating)"
    recomputed = []
    for centers, labels in result.history:
        assert centers.shape == (6, 2) and labels.shape == (400,)
        recomputed.append(float(((X.astype(np.float64) - centers[labels]) ** 2).sum()))
    np.testing.assert_allclose(recomputed, result.inertia_history, rtol=1e-5)
    assert np.all(np.diff(recomputed) <= 1e-5 * recomputed[0])
    np.testing.assert_array_equal(result.history[-1][1], result.labels)
    assert not np.array_equal(result.history[0][0], result.history[-1][0]), "history records moving centres"


def test_kmeans_is_deterministic_and_same_on_both_backends(backend):
    X, _ = blobs(n=200, centers=4, seed=1)
    first = kmeans(X, 4, seed=3)
    np.testing.assert_array_equal(first.labels, kmeans(X, 4, seed=3).labels)
    backend("numpy")
    on_numpy = kmeans(X, 4, seed=3)
    np.testing.assert_array_equal(first.labels, on_numpy.labels)
    np.testing.assert_allclose(first.centers, on_numpy.centers, rtol=1e-5)


def test_kmeans_explicit_init_empty_cluster_and_predict():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    # The third centre starts far from everything: it gets no points and must be repaired.
    result = kmeans(X, 3, init=np.array([[0.0, 0.5], [10.0, 0.5], [100.0, 100.0]]))
    # It jumps to the first worst-served point, (0, 0), which then forms a cluster on its own.
    assert len(np.unique(result.labels)) == 3
    np.testing.assert_allclose(result.centers, [[0.0, 1.0], [10.0, 0.5], [0.0, 0.0]])
    assert result.inertia == pytest.approx(0.5)
    new_points = np.array([[0.1, 0.1], [0.1, 0.9], [9.0, 1.0]])
    assert result.predict(new_points).tolist() == [2, 0, 1]
    two = kmeans(X, 2, init=np.array([[0.0, 0.5], [10.0, 0.5]]))
    assert two.n_iter == 1 and two.inertia == pytest.approx(1.0)
    assert two.predict([[1.0, 1.0], [9.0, 0.0]]).tolist() == [0, 1]


def test_kmeans_errors_are_clear():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="k must be"):
        kmeans(X, 6)
    with pytest.raises(ValueError, match=r"shape \(n_points, n_features\)"):
        kmeans(np.zeros(5), 2)
    with pytest.raises(ValueError, match="NaN"):
        kmeans(np.array([[0.0, np.nan], [1.0, 1.0]]), 1)
    with pytest.raises(ValueError, match="init"):
        kmeans(X, 2, init="best")
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        kmeans(X, 2, init=np.zeros((3, 2)))


def test_kmeans_on_digits_finds_digit_structure():
    from dlcourse.data import digits

    images, labels = digits()
    result = kmeans(images.reshape(len(images), -1), 10, seed=0)  # (1797, 64)
    purity = sum(np.bincount(labels[result.labels == j]).max() for j in range(10)) / len(labels)
    assert purity > 0.7


# ---------------------------------------------------------------- agglomerative


@pytest.mark.parametrize("linkage", ["single", "complete", "average", "ward"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linkage_matches_scipy(linkage, seed):
    hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    X = np.random.default_rng(seed).normal(size=(25 + seed, 3))
    Z = linkage_matrix(X, linkage)
    Z_scipy = hierarchy.linkage(X, method=linkage)
    np.testing.assert_allclose(Z[:, 2], Z_scipy[:, 2], rtol=1e-10)  # merge heights
    np.testing.assert_array_equal(Z[:, 3], Z_scipy[:, 3])  # cluster sizes
    np.testing.assert_array_equal(Z[:, :2], Z_scipy[:, :2])  # which clusters merge
    for k in (2, 4):
        ours = cut_tree(Z, k)
        theirs = hierarchy.fcluster(Z_scipy, t=k, criterion="maxclust")
        assert _same_partition(ours, theirs)
    assert hierarchy.dendrogram(Z_scipy, no_plot=True)["leaves"] == dendrogram(Z, ax=plt.figure().gca())["leaves"]
    plt.close("all")


def _same_partition(a, b):
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("linkage", ["single", "complete", "average", "ward"])
def test_agglomerative_recovers_planted_blobs(linkage):
    X, truth = blobs(n=150, centers=PLANTED, std=1.0, seed=4)
    result = agglomerative(X, n_clusters=3, linkage=linkage)
    assert result.Z.shape == (149, 4) and result.labels.dtype == np.int64
    assert _matched_fraction(result.labels, truth) == 1.0
    assert result.labels[0] == 0, "labels are numbered by first appearance"
    assert np.all(np.diff(result.Z[:, 2]) >= 0), "merge heights grow for these linkages"
    assert result.cut(1).tolist() == [0] * 150
    assert len(np.unique(result.cut(150))) == 150


def test_agglomerative_errors_and_no_labels_without_n_clusters():
    X = np.random.default_rng(0).normal(size=(6, 2))
    assert agglomerative(X).labels is None
    with pytest.raises(ValueError, match="linkage must be one of"):
        agglomerative(X, linkage="centroid")
    with pytest.raises(ValueError, match="n_clusters"):
        agglomerative(X, n_clusters=7)
    with pytest.raises(ValueError, match="at least 2 points"):
        agglomerative(X[:1])


def test_dendrogram_draws_one_link_per_merge():
    X = np.array([[0.0], [1.0], [5.0], [5.5]])
    Z = linkage_matrix(X, "single")
    fig, ax = plt.subplots()
    out = dendrogram(Z, ax=ax, labels=["a", "b", "c", "d"], cut_height=2.0)
    assert len(out["links"]) == 3
    # Merges: {c, d} at 0.5 (cluster 4), {a, b} at 1 (cluster 5), then 4 with 5; the lower id goes left.
    assert out["leaves"] == [2, 3, 0, 1]
    tops = sorted(link[1, 1] for link in out["links"])
    np.testing.assert_allclose(tops, [0.5, 1.0, 4.0])
    root = out["links"][-1]
    assert root[1, 1] == root[2, 1] == 4.0  # the bar at the merge height
    assert (root[0, 1], root[3, 1]) == (0.5, 1.0)  # legs start at the subtrees' own heights
    assert (root[0, 0], root[3, 0]) == (0.5, 2.5)  # above the middle of each subtree's leaves
    assert [t.get_text() for t in ax.get_xticklabels()] == ["c", "d", "a", "b"]
    assert ax.get_ylim()[1] >= 4.0
    assert any(line.get_linestyle() == "--" for line in ax.get_lines())
    plt.close(fig)
    with pytest.raises(ValueError, match="labels has 2 entries"):
        dendrogram(Z, labels=["a", "b"])
    plt.close("all")
