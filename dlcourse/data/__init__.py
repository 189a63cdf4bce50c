"""Datasets that work offline, and the tools to feed them to a model.

    from dlcourse.data import digits, train_test_split, standardize, DataLoader
    images, labels = digits()                                   # (1797, 8, 8) float32, (1797,) int64
    X_train, X_test, y_train, y_test = train_test_split(images, labels, seed=0, stratify=labels)
    for xb, yb in DataLoader(X_train, y_train, batch_size=32, shuffle=True, seed=0):
        ...

Every random dataset takes `seed=` (fed to `np.random.default_rng`); nothing is downloaded.
"""

from dlcourse.data.digits import digits
from dlcourse.data.loader import DataLoader, Standardizer, standardize, train_test_split
from dlcourse.data.playground import playground_data, playground_features
from dlcourse.data.sequences import adding_problem, char_corpus, decode_chars, encode_chars, sine_sequences
from dlcourse.data.synthetic import (
    APPLES_ORANGES_CLASSES,
    APPLES_ORANGES_FEATURES,
    and_,
    apples_oranges,
    blobs,
    circles,
    moons,
    mystery_blobs,
    or_,
    polynomial,
    sine,
    spirals,
    xor,
)

__all__ = [
    "APPLES_ORANGES_CLASSES",
    "APPLES_ORANGES_FEATURES",
    "DataLoader",
    "Standardizer",
    "adding_problem",
    "and_",
    "apples_oranges",
    "blobs",
    "char_corpus",
    "circles",
    "decode_chars",
    "digits",
    "encode_chars",
    "moons",
    "mystery_blobs",
    "or_",
    "playground_data",
    "playground_features",
    "polynomial",
    "sine",
    "sine_sequences",
    "spirals",
    "standardize",
    "train_test_split",
    "xor",
]
