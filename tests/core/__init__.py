"""Tests of the autograd core (Tensor, engine, ops, gradcheck, backends), with a few shared helpers."""

from __future__ import annotations

import os
import traceback

import numpy as np

import dlcourse as dl

# the broadcast shapes every binary op is checked with, combined pairwise: scalar, row, column, matrix
M, N = 3, 4
BROADCAST_SHAPES = [(), (1, N), (M, 1), (M, N)]


def leaf(shape, seed=0, low=None, high=None):
    """A float64 tensor that requires grad: standard normal, or uniform in [low, high) when given."""
    rng = np.random.default_rng(seed)
    if low is None:
        values = rng.standard_normal(shape)
    else:
        values = rng.uniform(low, high, size=shape)
    return dl.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def away_from_kinks(shape, kinks=(0.0,), seed=0, margin=0.05):
    """A float64 leaf whose values all stay at least `margin` away from the non-differentiable points."""
    values = np.random.default_rng(seed).uniform(-2, 2, size=shape)
    for kink in kinks:
        near = np.abs(values - kink) < margin
        values = np.where(near, kink + 2 * margin * np.sign(values - kink + 1e-12), values)
    for kink in kinks:
        assert np.all(np.abs(values - kink) >= margin)  # the helper itself must keep its promise
    return dl.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def assert_no_numpy_chain(error: BaseException) -> None:
    """The learner sees our message only: no chained NumPy exception and no frame inside NumPy."""
    assert error.__cause__ is None, f"chained cause: {error.__cause__!r}"
    # `raise ... from None` sets __suppress_context__; an error raised outside an except block has no context
    assert error.__suppress_context__ or error.__context__ is None, f"chained context: {error.__context__!r}"
    numpy_dir = os.path.dirname(np.__file__)
    frames = [frame.filename for frame in traceback.extract_tb(error.__traceback__)]
    assert not [f for f in frames if f.startswith(numpy_dir)], f"NumPy frames in the traceback: {frames}"
