"""Decide, in the grader's own process, whether a submission's probe values earn an exercise's points.

Two kinds of probe:
- differential (the default): the value must match what the same probe reported on the instructor's
  solution (tolerances from the instructor's probe options, never from the submission's);
- judged by a spec (`probe(..., spec="08.conv_params")`): the instructor's exercise description decides,
  with the learner's own numbers (value and choice answers, public measurements such as "the loss after
  200 steps with your learning rate").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse.exercises import spec as S
from dlcourse.exercises.compare import describe, difference
from dlcourse.exercises.digests import Tolerance, is_number, normalise_word

DEFAULT_RTOL, DEFAULT_ATOL = 1e-5, 1e-8


def _judge_single_value(answer: Any, got: Any, tolerance: Tolerance | None) -> bool:
    if isinstance(answer, S.AnyOf):
        return any(_judge_single_value(a, got, tolerance) for a in answer.values)
    if isinstance(answer, bool | np.bool_):
        return isinstance(got, bool | np.bool_) and bool(got) == bool(answer)
    if isinstance(answer, str):
        return isinstance(got, str) and normalise_word(got) == normalise_word(answer)
    if not is_number(got) or not np.isfinite(float(got)):
        return False
    if tolerance is None:
        return float(got) == float(answer)
    return tolerance.accepts(float(answer), float(got))


def judge_value(exercise: S.ValueExercise, numbers: Any, got: Any) -> str | None:
    answer = exercise.answer_for(numbers)
    if isinstance(answer, dict):
        if not isinstance(got, dict):
            return f"expected a dict with the keys {sorted(answer)}, got {describe(got)}"
        wrong = [
            key
            for key in answer
            if key not in got or not _judge_single_value(answer[key], got[key], exercise.tolerance)
        ]
        return f"wrong or missing: {', '.join(map(repr, wrong))}" if wrong else None
    if _judge_single_value(answer, got, exercise.tolerance):
        return None
    return f"{describe(got)} is not the expected value"


def judge_choice(exercise: S.ChoiceExercise, numbers: Any, got: Any) -> str | None:
    if not isinstance(got, str):
        return f"expected one of {list(exercise.choices)}, got {describe(got)}"
    word = normalise_word(got)
    word = exercise.aliases.get(word, word)
    if word not in exercise.choices:
        return f"{got!r} is not one of {list(exercise.choices)}"
    return None if word == exercise.answer_for(numbers) else f"{word!r} is not the right choice"


_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def judge_property(exercise: S.PropertyExercise, got: Any) -> str | None:
    try:
        measured = exercise.measure(got)
    except Exception as error:  # the measurement is the library's; a bad answer value makes it fail
        return f"the answer could not be measured ({type(error).__name__}: {str(error)[:200]})"
    if exercise.op == "==":
        problem = difference(exercise.target, measured, exercise.rtol, exercise.atol, check_dtype=False)
        return None if problem is None else f"{exercise.describe}: {problem}"
    if bool(np.all(_COMPARE[exercise.op](measured, exercise.target))):
        return None
    return f"{exercise.describe} is {describe(measured)}; it must be {exercise.op} {describe(exercise.target)}"


def judge_by_spec(exercise: S.Exercise, numbers: Any, got: Any) -> str | None:
    if isinstance(exercise, S.ValueExercise):
        return judge_value(exercise, numbers, got)
    if isinstance(exercise, S.ChoiceExercise):
        return judge_choice(exercise, numbers, got)
    if isinstance(exercise, S.PropertyExercise):
        return judge_property(exercise, got)
    raise S.SpecError(f"{exercise.exercise_id}: function exercises are judged by comparison, not by spec")


def judge_probe(expected: dict, got: dict | None, chapter: S.ChapterSpec | None, numbers: Any) -> str | None:
    """None if the submission's probe record `got` passes against the instructor's record `expected`."""
    label = expected["label"]
    if got is None:
        return f"{label}: no result (the code before it stopped or the probe was removed)"
    if "error" in got:
        return f"{label}: {got['error']}"
    options = expected.get("options", {})
    spec_id = options.get("spec")
    if spec_id:
        if chapter is None or spec_id not in chapter.exercises:
            raise S.SpecError(f"probe {label!r} names the spec {spec_id!r}, which the chapter's checks do not declare")
        problem = judge_by_spec(chapter.exercises[spec_id], numbers, got["value"])
    else:
        problem = difference(
            expected["value"],
            got["value"],
            float(options.get("rtol", DEFAULT_RTOL)),
            float(options.get("atol", DEFAULT_ATOL)),
            bool(options.get("check_dtype", False)),
        )
    return None if problem is None else f"{label}: {problem}"


def judge_test(expected: list[dict], got: list[dict], chapter: S.ChapterSpec | None, numbers: Any) -> str | None:
    """None if every probe of a test cell passes, else the first problem (what the report shows)."""
    if not expected:
        raise S.SpecError("a graded test cell has no probes in its hidden tests")
    first_by_label: dict[str, dict] = {}
    for record in got:
        if isinstance(record.get("label"), str):
            first_by_label.setdefault(record["label"], record)
    for record in expected:
        problem = judge_probe(record, first_by_label.get(record["label"]), chapter, numbers)
        if problem is not None:
            return problem
    return None
