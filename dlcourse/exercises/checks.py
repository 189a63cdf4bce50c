"""`check("04.bce_with_logits", bce_with_logits)`: run an exercise's check on an answer and explain what differs.

The check reads the exercise's *recorded* data (record.py): inputs with the expected outputs, or salted
hashes of a value answer — the reference solution is never in the package. A failure raises `CheckFailed`,
an AssertionError (so nbgrader and nbval see a failed cell) whose message is the whole story: which input,
what differs (shape, dtype, NaNs, values), the line of the learner's own code that crashed, and a hint.

Hints are tiered: the first time an answer fails in a given way the learner gets the gentlest nudge (an
idea, a question, the section to reread); failing the same way again gives a more specific one (the rule or step
to use and a value to check against, never code or the formula written out). A recognised plausible
mistake gets its own hint.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import sysconfig
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from dlcourse.exercises import recorded
from dlcourse.exercises.compare import describe, difference
from dlcourse.exercises.digests import Tolerance, digest_of_guess, is_number
from dlcourse.exercises.encoding import decode
from dlcourse.exercises.record import fingerprint, normalised_choice

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])  # dlcourse/: frames in here are ours, not theirs
# Frames from the standard library, installed packages and dlcourse itself are not the learner's code.
_LIBRARY_DIRS = tuple({_PACKAGE_DIR} | {sysconfig.get_path(name) for name in ("stdlib", "purelib", "platlib")})
_attempts: dict[tuple[str, str], int] = {}  # (exercise, how it failed) → failures so far, for hint tiers


def stub_message(entry: dict) -> str:
    return f"not implemented yet — the idea is explained in {entry['section']}"


def unanswered_message(entry: dict) -> str:
    return f"no answer yet — replace the `...` with your answer (the idea is explained in {entry['section']})"


class CheckFailed(AssertionError):
    """A learner's answer did not pass; the message explains why (and IPython shows only the message)."""

    def __init__(self, exercise_id: str, problem: str, hint: str = ""):
        self.exercise_id = exercise_id
        self.problem = problem
        self.hint = hint
        lines = [f"✗ {exercise_id}: {problem}"]
        if hint:
            lines.append(f"Hint: {hint}")
        super().__init__("\n".join(lines))

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: the learner sees the explanation only.
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


def tiered_hint(exercise_id: str, entry: dict, problem: str) -> str:
    """hints[0] for a new way of failing, hints[1] when the same failure comes back, and so on."""
    key = (exercise_id, problem)
    count = _attempts.get(key, 0)
    _attempts[key] = count + 1
    hints = entry["hints"]
    return hints[min(count, len(hints) - 1)]


def fail(exercise_id: str, entry: dict, problem: str, hint: str | None = None) -> CheckFailed:
    return CheckFailed(exercise_id, problem, hint if hint is not None else tiered_hint(exercise_id, entry, problem))


# ------------------------------------------------------------------------------------------ learner errors
def _learner_frame(error: BaseException) -> traceback.FrameSummary | None:
    """The innermost traceback frame in the learner's code (not NumPy's, not dlcourse's)."""
    frames = traceback.extract_tb(error.__traceback__)
    theirs = [f for f in frames if not f.filename.startswith(_LIBRARY_DIRS)]
    return theirs[-1] if theirs else None


def explain_exception(error: BaseException) -> str:
    """'your code raised ValueError: … (in relu, line 3: `return …`)'."""
    text = f"your code raised {type(error).__name__}: {error}"
    frame = _learner_frame(error)
    if frame is not None:
        where = f"in {frame.name}, line {frame.lineno}" if frame.name != "<module>" else f"line {frame.lineno}"
        text += f"\n  {where}" + (f": {frame.line.strip()}" if frame.line else "")
    return text


def _arg_names(fn: Any, n_args: int) -> list[str]:
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(n_args)]


def show_case(fn: Any, args: list, kwargs: dict) -> str:
    """'x = array([...]) (shape (4, 5), float64)' — the failing input, abbreviated."""
    names = _arg_names(fn, len(args)) + list(kwargs)
    values = list(args) + list(kwargs.values())
    return ", ".join(f"{name} = {describe(value)}" for name, value in zip(names, values))


