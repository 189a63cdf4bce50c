"""Getting data into a model: `train_test_split`, `standardize`/`Standardizer` and `DataLoader`.

All three work on NumPy arrays whose first axis counts the samples. Randomness (which samples go
to the test set, the order of the batches) comes from `np.random.default_rng`, seeded.
"""

from __future__ import annotations

import math

import numpy as np


def _is_dataset(X) -> bool:
    """A PyTorch-style dataset (a `Dataset`, or a list of (x, y) samples) rather than an array X."""
    from dlcourse.utils.data import Dataset

    if isinstance(X, Dataset):
        return True
    return isinstance(X, (list, tuple)) and len(X) > 0 and isinstance(X[0], (tuple, list, dict)) and _ragged(X[0])


def _ragged(sample) -> bool:
    """True when the fields of one sample do not form one array (e.g. an image and a label)."""
    try:
        np.asarray(sample, dtype=float)
    except (ValueError, TypeError):
        return True
    return isinstance(sample, dict)


def _as_array(x, name):
    """Accept NumPy arrays, lists and dlcourse Tensors (whose `.data` is the array)."""
    array = getattr(x, "data", x)
    array = np.asarray(array)
    if array.ndim == 0:
        raise ValueError(f"{name} must have a first axis that counts samples, got a scalar")
    return array


def _stratified_test_counts(class_sizes, n_test):
    """How many test samples each class gets so the test set keeps the class proportions.

    Each class gets floor(n_test * share); the few left over go to the classes with the largest
    remainders (the "largest remainder" rule), so the counts add up to exactly n_test.
    """
    exact = n_test * class_sizes / class_sizes.sum()
    counts = np.floor(exact).astype(np.int64)
    left_over = n_test - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:left_over]] += 1
    return counts


def train_test_split(*arrays, test_size=0.2, seed: int = 0, stratify=None):
    """Shuffle and split arrays into train and test parts: the same rows for every array.

    `test_size` is a fraction (0 < test_size < 1; the test part gets ceil(test_size * n) rows) or a
    row count. `stratify=labels` keeps each class's share equal in both parts. Returns a list in
    scikit-learn's order: `X_train, X_test, y_train, y_test` (two entries per array).
    """
    if not arrays:
        raise TypeError("train_test_split needs at least one array, e.g. train_test_split(X, y)")
    arrays = [_as_array(a, f"array {i}") for i, a in enumerate(arrays)]
    n = len(arrays[0])
    lengths = [len(a) for a in arrays]
    if any(length != n for length in lengths):
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"all arrays must have the same number of samples (first axis), got shapes {shapes}")
    if isinstance(test_size, int | np.integer) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, float) and 0.0 < test_size < 1.0:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"test_size must be a fraction between 0 and 1 or a number of rows, got {test_size!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_size={test_size!r} gives {n_test} test rows out of {n}: both parts must be non-empty")

    rng = np.random.default_rng(seed)
    if stratify is None:
        order = rng.permutation(n)
        test_rows, train_rows = order[:n_test], order[n_test:]
    else:
        labels = _as_array(stratify, "stratify")
        if len(labels) != n:
            raise ValueError(f"stratify has {len(labels)} labels but the arrays have {n} samples")
        classes, label_ids = np.unique(labels, return_inverse=True)
        per_class_test = _stratified_test_counts(np.bincount(label_ids), n_test)
        test_parts, train_parts = [], []
        for class_id in range(len(classes)):
            members = rng.permutation(np.flatnonzero(label_ids == class_id))
            test_parts.append(members[: per_class_test[class_id]])
            train_parts.append(members[per_class_test[class_id] :])
        # Mix the classes again: otherwise the parts would be sorted by class.
        test_rows = rng.permutation(np.concatenate(test_parts))
        train_rows = rng.permutation(np.concatenate(train_parts))

    result = []
    for array in arrays:
        result.extend([array[train_rows], array[test_rows]])
    return result


