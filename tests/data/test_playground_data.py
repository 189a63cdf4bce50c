"""The playground's data sets: shapes, ranges, labels that mean what they say, determinism, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.data import playground_data, playground_features
from dlcourse.data.playground import CLASSIFICATION, DATASETS, FEATURES, REGRESSION, playground_target


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_dtypes_range_and_split(name):
    X_train, y_train, X_test, y_test = playground_data(name, n=200, noise=0.1, train_fraction=0.3, seed=1)
    assert X_train.shape == (60, 2) and X_test.shape == (140, 2)
    assert y_train.shape == (60, 1) and y_test.shape == (140, 1)
    assert X_train.dtype == y_train.dtype == np.float32
    X = np.concatenate([X_train, X_test])
    assert np.all(np.abs(X) <= 6.0)
    if name in CLASSIFICATION:
        y = np.concatenate([y_train, y_test])[:, 0]
        assert set(np.unique(y)) == {0.0, 1.0} and 0.4 < y.mean() < 0.6  # balanced classes


@pytest.mark.parametrize("name", DATASETS)
def test_the_same_seed_gives_the_same_points_and_another_seed_others(name):
    first = playground_data(name, seed=3)
    again = playground_data(name, seed=3)
    other = playground_data(name, seed=4)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_labels_follow_the_shape_of_each_data_set_without_noise():
    X, y, _, _ = playground_data("circle", n=400, train_fraction=0.99)
    radius = np.hypot(*X.T)
    assert np.all(radius[y[:, 0] == 1] <= 2.5) and np.all(radius[y[:, 0] == 0] >= 3.5)
    X, y, _, _ = playground_data("xor", n=400, train_fraction=0.99)
    np.testing.assert_array_equal(y[:, 0] == 1, X[:, 0] * X[:, 1] > 0)
    X, y, _, _ = playground_data("gauss", n=400, train_fraction=0.99)
    assert np.mean((X.sum(axis=1) > 0) == (y[:, 0] == 1)) > 0.99
    X, y, _, _ = playground_data("plane", n=400, train_fraction=0.99)
    np.testing.assert_allclose(y[:, 0], playground_target("plane", X), atol=1e-6)


def test_noise_blurs_the_classes():
    clean = playground_data("circle", n=400, noise=0.0, train_fraction=0.99)
    noisy = playground_data("circle", n=400, noise=0.5, train_fraction=0.99)

    def separated(X, y):  # fraction of points on the right side of radius 3
        return np.mean((np.hypot(*X.T) < 3) == (y[:, 0] == 1))

    assert separated(*clean[:2]) == 1.0 and separated(*noisy[:2]) < 0.85


def test_features_are_the_printed_formulas():
    X = np.random.default_rng(0).uniform(-6, 6, size=(50, 2)).astype(np.float32)
    F = playground_features(X, list(FEATURES))
    assert F.shape == (50, 7) and F.dtype == np.float32
    for column, (_label, code, _function) in zip(F.T, FEATURES.values()):
        expected = eval(code, {"np": np, "X": X.astype(np.float64)})  # noqa: S307 - our own formula strings
        np.testing.assert_array_equal(column, expected.astype(np.float32))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: playground_data("moons"), "unknown playground data set 'moons'"),
        (lambda: playground_data("xor", noise=0.9), "noise must be between 0 and 0.5"),
        (lambda: playground_data("xor", train_fraction=1.0), "train_fraction"),
        (lambda: playground_data("xor", n=3), "n must be an integer >= 4"),
        (lambda: playground_features(np.zeros((3, 2)), []), "at least one input feature"),
        (lambda: playground_features(np.zeros((3, 2)), ["x3"]), "unknown feature"),
        (lambda: playground_features(np.zeros((3, 3)), ["x1"]), "shape \\(n, 2\\)"),
        (lambda: playground_target("xor", np.zeros((3, 2))), "classification set"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_regression_sets_are_listed():
    assert set(REGRESSION) == {"plane", "surface"}
