"""What `dlcourse record-checks` stores: deterministic, in sync with the instructor's specs, values encoded
faithfully, answers only as salted hashes that accept within the tolerance and reject beyond it."""

import gzip
import json

import numpy as np
import pytest
from exercise_helpers import CHECKS_DIR, DEMO_CHECKS
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.exercises import encoding, spec
from dlcourse.exercises.digests import Tolerance, digest_of_guess, digests_of_answer
from dlcourse.exercises.record import DATA_DIR, chapter_data, record_directory, serialise


def test_the_shipped_check_data_is_recorded_from_the_current_specs(tmp_path):
    """Edit instructor/checks/chNN.py without `dlcourse record-checks` and this fails."""
    written = record_directory(CHECKS_DIR, tmp_path)
    assert written, "no specs in instructor/checks/"
    shipped = sorted(p.name for p in DATA_DIR.glob("ch*.json.gz"))
    assert shipped == sorted(p.name for p in written)
    for path in written:
        recorded_here = json.loads(gzip.decompress(path.read_bytes()))
        shipped_data = json.loads(gzip.decompress((DATA_DIR / path.name).read_bytes()))
        differences = list(differences_beyond_rounding(recorded_here, shipped_data))
        assert not differences, f"{path.name} is stale (run make release): {differences[:3]}"


def differences_beyond_rounding(here, shipped, where=""):
    """Where two recordings differ, except float arrays equal to 1e-12: the same specs recorded on another
    CPU (another BLAS code path) differ in the last bit of a few products, which is not staleness."""
    if isinstance(here, dict) and isinstance(shipped, dict):
        if here.get("__dl__") in ("array", "scalar") and shipped.get("__dl__") == here.get("__dl__"):
            a, b = encoding._decode_array(here), encoding._decode_array(shipped)
            same = a.dtype == b.dtype and a.shape == b.shape
            if same and a.dtype.kind == "f":
                same = np.allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True)
            elif same:
                same = np.array_equal(a, b)
            if not same:
                yield where
            return
        if here.keys() != shipped.keys():
            yield f"{where} keys {sorted(here.keys() ^ shipped.keys())}"
            return
        for key in here:
            yield from differences_beyond_rounding(here[key], shipped[key], f"{where}/{key}")
    elif isinstance(here, list) and isinstance(shipped, list) and len(here) == len(shipped):
        for i, (x, y) in enumerate(zip(here, shipped)):
            yield from differences_beyond_rounding(x, y, f"{where}[{i}]")
    elif here != shipped:
        yield where


def test_a_changed_expected_value_is_stale_and_a_last_bit_difference_is_not():
    array = np.array([0.1, 0.2, 0.3])
    recorded = {"cases": [{"expected": encoding.encode(array)}]}
    assert not list(
        differences_beyond_rounding(recorded, {"cases": [{"expected": encoding.encode(np.nextafter(array, 1))}]})
    )
    assert list(differences_beyond_rounding(recorded, {"cases": [{"expected": encoding.encode(array * (1 + 1e-9))}]}))
    assert list(differences_beyond_rounding(recorded, {"cases": [{"expected": encoding.encode(array[:2])}]}))
    assert list(differences_beyond_rounding(recorded, {"cases": [{"expected": encoding.encode(array)}], "hints": []}))
    assert list(differences_beyond_rounding({"hints": ["a"]}, {"hints": ["b"]}))


def test_recording_is_deterministic():
    chapter = spec.load_chapter(DEMO_CHECKS / "ch99.py")
    assert serialise(chapter_data(chapter)) == serialise(chapter_data(spec.load_chapter(DEMO_CHECKS / "ch99.py")))


