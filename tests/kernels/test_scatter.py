"""Scatter-add kernel: the Numba loops equal the NumPy reference (np.add.at) on random, repeated, negative indices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.kernels.scatter import scatter_add_rows, scatter_add_rows_numpy, warmup_examples


@settings(max_examples=25, deadline=None, database=None)
@given(
    rows=st.integers(1, 12),
    width=st.integers(1, 6),
    picks=st.integers(0, 40),
    dtype=st.sampled_from([np.float32, np.float64]),
    index_dtype=st.sampled_from([np.int64, np.int32]),
    seed=st.integers(0, 2**16),
)
def test_numba_matches_numpy_reference(rows, width, picks, dtype, index_dtype, seed):
    rng = np.random.default_rng(seed)
    start = rng.standard_normal((rows, width)).astype(dtype)
    index = rng.integers(-rows, rows, size=picks).astype(index_dtype)  # negative and repeated indices
    values = rng.standard_normal((picks, width)).astype(dtype)
    expected = start.copy()
    np.add.at(expected, index, values)
    reference = scatter_add_rows.reference(start.copy(), index, values)
    out = start.copy()
    result = scatter_add_rows.accelerated(out, index, values)
    assert result is out  # updated in place and returned
    assert result.dtype == dtype
    np.testing.assert_array_equal(reference, expected)
    tolerance = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(result, expected, rtol=tolerance, atol=tolerance)


@settings(max_examples=25, deadline=None, database=None)
@given(rows=st.integers(2, 10), picks=st.integers(1, 20), seed=st.integers(0, 2**16))
def test_non_contiguous_inputs(rows, picks, seed):
    rng = np.random.default_rng(seed)
    wide = rng.standard_normal((rows, 8))
    out_view = wide[:, ::2]  # every other column: a strided (R, 4) view
    values = rng.standard_normal((4, picks)).T  # a transposed (N, 4) view
    index = rng.integers(-rows, rows, size=2 * picks)[::2]  # a strided index
    expected = out_view.copy()
    np.add.at(expected, index, values)
    skipped = wide[:, 1::2].copy()
    scatter_add_rows.accelerated(out_view, index, values)
    np.testing.assert_allclose(wide[:, ::2], expected, rtol=1e-14, atol=1e-14)  # wrote through the view
    np.testing.assert_array_equal(wide[:, 1::2], skipped)  # and left the other columns alone


def test_repeated_index_accumulates_in_both_versions():
    for version in (scatter_add_rows.reference, scatter_add_rows.accelerated):
        out = np.zeros((3, 2))
        version(out, np.array([1, 1, -2, 0]), np.array([[1.0, 2.0], [10.0, 20.0], [100.0, 200.0], [5.0, 5.0]]))
        np.testing.assert_array_equal(out, [[5, 5], [111, 222], [0, 0]])


def test_reference_is_np_add_at():
    assert scatter_add_rows.reference is scatter_add_rows_numpy


@pytest.mark.parametrize("case", range(2))
def test_warmup_examples_run(case):
    kern, args = list(warmup_examples())[case]
    out = kern.accelerated(*[a.copy() for a in args])
    np.testing.assert_array_equal(out, kern.reference(*[a.copy() for a in args]))
