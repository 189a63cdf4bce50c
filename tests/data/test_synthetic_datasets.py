"""The made-up datasets: shapes, dtypes, determinism per seed, and the properties chapters rely on."""

import numpy as np
import pytest

from dlcourse import data

CLASSIFICATION = {
    "xor": lambda seed: data.xor(n=40, noise=0.1, seed=seed),
    "and_": lambda seed: data.and_(n=40, noise=0.1, seed=seed),
    "or_": lambda seed: data.or_(n=40, noise=0.1, seed=seed),
    "blobs": lambda seed: data.blobs(n=90, centers=3, seed=seed),
    "moons": lambda seed: data.moons(n=50, seed=seed),
    "circles": lambda seed: data.circles(n=50, seed=seed),
    "spirals": lambda seed: data.spirals(n=60, classes=3, seed=seed),
    "apples_oranges": lambda seed: data.apples_oranges(n=40, seed=seed),
}
REGRESSION = {
    "sine": lambda seed: data.sine(n=30, seed=seed),
    "polynomial": lambda seed: data.polynomial(n=30, degree=3, seed=seed),
}


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_sets_shapes_dtypes_and_determinism(name):
    make = CLASSIFICATION[name]
    X, y = make(0)
    assert X.dtype == np.float32 and X.ndim == 2 and X.shape[1] == 2
    assert y.dtype == np.int64 and y.shape == (X.shape[0],)
    assert np.all(np.isfinite(X))
    X_again, y_again = make(0)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    X_other, _ = make(1)
    assert not np.array_equal(X, X_other), "a different seed must give different points"


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_sets_shapes_dtypes_and_determinism(name):
    make = REGRESSION[name]
    X, y = make(0)
    assert X.shape == (30, 1) and y.shape == (30, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert np.all(np.diff(X[:, 0]) >= 0), "x is sorted so plots draw a curve"
    X_again, y_again = make(0)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(y, make(1)[1])


def test_xor_truth_table_is_exact_by_default():
    X, y = data.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    np.testing.assert_array_equal(data.and_()[1], [0, 0, 0, 1])
    np.testing.assert_array_equal(data.or_()[1], [0, 1, 1, 1])


@pytest.mark.parametrize(
    "gate, rule", [(data.xor, np.logical_xor), (data.and_, np.logical_and), (data.or_, np.logical_or)]
)
def test_noisy_gate_labels_follow_the_nearest_corner(gate, rule):
    X, y = gate(n=200, noise=0.1, seed=3)
    corner = np.round(X).clip(0, 1).astype(bool)  # noise 0.1: every point stays nearest its corner
    np.testing.assert_array_equal(y, rule(corner[:, 0], corner[:, 1]).astype(np.int64))
    corner_index = 2 * corner[:, 0].astype(np.int64) + corner[:, 1]
    assert np.bincount(corner_index, minlength=4).tolist() == [50, 50, 50, 50], "equally many points per corner"


def test_xor_clouds_are_noisy_by_default():
    X, _ = data.xor(n=100, seed=0)
    assert np.std(X - np.round(X)) > 0.02


def test_blobs_planted_centers_and_balance():
    X, y, centers = data.blobs(n=301, centers=[[0, 0], [10, 0], [0, 10]], std=0.5, seed=2, return_centers=True)
    assert centers.shape == (3, 2)
    assert sorted(np.bincount(y)) == [100, 100, 101]
    for label in range(3):
        np.testing.assert_allclose(X[y == label].mean(axis=0), centers[label], atol=0.2)
    _, _, box_centers = data.blobs(n=30, centers=4, seed=0, centers_box=(-6, 6), return_centers=True)
    assert box_centers.shape == (4, 2) and np.all(np.abs(box_centers) <= 6)


def test_moons_and_circles_geometry():
    X, y = data.moons(n=200, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    X, y = data.circles(n=200, noise=0.0, factor=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, atol=1e-6)
    with pytest.raises(ValueError, match="factor"):
        data.circles(factor=1.5)


def test_spirals_classes_and_radius():
    X, y = data.spirals(n=300, classes=3, noise=0.0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.max(np.hypot(X[:, 0], X[:, 1])) <= 1.0 + 1e-6


def _perceptron_accuracy(X, y, epochs=200):
    """Train a plain perceptron (1 if w·x + b >= 0) and return its best training accuracy."""
    w, b = np.zeros(X.shape[1]), 0.0
    best = 0.0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            error = y_i - (x_i @ w + b >= 0)
            w, b = w + 0.1 * error * x_i, b + 0.1 * error
        best = max(best, np.mean((X @ w + b >= 0) == y))
        if best == 1.0:
            break
    return best


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_apples_oranges_linearly_separable_and_seed_perceptron_mostly_right(seed):
    X, y = data.apples_oranges(n=40, seed=seed)
    assert np.bincount(y).tolist() == [20, 20]
    assert X.min() >= 0.05 and X.max() <= 2.0
    assert _perceptron_accuracy(X.astype(np.float64), y) == 1.0, "the fruit must be linearly separable"
    seed_guess = (0.5 * X[:, 0] + 0.8 * X[:, 1] - 1.0 >= 0).astype(np.int64)
    assert np.mean(seed_guess == y) >= 0.85
    orange_mean, apple_mean = X[y == 1].mean(axis=0), X[y == 0].mean(axis=0)
    assert np.all(orange_mean > apple_mean), "oranges are heavier and bigger in this orchard"


def test_perceptron_helper_can_fail_on_xor():
    X, y = data.xor()
    assert _perceptron_accuracy(X.astype(np.float64), y) < 1.0


def test_polynomial_coefficients_explain_the_targets():
    X, y, coef = data.polynomial(n=200, degree=2, noise=0.0, seed=5, return_coef=True)
    np.testing.assert_allclose(y[:, 0], np.polyval(coef[::-1], X[:, 0]), rtol=1e-5, atol=1e-5)
    X, y = data.sine(n=50, noise=0.0)
    np.testing.assert_allclose(y, np.sin(X), atol=1e-6)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_sizes_raise_clear_errors(bad):
    with pytest.raises(ValueError, match="n must be"):
        data.moons(n=bad)


def test_negative_noise_raises():
    with pytest.raises(ValueError, match="noise"):
        data.moons(noise=-0.1)


def test_mystery_blobs_hide_3_to_7_well_separated_blobs():
    from dlcourse.data.synthetic import _hidden_blob_centres

    counts = set()
    for seed in range(60):
        centres = _hidden_blob_centres(seed)
        counts.add(len(centres))
        gaps = [np.hypot(*(a - b)) for i, a in enumerate(centres) for b in centres[i + 1 :]]
        assert 3 <= len(centres) <= 7 and min(gaps) >= 5.0 and np.abs(centres).max() <= 7.0
    assert counts == {3, 4, 5, 6, 7}
    X = data.mystery_blobs(n=120, seed=3)
    assert isinstance(X, np.ndarray) and X.shape == (120, 2)  # the points only: the count is the puzzle
    np.testing.assert_array_equal(X, data.mystery_blobs(n=120, seed=3))
    assert not np.array_equal(X, data.mystery_blobs(n=120, seed=4))


def test_mystery_blobs_have_a_clear_elbow():
    """Inertia (best of 10 k-means starts) drops at least 2× into the true k, less than 1.2× after it."""
    from dlcourse.cluster import kmeans
    from dlcourse.data.synthetic import _hidden_blob_centres

    for seed in range(0, 400, 20):
        k = len(_hidden_blob_centres(seed))
        X = data.mystery_blobs(seed=seed)
        inertia = [min(kmeans(X, j, seed=s).inertia for s in range(10)) for j in range(1, k + 3)]
        drops = [before / after for before, after in zip(inertia, inertia[1:])]  # drops[j - 1]: from j to j + 1
        assert drops[k - 2] >= 2.0 and all(d > 1.2 for d in drops[: k - 1]) and all(d < 1.2 for d in drops[k - 1 :])
