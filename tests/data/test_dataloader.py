"""DataLoader, train_test_split and standardize."""

import time

import numpy as np
import pytest

from dlcourse import data
from dlcourse.tensor import Tensor


def _rows_seen(loader):
    """The first-feature values of every sample one epoch yields, in order (X[:, 0] = sample index)."""
    return np.concatenate([xb.data[:, 0] for xb, _ in loader]).astype(np.int64)


def _indexed(n, features=3):
    X = np.repeat(np.arange(n, dtype=np.float32)[:, None], features, axis=1)  # row i is all i's
    y = np.arange(n, dtype=np.int64)
    return X, y


def test_batches_are_tensors_keeping_dtypes_and_pairing_rows():
    X, y = _indexed(10)
    batches = list(data.DataLoader(X, y, batch_size=4))
    assert [len(xb.data) for xb, _ in batches] == [4, 4, 2]
    for xb, yb in batches:
        assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
        assert xb.data.dtype == np.float32 and yb.data.dtype == np.int64
        np.testing.assert_array_equal(xb.data[:, 0], yb.data)  # x and y of a sample stay together
    np.testing.assert_array_equal(_rows_seen(data.DataLoader(X, y, batch_size=4)), np.arange(10))


@pytest.mark.parametrize(
    "n, batch_size, drop_last, expected",
    [(10, 4, False, 3), (10, 4, True, 2), (8, 4, True, 2), (3, 5, False, 1), (3, 5, True, 0)],
)
def test_len_counts_batches(n, batch_size, drop_last, expected):
    X, y = _indexed(n)
    loader = data.DataLoader(X, y, batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_drop_last_drops_only_the_short_batch():
    X, y = _indexed(10)
    batches = list(data.DataLoader(X, y, batch_size=4, shuffle=True, drop_last=True))
    assert [len(yb.data) for _, yb in batches] == [4, 4]
    seen = np.concatenate([yb.data for _, yb in batches])
    assert len(np.unique(seen)) == 8


def test_shuffle_covers_every_sample_once_and_changes_order_per_epoch():
    X, y = _indexed(103)
    loader = data.DataLoader(X, y, batch_size=16, shuffle=True, seed=7)
    epochs = [_rows_seen(loader) for _ in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(103))  # each sample exactly once
    assert not np.array_equal(epochs[0], np.arange(103)), "shuffle=True must shuffle"
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    # A fresh loader with the same seed replays the same sequence of epochs; another seed does not.
    replay = data.DataLoader(X, y, batch_size=16, shuffle=True, seed=7)
    for order in epochs:
        np.testing.assert_array_equal(_rows_seen(replay), order)
    assert not np.array_equal(_rows_seen(data.DataLoader(X, y, batch_size=16, shuffle=True, seed=8)), epochs[0])


def test_no_shuffle_keeps_order_every_epoch_and_batches_are_copies():
    X, y = _indexed(9)
    loader = data.DataLoader(X, y, batch_size=4)
    for _ in range(2):
        np.testing.assert_array_equal(_rows_seen(loader), np.arange(9))
    xb, _ = next(iter(loader))
    xb.data[:] = -5
    assert X.min() == 0, "changing a batch must not change the dataset"


def test_x_only_loader_yields_single_tensors():
    X, _ = _indexed(5)
    batches = list(data.DataLoader(X, batch_size=2))
    assert all(isinstance(xb, Tensor) for xb in batches)
    assert [xb.data.shape for xb in batches] == [(2, 3), (2, 3), (1, 3)]


def test_loader_errors_are_clear():
    X, y = _indexed(5)
    with pytest.raises(ValueError, match=r"same number of samples.*\(5, 3\).*\(4,\)"):
        data.DataLoader(X, y[:4])
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(X, y, batch_size=0)


def test_epoch_over_digits_is_fast():
    X_train, _, y_train, _ = data.digits(return_split=True)
    loader = data.DataLoader(X_train.reshape(len(X_train), -1), y_train, batch_size=32, shuffle=True)
    for _ in loader:  # warm-up (imports, first allocation)
        pass
    start = time.perf_counter()
    epochs = 5
    for _ in range(epochs):
        for _xb, _yb in loader:
            pass
    per_batch = (time.perf_counter() - start) / (epochs * len(loader))
    assert len(loader) == 45
    assert per_batch < 2e-4, f"{per_batch * 1e6:.0f} µs per batch"


def test_train_test_split_same_rows_for_every_array():
    X, y = _indexed(50)
    names = np.array([f"s{i}" for i in range(50)])
    X_train, X_test, y_train, y_test, n_train, n_test = data.train_test_split(X, y, names, test_size=0.2, seed=3)
    assert len(X_test) == 10 and len(X_train) == 40
    np.testing.assert_array_equal(X_train[:, 0].astype(np.int64), y_train)
    np.testing.assert_array_equal([f"s{i}" for i in y_test], n_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(50))
    again = data.train_test_split(X, y, test_size=0.2, seed=3)
    np.testing.assert_array_equal(again[3], y_test)
    assert not np.array_equal(data.train_test_split(X, y, test_size=0.2, seed=4)[3], y_test)
    assert len(data.train_test_split(X, y, test_size=7)[1]) == 7


def test_train_test_split_stratify_keeps_proportions():
    labels = np.array([0] * 70 + [1] * 20 + [2] * 10)
    X = np.arange(100, dtype=np.float32)[:, None]
    _, _, y_train, y_test = data.train_test_split(X, labels, test_size=0.3, seed=0, stratify=labels)
    assert np.bincount(y_test).tolist() == [21, 6, 3]
    assert np.bincount(y_train).tolist() == [49, 14, 7]
    assert not np.all(np.diff(y_test) >= 0), "the test part is shuffled, not sorted by class"
    _, _, _, y_test_plain = data.train_test_split(X, labels, test_size=0.3, seed=0)
    assert len(y_test_plain) == 30


def test_train_test_split_errors():
    X, y = _indexed(10)
    with pytest.raises(ValueError, match="same number of samples"):
        data.train_test_split(X, y[:9])
    with pytest.raises(ValueError, match="test_size"):
        data.train_test_split(X, y, test_size=10)
    with pytest.raises(TypeError):
        data.train_test_split()


def test_standardize_uses_training_statistics():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5.0, 3.0, size=(200, 4)).astype(np.float32)
    X_test = rng.normal(5.0, 3.0, size=(50, 4)).astype(np.float32)
    X_train[:, 3] = 2.0  # a constant feature must not become NaN
    Z_train, Z_test = data.standardize(X_train, X_test)
    assert Z_train.dtype == np.float32 and Z_test.dtype == np.float32
    np.testing.assert_allclose(Z_train[:, :3].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z_train[:, :3].std(axis=0), 1, atol=1e-5)
    assert np.all(Z_train[:, 3] == 0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    np.testing.assert_allclose(Z_test[:, :3], (X_test[:, :3] - mean[:3]) / std[:3], rtol=1e-5)
    np.testing.assert_allclose(data.standardize(X_train), Z_train)


def test_standardizer_round_trip_and_errors():
    X = np.arange(24, dtype=np.int64).reshape(6, 2, 2)
    scaler = data.Standardizer().fit(X)
    Z = scaler.transform(X)
    assert Z.dtype == np.float32 and Z.shape == (6, 2, 2)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, atol=1e-5)
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        scaler.transform(np.zeros((3, 4)))
    with pytest.raises(RuntimeError, match="fit"):
        data.Standardizer().transform(X)
