"""Per-student numbers: each learner's value exercises use their own layer sizes, seeds, learning rates…

A chapter with value exercises has one locked *numbers cell* (nbgrader grade_id `NN_numbers`):

    numbers = exercise_numbers("08", seed=0, conv_in=8, conv_out=16, kernel=3, key="eJy…")
    numbers

`dlcourse release --roster` writes each learner's own seed and numbers there (drawn by the chapter's
sampler in the instructor's `chNN.py`), plus `key`: the salted hashes of *their* answers, so `check()`
still gives feedback. The grader ignores what a submission says here: it rebuilds the cell from the
roster, so answers copied from a classmate (or from the public copies, seed 0) are wrong.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from dlcourse.exercises import recorded

_KEY_FIELDS = ("salt", "digests", "mistakes", "reveal")  # what differs between learners; the rest is public


class ExerciseNumbers:
    """The learner's numbers, as attributes (`numbers.conv_in`); shows itself as a small table."""

    def __init__(self, chapter: str, seed: int, values: dict[str, Any]):
        self._chapter, self._seed, self._values = chapter, seed, dict(values)
        for name, value in values.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name} = {value!r}" for name, value in self._values.items())
        return f"Your numbers for chapter {self._chapter} (seed {self._seed}): {shown}"

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"| `{name}` | {value!r} |" for name, value in self._values.items())
        return (
            f"**Your numbers for chapter {self._chapter}** (seed {self._seed})\n\n| name | value |\n|---|---|\n{rows}"
        )


def encode_key(entries: dict[str, dict]) -> str:
    """The per-learner part of each value/choice entry, compressed into one short string."""
    personal = {eid: {k: v for k, v in entry.items() if k in _KEY_FIELDS} for eid, entry in entries.items()}
    raw = json.dumps(personal, sort_keys=True, separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(raw, 9)).decode()


def decode_key(key: str) -> dict[str, dict]:
    try:
        return json.loads(zlib.decompress(base64.b64decode(key, validate=True)))
    except Exception as error:  # a hand-edited key: say so instead of a zlib traceback
        raise ValueError(f"the key in the numbers cell is damaged ({type(error).__name__}); restore the cell") from None


def exercise_numbers(chapter: str, *, seed: int, key: str | None = None, **values: Any) -> ExerciseNumbers:
    """The learner's numbers for `chapter`; `key` (written by release) makes `check()` know their answers."""
    if key:
        recorded.use_personal_answers(decode_key(key))
    return ExerciseNumbers(chapter, seed, values)


def numbers_cell_source(chapter: str, seed: int, values: dict[str, Any], key: str) -> str:
    """The source of a learner's numbers cell (release writes it; the grader rebuilds it from the roster).

    One argument per line with a trailing comma: the layout `ruff format` keeps as it is."""
    arguments = (
        [f'"{chapter}"', f"seed={seed}"] + [f"{name}={value!r}" for name, value in values.items()] + [f'key="{key}"']
    )
    lines = "".join(f"    {argument},\n" for argument in arguments)
    return (
        "# Your own numbers for this chapter's exercises. Keep this cell as it is: your answers are graded\n"
        "# with these numbers (a classmate's are different).\n"
        f"numbers = exercise_numbers(\n{lines})\n"
        "numbers"
    )