class Standardizer:
    """Per-feature standardization: z = (x - mean) / std, with mean and std learned on training data.

    >>> scaler = Standardizer().fit(X_train)
    >>> X_train_z, X_test_z = scaler.transform(X_train), scaler.transform(X_test)
    >>> X_back = scaler.inverse_transform(X_test_z)

    Statistics are taken over the first axis (the samples), so every other position (a feature, a
    pixel) gets its own mean and std. A feature that never varies has std 0; it is divided by 1
    instead, so it becomes 0 rather than NaN. Float32 stays float32; integer data becomes float32.
    """

    def __init__(self):
        self.mean = None
        self.std = None

    def fit(self, X_train):
        """Learn mean and std per feature from the training data only (never peek at the test set)."""
        X_train = _as_float(X_train, "X_train")
        self.mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        self.std = np.where(std > 0, std, 1).astype(X_train.dtype)
        return self

    def transform(self, X):
        """z = (X - mean) / std, with the statistics from `fit`."""
        if self.mean is None:
            raise RuntimeError("call fit(X_train) before transform: the Standardizer has no statistics yet")
        X = _as_float(X, "X")
        if X.shape[1:] != self.mean.shape:
            raise ValueError(
                f"the Standardizer was fit on samples of shape {self.mean.shape}, got X of shape {X.shape}"
            )
        return ((X - self.mean) / self.std).astype(X.dtype, copy=False)

    def fit_transform(self, X_train):
        """fit(X_train) then transform(X_train)."""
        return self.fit(X_train).transform(X_train)

    def inverse_transform(self, Z):
        """x = z * std + mean: back to the original units (for example to plot a regression)."""
        if self.mean is None:
            raise RuntimeError("call fit(X_train) before inverse_transform")
        Z = _as_float(Z, "Z")
        return (Z * self.std + self.mean).astype(Z.dtype, copy=False)

    def __repr__(self):
        fitted = "not fitted" if self.mean is None else f"fitted on samples of shape {self.mean.shape}"
        return f"Standardizer({fitted})"


def _as_float(X, name):
    X = _as_array(X, name)
    if X.dtype.kind != "f":
        X = X.astype(np.float32)
    return X


def standardize(X_train, *others):
    """Standardize with training statistics: z = (x - mean(X_train)) / std(X_train), per feature.

    `X_train_z = standardize(X_train)` returns one array; `X_train_z, X_test_z = standardize(X_train,
    X_test)` returns one array per input, all scaled with the *training* mean and std. Need the
    statistics themselves (e.g. to undo the scaling)? Use `Standardizer`.
    """
    scaler = Standardizer().fit(X_train)
    if not others:
        return scaler.transform(X_train)
    return tuple(scaler.transform(X) for X in (X_train, *others))


class DataLoader:
    """Mini-batches of `(xb, yb)` Tensors from arrays X (n, ...) and y (n, ...); xb alone if y is None.

    `shuffle=True` visits the samples in a new random order every epoch (every `for` loop over
    the loader). The order of epoch e comes from `np.random.default_rng([seed, e])`, so it is the
    same in every run with the same seed. `len(loader)` is the number of batches per epoch; the last
    batch is smaller unless `drop_last=True`. Batches keep the arrays' dtypes (float32 stays float32,
    int64 labels stay int64).
    """

    def __new__(cls, X=None, *args, **kwargs):
        """Given a dataset (PyTorch style) instead of arrays, be `dlcourse.utils.data.DataLoader`."""
        if _is_dataset(X):
            from dlcourse.utils.data import DataLoader as DatasetLoader

            if "seed" in kwargs:  # the course's seed= becomes a generator
                from dlcourse.random import Generator

                kwargs["generator"] = Generator().manual_seed(kwargs.pop("seed"))
            return DatasetLoader(X, *args, **kwargs)
        return super().__new__(cls)

    def __init__(self, X, y=None, batch_size: int = 32, shuffle: bool = False, seed: int = 0, drop_last=False):
        self.X = _as_array(X, "X")
        self.y = None if y is None else _as_array(y, "y")
        if self.y is not None and len(self.y) != len(self.X):
            raise ValueError(
                f"X and y must have the same number of samples: X has shape {self.X.shape}, y {self.y.shape}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.drop_last = bool(drop_last)
        self.epoch = 0  # how many epochs have started; feeds the shuffling generator

    @property
    def n_samples(self) -> int:
        return len(self.X)

    def __len__(self) -> int:
        if self.drop_last:
            return self.n_samples // self.batch_size
        return math.ceil(self.n_samples / self.batch_size)

    def order(self, epoch: int) -> np.ndarray:
        """The sample indices in the order epoch `epoch` visits them."""
        if not self.shuffle:
            return np.arange(self.n_samples)
        return np.random.default_rng([self.seed, epoch]).permutation(self.n_samples)

    def __iter__(self):
        from dlcourse.tensor import tensor  # here, not at import time: dlcourse.data needs no autograd

        order = self.order(self.epoch)
        self.epoch += 1
        for batch in range(len(self)):
            rows = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            # Fancy indexing copies: each batch is a fresh contiguous array, never a view of X.
            xb = tensor(self.X[rows])
            if self.y is None:
                yield xb
            else:
                yield xb, tensor(self.y[rows])

    def __repr__(self):
        return (
            f"DataLoader({self.n_samples} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches per epoch)"
        )
