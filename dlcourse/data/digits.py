"""Real handwritten digits, shipped inside the package: the UCI 8×8 optical digits (1797 images).

Source: UCI Machine Learning Repository, "Optical Recognition of Handwritten Digits",
E. Alpaydin & C. Kaynak (1998), https://doi.org/10.24432/C50P49, licensed CC BY 4.0.
See DIGITS_LICENSE.md next to this file for the full credit and how the file was obtained.
"""

from __future__ import annotations

import functools
import gzip
import io
from importlib import resources

import numpy as np

N_SAMPLES = 1797
IMAGE_SHAPE = (8, 8)


@functools.cache
def _load_digits_file() -> tuple[np.ndarray, np.ndarray]:
    """Read digits.csv.gz once per process (the first call) and keep the arrays."""
    raw = resources.files("dlcourse.data").joinpath("digits.csv.gz").read_bytes()
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)  # (1797, 65)
    if table.shape != (N_SAMPLES, 65):  # pragma: no cover - guards against a damaged package
        raise RuntimeError(f"digits.csv.gz has shape {table.shape}, expected ({N_SAMPLES}, 65)")
    # Pixel counts 0..16 → [0, 1]; the 64 columns are the 8×8 image row by row.
    images = (table[:, :64] / 16.0).astype(np.float32).reshape(-1, *IMAGE_SHAPE)  # (1797, 8, 8)
    labels = table[:, 64].copy()  # (1797,) int64
    images.flags.writeable = False  # the cache is never handed out, only copies of it
    labels.flags.writeable = False
    return images, labels


def digits(return_split: bool = False, test_size: float = 0.2, seed: int = 0):
    """The UCI handwritten digits: images (1797, 8, 8) float32 in [0, 1] and labels (1797,) int64 0–9.

    Pixel value = (number of ink pixels in a 4×4 block of the 32×32 scan) / 16. About 180 images
    per digit. The file ships with dlcourse (no download) and is read once, on the first call;
    every call returns fresh copies, so changing them in place cannot affect the next call.

    With `return_split=True` you get a stratified split instead, in scikit-learn's order:
    `X_train, X_test, y_train, y_test` (1437 / 360 images for the default test_size=0.2, seed=0).

    Data: Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI Machine
    Learning Repository, https://doi.org/10.24432/C50P49. Licence: CC BY 4.0.
    """
    cached_images, cached_labels = _load_digits_file()
    images, labels = cached_images.copy(), cached_labels.copy()
    if not return_split:
        return images, labels
    from dlcourse.data.loader import train_test_split

    return train_test_split(images, labels, test_size=test_size, seed=seed, stratify=labels)