def test_recorded_values_and_choices_hold_no_plain_answer():
    for path in DATA_DIR.glob("ch*.json.gz"):
        exercises = json.loads(gzip.decompress(path.read_bytes()))["exercises"]
        for exercise_id, entry in exercises.items():
            assert "answer" not in entry and "expected" not in entry, exercise_id
            if entry["kind"] == "choice" and entry["graded"]:
                assert "reveal" not in entry, f"{exercise_id}: a graded choice must not carry its answer"


VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def same(a, b):
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_encoding_round_trips_plain_values(value):
    assert same(encoding.decode(json.loads(json.dumps(encoding.encode(value)))), value)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "uint8", "complex128"])
def test_arrays_keep_shape_dtype_and_values(dtype):
    array = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)[:, ::2]  # non-contiguous on purpose
    back = encoding.decode(json.loads(json.dumps(encoding.encode(array))))
    assert back.dtype == array.dtype and back.shape == array.shape and np.array_equal(back, array)


def test_decode_refuses_what_a_hostile_kernel_might_send():
    for data in (
        {encoding.TAG: "callable", "name": "os:system"},
        {encoding.TAG: "callable", "name": "numpy:tanh"},  # even allowed names: callables only in recorded data
        {encoding.TAG: "array", "dtype": "object", "shape": [1], "data": ""},
        {encoding.TAG: "array", "dtype": "float64", "shape": [10**9], "data": ""},
        {encoding.TAG: "array", "dtype": "float64", "shape": [2], "data": "AAAA"},
        {encoding.TAG: "pickle", "data": "gASV"},
        {encoding.TAG: "float", "value": "1.5"},
    ):
        with pytest.raises(encoding.EncodingError):
            encoding.decode(data)
    assert encoding.decode({encoding.TAG: "callable", "name": "numpy:tanh"}, allow_callables=True) is np.tanh
    with pytest.raises(encoding.EncodingError):
        encoding.encode(lambda x: x)
    with pytest.raises(encoding.EncodingError):
        encoding.encode(np.array([object()]))


@settings(max_examples=60, deadline=None)
@given(
    expected=st.floats(-1e6, 1e6, allow_nan=False),
    offset=st.floats(-1.0, 1.0, allow_nan=False),
    tolerance=st.sampled_from([1e-6, 1e-3, 0.5]),
)
def test_absolute_tolerance_accepts_within_and_rejects_beyond_twice(expected, offset, tolerance):
    stored = digests_of_answer(expected, "salt", Tolerance(absolute=tolerance))
    guess = expected + offset * 3 * tolerance
    accepted = digest_of_guess(guess, "salt", Tolerance(absolute=tolerance)) in stored
    if abs(guess - expected) <= 0.99 * tolerance:
        assert accepted
    if abs(guess - expected) >= 2.01 * tolerance:
        assert not accepted


@settings(max_examples=60, deadline=None)
@given(expected=st.floats(1e-6, 1e6), factor=st.floats(0.5, 1.5))
def test_relative_tolerance_scales_with_the_answer(expected, factor):
    tolerance = Tolerance(relative=0.01)
    stored = digests_of_answer(expected, "s", tolerance)
    guess = expected * factor
    accepted = digest_of_guess(guess, "s", tolerance) in stored
    if abs(factor - 1) <= 0.0099:
        assert accepted
    if abs(factor - 1) >= 0.0201:
        assert not accepted
    assert digest_of_guess(-guess, "s", tolerance) not in stored  # the sign matters


def test_words_and_whole_numbers_are_exact_and_salted():
    assert digest_of_guess(" Leaky-ReLU", "a") in digests_of_answer("leaky_relu", "a")
    assert digest_of_guess(" Leaky-ReLU", "b") not in digests_of_answer("leaky_relu", "a")
    assert digest_of_guess(1168, "a") in digests_of_answer(1168, "a")
    assert digest_of_guess(1168.0, "a") in digests_of_answer(1168, "a")
    assert digest_of_guess(1169, "a") not in digests_of_answer(1168, "a")
    assert digest_of_guess(True, "a") not in digests_of_answer(1, "a")
