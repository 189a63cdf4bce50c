"""`dlcourse record-checks`: turn the instructor's exercise descriptions into the data `check()` reads.

For each exercise of `instructor/checks/chNN.py` it stores only what immediate feedback needs:
- function exercises: the inputs (edge cases + seeded random ones) and the reference's outputs on them,
  plus a fingerprint of each listed mistake's output (to recognise it and give its hint);
- value and choice exercises: salted hashes of the answer (digests.py), never the answer itself;
  predictions (choices worth no points) also keep their explanation, compressed, to reveal once answered;
- property exercises: the public measurement's name and the requirement the exercise states;
- hints and the section to reread.

The result, `dlcourse/exercises/data/chNN.json.gz`, ships in the package; the references stay with the
instructor. Output is deterministic (sorted keys, no timestamps) so a test can tell when it is stale.
"""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from dlcourse.exercises import spec as S
from dlcourse.exercises.digests import digests_of_answer, is_number, normalise_word
from dlcourse.exercises.encoding import encode

FORMAT = 1
DATA_DIR = Path(__file__).parent / "data"


def fingerprint(value: Any) -> str:
    """A short hash of an output rounded to 6 decimals: equal for the same mistake computed a bit differently."""

    def rounded(v):
        if isinstance(v, tuple | list):
            return [rounded(x) for x in v]
        if callable(getattr(v, "numpy", None)) and not isinstance(v, np.ndarray):
            v = v.numpy()
        array = np.asarray(v)
        if array.dtype.kind in "iufb":
            return np.round(array.astype(np.float64), 6) + 0.0  # + 0.0 turns -0.0 into 0.0
        return repr(v)

    def plain(v):
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, np.ndarray):
            return [list(v.shape), v.ravel().tolist()]
        return v

    try:
        text = json.dumps(plain(rounded(value)), sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _all_cases(exercise: S.FunctionExercise) -> list[S.Case]:
    rng = np.random.default_rng(exercise.seed)
    return list(exercise.cases) + [S.as_case(exercise.random_case(rng)) for _ in range(exercise.n_random)]


def _call(fn, case: S.Case) -> Any:
    return fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))


def function_entry(exercise: S.FunctionExercise) -> dict:
    cases = _all_cases(exercise)
    recorded = []
    for case in cases:
        expected = _call(exercise.reference, case)
        recorded.append(
            {
                "args": encode(list(case.args), allow_callables=True),
                "kwargs": encode(dict(case.kwargs), allow_callables=True),
                "expected": encode(expected),
            }
        )
    mistakes = []
    for mistake in exercise.mistakes:
        for index, case in enumerate(cases):
            try:
                wrong = _call(mistake.answer, case)
            except Exception:  # a mistake that crashes on a case is recognised by its crash, not here
                continue
            if fingerprint(wrong) != fingerprint(_call(exercise.reference, case)):
                mistakes.append({"case": index, "fingerprint": fingerprint(wrong), "hint": mistake.hint})
                break
        else:
            raise S.SpecError(f"{exercise.exercise_id}: the mistake with hint {mistake.hint!r} passes every case")
    return {
        "kind": "function",
        "cases": recorded,
        "rtol": exercise.rtol,
        "atol": exercise.atol,
        "check_dtype": exercise.check_dtype,
        "allow_input_mutation": exercise.allow_input_mutation,
        "mistakes": mistakes,
    }


def _shape_of(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, str):
        return "word"
    if isinstance(value, int | np.integer):
        return "int"
    if is_number(value):
        return "number"
    raise S.SpecError(f"cannot record an answer of type {type(value).__name__}")


