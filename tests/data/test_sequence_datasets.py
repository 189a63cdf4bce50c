"""Sequence tasks and the character corpus."""

import numpy as np
import pytest

from dlcourse import data


def test_sine_sequences_shape_dtype_determinism():
    seqs = data.sine_sequences(n=32, length=51, seed=0)
    assert seqs.shape == (32, 51, 1) and seqs.dtype == np.float32
    assert np.abs(seqs).max() <= 1.0
    np.testing.assert_array_equal(seqs, data.sine_sequences(n=32, length=51, seed=0))
    assert not np.array_equal(seqs, data.sine_sequences(n=32, length=51, seed=1))


def test_sine_sequences_are_sines_with_different_phases():
    seqs = data.sine_sequences(n=8, length=200, seed=4)[:, :, 0]
    # A pure sine obeys x[t+1] + x[t-1] = 2 cos(ω) x[t]: the ratio is constant along each sequence.
    middle = seqs[:, 1:-1]
    usable = np.abs(middle) > 0.3
    ratio = (seqs[:, 2:] + seqs[:, :-2])[usable] / middle[usable]
    per_sequence = np.split(ratio, np.cumsum(usable.sum(axis=1))[:-1])
    for r in per_sequence:
        assert np.ptp(r) < 1e-3
    assert len(np.unique(np.round(seqs[:, 0], 3))) == 8, "phases differ"


def test_adding_problem_targets_are_the_marked_sums():
    X, y = data.adding_problem(n=64, length=30, seed=0)
    assert X.shape == (64, 30, 2) and y.shape == (64, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :15].sum(axis=1) == 1), "one marker in the first half"
    assert np.all(markers[:, 15:].sum(axis=1) == 1), "one marker in the second half"
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    X2, y2 = data.adding_problem(n=64, length=30, seed=0)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(y, data.adding_problem(n=64, length=30, seed=1)[1])


def test_adding_problem_baseline_mse_is_about_one_sixth():
    _, y = data.adding_problem(n=20000, length=10, seed=0)
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.01


def test_char_corpus_is_a_few_kb_of_english():
    text = data.char_corpus()
    assert isinstance(text, str) and 3000 <= len(text) <= 20000
    assert "the" in text and text.count(" ") > 500
    assert data.char_corpus() is text or data.char_corpus() == text


def test_encode_decode_round_trip():
    text = data.char_corpus()
    ids, vocab = data.encode_chars(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert vocab == sorted(set(text))
    assert ids.min() == 0 and ids.max() == len(vocab) - 1
    assert data.decode_chars(ids, vocab) == text
    assert vocab[ids[0]] == text[0]
    again, _ = data.encode_chars("the sea", vocab)
    assert data.decode_chars(again, vocab) == "the sea"


def test_encode_unknown_character_is_a_clear_error():
    _, vocab = data.encode_chars("abc")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        data.encode_chars("abz", vocab)
    with pytest.raises(TypeError, match="str"):
        data.encode_chars(["a", "b"])