# ------------------------------------------------------------------------------------------ kinds of check
def run_function_check(exercise_id: str, entry: dict, answer: Any) -> int:
    """Call the learner's function on every recorded case; raise CheckFailed at the first difference."""
    if not callable(answer):
        problem = f"expected a function, got {type(answer).__name__}"
        if answer is None:
            problem += " — did you run the cell that defines it?"
        raise fail(exercise_id, entry, problem)
    cases = entry["cases"]
    for number, case in enumerate(cases, start=1):
        args = decode(case["args"], allow_callables=True)
        kwargs = decode(case["kwargs"], allow_callables=True)
        expected = decode(case["expected"])
        given_args, given_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        shown = show_case(answer, args, kwargs)
        try:
            got = answer(*given_args, **given_kwargs)
        except NotImplementedError:
            raise CheckFailed(exercise_id, stub_message(entry)) from None
        except Exception as error:
            raise fail(exercise_id, entry, f"{explain_exception(error)}\n  on input: {shown}") from None
        where = f"case {number} of {len(cases)}"
        if got is None and expected is not None:
            problem = "your function returned None — did you forget a `return`?"
            raise fail(exercise_id, entry, problem)
        problem = difference(expected, got, entry["rtol"], entry["atol"], entry["check_dtype"])
        if problem is None and not entry["allow_input_mutation"]:
            for name, before, after in zip(_arg_names(answer, len(args)), args, given_args):
                if isinstance(before, np.ndarray) and difference(before, after, rtol=0, atol=0) is not None:
                    problem = f"your function changed its input `{name}` in place; work on a copy instead"
                    break
        if problem is not None:
            hint = _mistake_hint(entry, number - 1, got)
            raise fail(exercise_id, entry, f"{where}: {problem}\n  on input: {shown}", hint)
    return len(cases)


def _mistake_hint(entry: dict, case_index: int, got: Any) -> str | None:
    """The hint of a recorded plausible mistake whose output on this case is what the learner returned."""
    mark = fingerprint(got)
    for mistake in entry.get("mistakes", []):
        if mistake["case"] == case_index and mistake["fingerprint"] == mark:
            return mistake["hint"]
    return None


def _unanswered(answer: Any) -> bool:
    return answer is Ellipsis or answer is None


def _same_shape(shape: str, value: Any) -> str | None:
    """None if `value` is the kind of answer asked for (a number, a whole number, a word, True/False)."""
    if shape == "bool":
        ok = isinstance(value, bool | np.bool_)
        wanted = "True or False"
    elif shape == "word":
        ok, wanted = isinstance(value, str), "a word (a string such as 'relu')"
    elif shape == "int":
        ok = is_number(value) and float(value) == int(value)
        wanted = "a whole number"
    else:
        ok, wanted = is_number(value), "a number"
    return None if ok else f"expected {wanted}, got {describe(value)}"


def _tolerance(entry: dict) -> Tolerance | None:
    data = entry.get("tolerance")
    return None if data is None else Tolerance(data["absolute"], data["relative"])


def _matches(value: Any, digests: list[str], entry: dict) -> bool:
    if is_number(value) and not np.isfinite(float(value)):
        return False
    return digest_of_guess(value, entry["salt"], _tolerance(entry)) in digests


