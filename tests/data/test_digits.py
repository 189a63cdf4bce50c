"""The shipped UCI digits: offline, the right size, the right values, the licence beside them."""

import gzip
import importlib
import socket
from importlib import resources

import numpy as np
import pytest

from dlcourse import data

# `dlcourse.data.digits` is the function (re-exported); the module is reached through importlib.
digits_module = importlib.import_module("dlcourse.data.digits")


def test_digits_loads_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("digits() tried to open a network connection")

    digits_module._load_digits_file.cache_clear()  # force a real read of the file inside the test
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    images, labels = data.digits()
    assert images.shape == (1797, 8, 8)
    assert labels.shape == (1797,)


def test_digits_values_and_labels():
    images, labels = data.digits()
    assert images.dtype == np.float32 and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    np.testing.assert_array_equal(np.unique(np.round(images * 16)), np.arange(17))  # values were 0..16
    counts = np.bincount(labels)
    assert counts.size == 10 and counts.min() >= 170 and counts.max() <= 190
    assert labels[:10].tolist() == list(range(10)), "the file starts 0, 1, ..., 9"


def test_digits_look_like_digits():
    images, labels = data.digits()
    mean_zero, mean_one = images[labels == 0].mean(axis=0), images[labels == 1].mean(axis=0)
    # A zero is a ring: its centre is darker (less ink) than its left/right middle; a one is the reverse.
    assert mean_zero[3:5, 3:5].mean() < mean_zero[3:5, [1, 6]].mean()
    assert mean_one[3:5, 3:5].mean() > mean_one[3:5, [1, 6]].mean()


def test_digits_returns_independent_copies():
    images, labels = data.digits()
    images[:] = -1
    labels[:] = 99
    images_again, labels_again = data.digits()
    assert images_again.min() == 0.0 and labels_again.max() == 9


def test_digits_split_is_stratified_and_deterministic():
    X_train, X_test, y_train, y_test = data.digits(return_split=True)
    assert X_train.shape == (1437, 8, 8) and X_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    _, labels = data.digits()
    ideal = 360 * np.bincount(labels) / 1797  # each digit's exact share of the test set
    test_counts = np.bincount(y_test, minlength=10)
    assert np.all((test_counts == np.floor(ideal)) | (test_counts == np.ceil(ideal)))
    np.testing.assert_array_equal(np.bincount(y_train) + test_counts, np.bincount(labels))
    again = data.digits(return_split=True)
    np.testing.assert_array_equal(again[3], y_test)
    other = data.digits(return_split=True, seed=1)
    assert not np.array_equal(other[3], y_test)


def test_shipped_file_is_small_and_licensed():
    package = resources.files("dlcourse.data")
    raw = package.joinpath("digits.csv.gz").read_bytes()
    assert len(raw) <= 100_000
    assert gzip.decompress(raw).count(b"\n") == 1797
    licence = package.joinpath("DIGITS_LICENSE.md").read_text(encoding="utf-8")
    for phrase in ("CC BY 4.0", "Alpaydin", "Kaynak", "UCI Machine Learning Repository", "10.24432/C50P49"):
        assert phrase in licence
    assert "CC BY 4.0" in data.digits.__doc__


@pytest.mark.parametrize("kwargs", [{"test_size": 0.0}, {"test_size": 1.5}])
def test_bad_split_size_is_a_clear_error(kwargs):
    with pytest.raises(ValueError, match="test_size"):
        data.digits(return_split=True, **kwargs)
