"""Datasets and loaders as in `torch.utils.data`: `Dataset`, `TensorDataset`, `DataLoader`, `random_split`.

    from dlcourse.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    for xb, yb in loader:
        ...

A dataset is anything with `__len__` and `__getitem__(i)` returning one sample — a tensor, a
number, or a tuple/dict of them. The loader picks indices (in order, or shuffled anew every
epoch), fetches the samples and stacks each field into a batch tensor (`default_collate`).
`dlcourse.data.DataLoader(X, y)` — the course's shortcut for arrays — is the same loader over a
`TensorDataset(X, y)`.
"""

from __future__ import annotations

import math

import numpy as np

from dlcourse.random import rng_of
from dlcourse.tensor import Tensor, tensor


class Dataset:
    """Base class for map-style datasets: subclass it and define `__len__` and `__getitem__`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, index)")

    def __add__(self, other):
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors (or arrays): `dataset[i] == (X[i], y[i])`."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        self.tensors = tuple(t if isinstance(t, Tensor) else tensor(np.asarray(t)) for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in sizes or len(set(sizes)) != 1:
            shapes = ", ".join(str(t.shape) for t in self.tensors)
            raise ValueError(f"Size mismatch between tensors: every tensor needs the same first axis, got {shapes}")

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, [int(i) for i in indices]

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        self.ends = np.cumsum([len(d) for d in self.datasets])

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        part = int(np.searchsorted(self.ends, index, side="right"))
        start = 0 if part == 0 else int(self.ends[part - 1])
        return self.datasets[part][index - start]

    def __len__(self):
        return int(self.ends[-1]) if len(self.ends) else 0


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random `Subset`s of the given lengths (or fractions)."""
    n = len(dataset)
    if all(0 <= length <= 1 for length in lengths) and not all(float(length).is_integer() for length in lengths):
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # hand out the remainder round-robin, as torch does
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: the lengths {list(lengths)} add up to {sum(lengths)}, the dataset has {n}")
    order = rng_of(generator).permutation(n)
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - length : end]) for length, end in zip(lengths, ends)]


def default_collate(samples):
    """Stack a list of samples into a batch: tensors/arrays/numbers → one tensor, tuples and dicts field by field."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError("each sample of a batch must have the same number of fields")
        return [default_collate([s[i] for s in samples]) for i in range(len(first))]
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, str):
        return list(samples)
    arrays = [np.asarray(s._data if isinstance(s, Tensor) else s) for s in samples]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise RuntimeError(
            f"stack expects each sample field to have the same shape, but got shapes {sorted(shapes)} in one batch; "
            "pad them to one shape or pass collate_fn= to the DataLoader"
        )
    if isinstance(first, Tensor):
        from dlcourse.tensor_functions.joining import stack

        return stack(samples) if any(s.requires_grad for s in samples) else Tensor(np.stack(arrays))
    return tensor(np.stack(arrays))  # Python floats → float32, ints → int64, as torch's collate does


class DataLoader:
    """Mini-batches from a dataset: `for xb, yb in DataLoader(dataset, batch_size=32, shuffle=True)`.

    `shuffle=True` draws a new order every epoch from `generator` (a `dl.Generator`; without one,
    the global generator that `dl.manual_seed` sets). `len(loader)` counts batches per epoch; the
    last one is smaller unless `drop_last=True`. `num_workers`/`pin_memory` are accepted and
    ignored (batches are made in this process).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, drop_last=False, collate_fn=None,
                 generator=None, num_workers=0, pin_memory=False, **ignored):  # fmt: skip
        if isinstance(dataset, (np.ndarray, Tensor)) and not hasattr(dataset, "__getitem__"):
            raise TypeError("DataLoader needs a dataset (e.g. TensorDataset(X, y))")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"DataLoader needs a dataset with __len__ and __getitem__, got {type(dataset).__name__}; "
                "wrap arrays in TensorDataset(X, y)"
            )
        if batch_size is None or isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn or default_collate
        self.generator = generator

    def _order(self):
        if self.sampler is not None:
            return list(self.sampler)
        if self.shuffle:
            return rng_of(self.generator).permutation(len(self.dataset))
        return range(len(self.dataset))

    def __iter__(self):
        order = self._order()
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            if len(rows) < self.batch_size and self.drop_last:
                return
            if isinstance(self.dataset, TensorDataset):  # the common case: one fancy index per tensor
                rows = np.asarray(rows, dtype=np.int64)
                yield [Tensor(np.array(t._data[rows])) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in rows])

    def __len__(self):
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __repr__(self):
        return f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, shuffle={self.shuffle})"


__all__ = ["ConcatDataset", "DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]