def run_value_check(exercise_id: str, entry: dict, answer: Any) -> int:
    """Compare a value with the recorded hashes; say how the answer is wrong, never what is right."""
    if _unanswered(answer):
        raise CheckFailed(exercise_id, unanswered_message(entry))
    shape = entry["shape"]
    if isinstance(shape, dict):  # a dict of named values, each checked on its own
        if not isinstance(answer, dict):
            raise fail(exercise_id, entry, f"expected a dict with the keys {sorted(shape)}, got {describe(answer)}")
        missing = sorted(set(shape) - set(answer))
        if missing:
            raise fail(exercise_id, entry, f"the dict needs the keys {sorted(shape)}; missing: {missing}")
        wrong = []
        for key in shape:
            problem = _same_shape(shape[key], answer[key])
            if problem:
                raise fail(exercise_id, entry, f"answer[{key!r}]: {problem}")
            if not _matches(answer[key], entry["digests"][key], entry):
                known = [
                    m["hint"]
                    for m in entry["mistakes"]
                    if m.get("key") == key and _matches(answer[key], m["digests"], entry)
                ]
                note = known[0] if known else entry["key_hints"].get(key, "")
                wrong.append(f"answer[{key!r}] = {describe(answer[key])} is not right" + (f": {note}" if note else ""))
        if wrong:
            raise fail(exercise_id, entry, "\n  ".join(wrong))
        return len(shape)
    problem = _same_shape(shape, answer)
    if problem:
        raise fail(exercise_id, entry, problem)
    if _matches(answer, entry["digests"], entry):
        return 1
    whole = [m for m in entry["mistakes"] if "key" not in m]
    mistake = next((m["hint"] for m in whole if _matches(answer, m["digests"], entry)), None)
    raise fail(exercise_id, entry, f"{describe(answer)} is not the expected value", mistake)


def _reveal(entry: dict) -> dict:
    import base64
    import json
    import zlib

    return json.loads(zlib.decompress(base64.b64decode(entry["reveal"])))


def run_choice_check(exercise_id: str, entry: dict, answer: Any) -> int:
    """A graded choice is only confirmed as valid; a prediction (no points) is revealed and explained."""
    choices = ", ".join(repr(c) for c in entry["choices"])
    if _unanswered(answer):
        raise CheckFailed(exercise_id, f"no answer yet — replace the `...` with one of {choices}")
    if not isinstance(answer, str):
        raise fail(exercise_id, entry, f"answer with one of {choices} (a string), got {describe(answer)}")
    choice = normalised_choice(answer, entry)
    if choice is None:
        raise fail(exercise_id, entry, f"{answer!r} is not one of {choices}")
    if entry["graded"]:
        print(
            f"• {exercise_id}: {choice!r} is a valid choice. Choice questions are scored when your work is "
            "graded, so check() does not say whether it is right."
        )
        return 0
    revealed = _reveal(entry)
    verdict = "✓ right" if choice == revealed["answer"] else f"✗ the answer is {revealed['answer']!r}"
    print(f"{exercise_id}: you predicted {choice!r} — {verdict}.\n{revealed['explanation']}")
    return 0


_OPS = {"==": None, "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _measure(name: str):
    module_name, _, attribute = name.partition(":")
    if not module_name.startswith("dlcourse."):
        raise ValueError(f"measurements come from dlcourse, not {name!r}")
    target = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


def run_property_check(exercise_id: str, entry: dict, answer: Any) -> int:
    """Measure the answer with the library's public function and test the stated requirement."""
    if _unanswered(answer):
        raise CheckFailed(exercise_id, unanswered_message(entry))
    try:
        measured = _measure(entry["measure"])(answer)
    except NotImplementedError:
        raise CheckFailed(exercise_id, stub_message(entry)) from None
    except (TypeError, ValueError) as error:
        raise fail(exercise_id, entry, f"your answer could not be measured: {error}") from None
    except Exception as error:
        raise fail(exercise_id, entry, explain_exception(error)) from None
    target = decode(entry["target"])
    if entry["op"] == "==":
        problem = difference(target, measured, entry["rtol"], entry["atol"], check_dtype=False)
        if problem is not None:
            raise fail(exercise_id, entry, f"{entry['describe']}: {problem}")
        return 1
    if not bool(np.all(_OPS[entry["op"]](measured, target))):
        shown = describe(measured)
        raise fail(exercise_id, entry, f"{entry['describe']} is {shown}; it must be {entry['op']} {describe(target)}")
    return 1


_RUNNERS = {
    "function": run_function_check,
    "value": run_value_check,
    "choice": run_choice_check,
    "property": run_property_check,
}


def check(exercise_id: str, answer: Any) -> None:
    """Check the learner's `answer` for exercise `exercise_id`; print ✓ or raise CheckFailed."""
    entry = recorded.lookup(exercise_id)
    n_cases = _RUNNERS[entry["kind"]](exercise_id, entry, answer)
    if n_cases:
        print(f"✓ {exercise_id} passed ({n_cases} case{'s' if n_cases != 1 else ''})")
