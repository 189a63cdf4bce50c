"""Sequence tasks for the recurrent-network chapter: sine waves, the adding problem, a character corpus.

Arrays follow `batch_first=True` layout: (batch, time, features). All random draws come from
`np.random.default_rng(seed)`.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from dlcourse.data.synthetic import _check_count


def sine_sequences(n: int = 32, length: int = 51, seed: int = 0) -> np.ndarray:
    """n sine waves x_t = sin(ω t + φ), random phase φ ∈ [0, 2π) and period 2π/ω ∈ [10, 30) steps.

    Returns float32 of shape (n, length, 1). For next-value prediction use
    `inputs = seqs[:, :-1]` and `targets = seqs[:, 1:]` (both (n, length - 1, 1)).
    """
    n = _check_count(n)
    length = _check_count(length, "length", minimum=2)
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
    period = rng.uniform(10.0, 30.0, size=(n, 1))  # in time steps: a few full waves per sequence
    t = np.arange(length)[None, :]  # (1, length)
    waves = np.sin(2 * np.pi * t / period + phase)  # (n, length)
    return waves[:, :, None].astype(np.float32)  # (n, length, 1)


def adding_problem(n: int = 256, length: int = 50, seed: int = 0):
    """The adding problem (Hochreiter & Schmidhuber 1997): y = the sum of the two marked numbers.

    Each sequence has two features per step: a random number in [0, 1) and a marker that is 1 at
    exactly two steps (one in the first half, one in the second half) and 0 elsewhere. The target is
    the sum of the two marked numbers, so the network must remember the first one across at least
    half the sequence. Always predicting 1.0 gives a mean squared error of about 1/6 ≈ 0.167: a
    model has learned something only when it beats that.

    Returns `X` float32 (n, length, 2) and `y` float32 (n, 1).
    """
    n = _check_count(n)
    length = _check_count(length, "length", minimum=2)
    rng = np.random.default_rng(seed)
    numbers = rng.uniform(0.0, 1.0, size=(n, length))
    half = length // 2
    first = rng.integers(0, half, size=n)  # a step in the first half
    second = rng.integers(half, length, size=n)  # a step in the second half
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([numbers, markers], axis=2)  # (n, length, 2)
    y = (numbers[rows, first] + numbers[rows, second])[:, None]  # (n, 1)
    return X.astype(np.float32), y.astype(np.float32)


@functools.cache
def _read_corpus() -> str:
    # Read from the installed package, not from the internet: works offline and in any directory.
    return resources.files("dlcourse.data").joinpath("corpus.txt").read_text(encoding="utf-8")


def char_corpus() -> str:
    """A short English text (about 5 KB, written for this course) for character-level models."""
    return _read_corpus()


def encode_chars(text: str, vocab=None):
    """Characters → integer ids: ids[i] = vocab.index(text[i]); vocab = sorted set of characters.

    Returns `(ids, vocab)`: ids int64 of shape (len(text),) and the vocabulary as a list of
    characters. Pass an existing `vocab` to encode new text with the same ids.
    """
    if not isinstance(text, str):
        raise TypeError(f"encode_chars expects a str, got {type(text).__name__}")
    vocab = sorted(set(text)) if vocab is None else list(vocab)
    index = {char: i for i, char in enumerate(vocab)}
    unknown = sorted(set(text) - index.keys())
    if unknown:
        raise ValueError(f"characters {unknown!r} are not in the vocabulary of {len(vocab)} characters")
    ids = np.fromiter((index[char] for char in text), dtype=np.int64, count=len(text))
    return ids, vocab


def decode_chars(ids, vocab) -> str:
    """Integer ids → text: the inverse of `encode_chars`, "".join(vocab[i] for i in ids)."""
    return "".join(vocab[int(i)] for i in np.asarray(ids).ravel())
