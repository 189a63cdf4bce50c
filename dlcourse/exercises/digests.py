"""Answers stored so that `check()` can recognise them but nobody can read them: salted, slow hashes.

A word or a whole number is hashed as it is (after normalising case and spaces). A measured number is
accepted within a tolerance, so it is first put in a *bin*: with an absolute tolerance t, x lands in bin
⌊x / t⌋. The recorded answer e stores the hashes of the bins ⌊e/t⌋ − 1, ⌊e/t⌋ and ⌊e/t⌋ + 1, so every x
with |x − e| ≤ t is accepted and nothing with |x − e| ≥ 2t is. A relative tolerance r uses the same bins
on log|x| (width log(1 + r)), with the sign kept.

PBKDF2 with many iterations makes each guess cost milliseconds: trying every whole number up to a million
against one stored answer takes hours, while a learner's single `check()` stays instant. It is a lock on
a drawer, not a safe — the grader never relies on it (it compares against the instructor's own values).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

ITERATIONS = 20_000


@dataclass(frozen=True)
class Tolerance:
    """Accept |x − e| ≤ absolute, or |x − e| ≤ relative·|e|; both None means exact."""

    absolute: float | None = None
    relative: float | None = None

    def __post_init__(self):
        if self.absolute is not None and self.relative is not None:
            raise ValueError("give an absolute or a relative tolerance, not both")
        for value in (self.absolute, self.relative):
            if value is not None and not value > 0:
                raise ValueError(f"a tolerance must be positive, got {value!r}")

    def accepts(self, expected: float, got: float) -> bool:
        """The exact rule (the grader uses it with the true answer): |got − expected| ≤ tolerance."""
        if self.absolute is not None:
            return abs(got - expected) <= self.absolute
        if self.relative is not None:
            return abs(got - expected) <= self.relative * abs(expected)
        return got == expected


def _hash(text: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", text.encode(), salt.encode(), ITERATIONS).hex()[:32]


def normalise_word(word: str) -> str:
    """'Leaky ReLU ' → 'leaky_relu': answers compare without case, spaces or dashes."""
    return "_".join(word.strip().lower().replace("-", " ").replace("_", " ").split())


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _bin(value: float, tolerance: Tolerance) -> str:
    if tolerance.absolute is not None:
        return f"abs:{math.floor(value / tolerance.absolute)}"
    if value == 0:
        return "rel:0"
    width = math.log1p(tolerance.relative)
    return f"rel:{'+' if value > 0 else '-'}{math.floor(math.log(abs(value)) / width)}"


def _neighbours(key: str) -> list[str]:
    """The bin and its two neighbours (see the module docstring for why three)."""
    prefix, _, index = key.partition(":")
    if prefix == "abs":
        return [f"abs:{int(index) + step}" for step in (-1, 0, 1)]
    if index == "0":
        return [key]
    sign, number = index[0], int(index[1:])  # "rel:+-3": positive value, bin −3 of log|x|
    return [f"rel:{sign}{number + step}" for step in (-1, 0, 1)]


def canonical(value: Any, tolerance: Tolerance | None = None) -> str:
    """The text that is hashed for a learner's answer (one bin for numbers with a tolerance)."""
    if isinstance(value, bool | np.bool_):
        return f"bool:{bool(value)}"
    if isinstance(value, str):
        return f"str:{normalise_word(value)}"
    if is_number(value):
        if tolerance is not None and (tolerance.absolute is not None or tolerance.relative is not None):
            if not math.isfinite(float(value)):
                return f"float:{float(value)!r}"
            return "num:" + _bin(float(value), tolerance)
        if float(value) == int(value):
            return f"int:{int(value)}"
        return f"float:{float(value)!r}"
    raise TypeError(f"cannot compare a {type(value).__name__} as an answer")


def digests_of_answer(value: Any, salt: str, tolerance: Tolerance | None = None) -> list[str]:
    """What is recorded for the right answer `value`: one hash, or three for a number with a tolerance."""
    key = canonical(value, tolerance)
    if key.startswith("num:"):
        return [_hash("num:" + k, salt) for k in _neighbours(key[len("num:") :])]
    return [_hash(key, salt)]


def digest_of_guess(value: Any, salt: str, tolerance: Tolerance | None = None) -> str:
    """The one hash of a learner's answer, to look up among the recorded digests."""
    return _hash(canonical(value, tolerance), salt)