def value_entry(exercise: S.ValueExercise, numbers: Any, salt: str) -> dict:
    """The recorded form of a value exercise for the learner whose numbers are `numbers`."""
    answer = exercise.answer_for(numbers)
    tolerance = exercise.tolerance

    def digests(value):
        values = value.values if isinstance(value, S.AnyOf) else [value]
        return sorted({d for v in values for d in digests_of_answer(v, salt, tolerance)})

    if isinstance(answer, dict):
        shape = {key: _shape_of(value) for key, value in answer.items()}
        recorded_digests: Any = {key: digests(value) for key, value in answer.items()}
    else:
        first = answer.values[0] if isinstance(answer, S.AnyOf) else answer
        shape, recorded_digests = _shape_of(first), digests(answer)
    mistakes = []
    for mistake in exercise.mistakes:
        wrong = mistake.answer(numbers) if callable(mistake.answer) else mistake.answer
        mistakes.append({"digests": digests(wrong), "hint": mistake.hint})
    for key, key_mistakes in exercise.key_mistakes.items():
        for mistake in key_mistakes:
            wrong = mistake.answer(numbers) if callable(mistake.answer) else mistake.answer
            mistakes.append({"key": key, "digests": digests(wrong), "hint": mistake.hint})
    return {
        "kind": "value",
        "shape": shape,
        "salt": salt,
        "tolerance": None if tolerance is None else {"absolute": tolerance.absolute, "relative": tolerance.relative},
        "digests": recorded_digests,
        "mistakes": mistakes,
        "key_hints": exercise.key_hints,
    }


def _sealed(data: dict) -> str:
    """Compressed JSON as base64: not readable by eye or grep (it is revealed by `check()` anyway)."""
    return base64.b64encode(zlib.compress(json.dumps(data, sort_keys=True).encode(), 9)).decode()


def choice_entry(exercise: S.ChoiceExercise, numbers: Any, salt: str) -> dict:
    answer = exercise.answer_for(numbers)
    entry = {
        "kind": "choice",
        "choices": list(exercise.choices),
        "aliases": exercise.aliases,
        "graded": exercise.graded,
        "salt": salt,
        "digests": digests_of_answer(answer, salt),
    }
    if not exercise.graded:  # a prediction: revealed (with its explanation) once the learner has answered
        entry["reveal"] = _sealed({"answer": answer, "explanation": exercise.explanation_for(numbers)})
    return entry


def property_entry(exercise: S.PropertyExercise) -> dict:
    return {
        "kind": "property",
        "measure": f"{exercise.measure.__module__}:{exercise.measure.__qualname__}",
        "op": exercise.op,
        "target": encode(exercise.target),
        "rtol": exercise.rtol,
        "atol": exercise.atol,
        "describe": exercise.describe,
    }


def answer_entries(chapter: S.ChapterSpec, numbers: Any, salt_prefix: str) -> dict[str, dict]:
    """The value and choice entries for one learner's numbers (release puts them in a learner's copy)."""
    entries = {}
    for exercise_id, exercise in chapter.exercises.items():
        salt = f"{salt_prefix}:{exercise_id}"
        if isinstance(exercise, S.ValueExercise):
            entries[exercise_id] = value_entry(exercise, numbers, salt)
        elif isinstance(exercise, S.ChoiceExercise):
            entries[exercise_id] = choice_entry(exercise, numbers, salt)
    return entries


def chapter_data(chapter: S.ChapterSpec) -> dict:
    """All recorded entries of a chapter, value answers for the public numbers (seed DEFAULT_SEED)."""
    answers = answer_entries(chapter, chapter.numbers(S.DEFAULT_SEED), salt_prefix=f"public{S.DEFAULT_SEED}")
    exercises = {}
    for exercise_id, exercise in sorted(chapter.exercises.items()):
        if isinstance(exercise, S.FunctionExercise):
            entry = function_entry(exercise)
        elif isinstance(exercise, S.PropertyExercise):
            entry = property_entry(exercise)
        else:
            entry = answers[exercise_id]
        entry.update(hints=list(exercise.hints), section=exercise.section)
        exercises[exercise_id] = entry
    return {"format": FORMAT, "chapter": chapter.chapter, "exercises": exercises}


def serialise(data: dict) -> bytes:
    """Deterministic gzip'd JSON (mtime 0), so the same specs always give the same bytes."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)


def data_path(directory: Path, chapter: str) -> Path:
    return Path(directory) / f"ch{chapter}.json.gz"


def record_directory(spec_dir: Path, out_dir: Path = DATA_DIR) -> list[Path]:
    """Record every chNN.py of `spec_dir` into `out_dir`; returns the files written."""
    written = []
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for chapter, spec in sorted(S.load_directory(spec_dir).items()):
        path = data_path(out_dir, chapter)
        path.write_bytes(serialise(chapter_data(spec)))
        written.append(path)
    return written


def normalised_choice(word: str, entry: dict) -> str | None:
    """A learner's word as one of the entry's choices (aliases applied), or None if it is none of them."""
    word = normalise_word(word)
    word = entry.get("aliases", {}).get(word, word)
    return word if word in entry["choices"] else None
