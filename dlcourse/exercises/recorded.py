"""Where `check()` finds an exercise's recorded data.

1. Answers set by the learner's own numbers cell (`exercise_numbers(..., key=...)`, see numbers.py): a
   per-student release carries the hashes of *that* learner's answers there.
2. `chNN.json.gz` in any directory on the `DLCOURSE_CHECKS_PATH` environment variable (instructors' own
   exercises, recorded with `dlcourse record-checks`).
3. `dlcourse/exercises/data/chNN.json.gz`, shipped with the package.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

from dlcourse.exercises.record import DATA_DIR, FORMAT, data_path

EXERCISE_ID = re.compile(r"^(\d{2})\.[A-Za-z0-9_]+$")
_chapters: dict[str, dict] = {}  # chapter → {exercise id: entry}, loaded once
_personal: dict[str, dict] = {}  # exercise id → entry from the learner's numbers cell


class UnknownExercise(LookupError):
    """`check()` was called with an id nobody recorded (a typo, or the chapter's checks are missing)."""


def read_data(path: Path) -> dict:
    data = json.loads(gzip.decompress(Path(path).read_bytes()))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: recorded with another version of dlcourse (format {data.get('format')})")
    return data["exercises"]


def _load_chapter(chapter: str) -> dict:
    if chapter not in _chapters:
        entries = {}
        directories = [DATA_DIR] + [Path(d) for d in os.environ.get("DLCOURSE_CHECKS_PATH", "").split(os.pathsep) if d]
        for directory in directories:
            path = data_path(directory, chapter)
            if path.is_file():
                entries.update(read_data(path))
        _chapters[chapter] = entries
    return _chapters[chapter]


def use_personal_answers(entries: dict[str, dict]) -> None:
    """Called by the numbers cell: these entries replace the public ones for this learner."""
    _personal.update(entries)


def lookup(exercise_id: str) -> dict:
    """The recorded entry of `exercise_id`."""
    match = EXERCISE_ID.match(exercise_id) if isinstance(exercise_id, str) else None
    if not match:
        raise UnknownExercise(f"{exercise_id!r} is not an exercise id (they look like '03.relu')")
    chapter = _load_chapter(match.group(1))
    if exercise_id not in chapter:
        known = ", ".join(sorted(chapter)) or "none recorded for this chapter"
        raise UnknownExercise(f"no check named {exercise_id!r} (known: {known})")
    if exercise_id in _personal:
        return {**chapter[exercise_id], **_personal[exercise_id]}
    return chapter[exercise_id]


def forget() -> None:
    """Drop everything loaded (tests, or after DLCOURSE_CHECKS_PATH changed)."""
    _chapters.clear()
    _personal.clear()
