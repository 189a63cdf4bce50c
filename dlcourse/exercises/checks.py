"""`check("03.relu", relu)`: run an exercise's check on the learner's answer and explain what differs.

A failure raises `CheckFailed`, an AssertionError (so nbgrader and nbval see a failed cell) whose
message is the whole story: which input, what differs (shape, dtype, NaNs, values), the line of the
learner's own code that crashed, and the exercise's hint. The reference solution is never shown.
"""

import copy
import inspect
import sysconfig
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from dlcourse.exercises import registry

STUB_MESSAGE = "not implemented yet — replace the `raise NotImplementedError()` with your code"
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])  # dlcourse/: frames in here are ours, not theirs
# Frames from the standard library, installed packages and dlcourse itself are not the learner's code.
_LIBRARY_DIRS = tuple({_PACKAGE_DIR} | {sysconfig.get_path(name) for name in ("stdlib", "purelib", "platlib")})


def describe(value: Any) -> str:
    """A short, readable rendering of an input or output: arrays abbreviated, with shape and dtype."""
    if isinstance(value, np.ndarray):
        with np.printoptions(threshold=12, edgeitems=2, precision=4, linewidth=90):
            text = np.array2string(value, separator=", ").replace("\n", " ")
        return f"array({text}) (shape {value.shape}, {value.dtype})"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _as_array(value: Any) -> Any:
    """Tensors (anything with .numpy()) compare as their arrays."""
    if not isinstance(value, np.ndarray) and callable(getattr(value, "numpy", None)):
        return np.asarray(value.numpy())
    return value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, int | float | complex | np.number | np.bool_) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    )


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_) or (isinstance(value, np.ndarray) and value.dtype == bool)


def _array_difference(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float, check_dtype: bool):
    if expected.shape != got.shape:
        return f"shape differs: expected {expected.shape}, got {got.shape}"
    if check_dtype and expected.dtype != got.dtype:
        return f"dtype differs: expected {expected.dtype}, got {got.dtype}"
    if expected.dtype.kind not in "fc" or got.dtype.kind not in "fciub":
        wrong = expected != got
    else:
        for name, test in (("NaN", np.isnan), ("infinite", np.isinf)):
            unexpected = test(got) & ~test(expected)
            if unexpected.any():
                where = tuple(int(i) for i in np.argwhere(unexpected)[0])
                return (
                    f"your output has {int(unexpected.sum())} {name} value(s) (first at index {where}) "
                    f"where the expected output is finite — look for 0/0, log(0) or an overflowing exp"
                )
        wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not wrong.any():
        return None
    where = tuple(int(i) for i in np.argwhere(wrong)[0]) if wrong.ndim else ()
    text = (
        f"values differ at index {where} ({int(wrong.sum())} of {wrong.size} elements): "
        f"expected {expected[where].item()!r}, got {got[where].item()!r}"
    )
    if expected.dtype.kind in "fciub" and got.dtype.kind in "fciub":
        finite = np.isfinite(expected) & np.isfinite(got)
        if finite.any():
            text += f"; max abs diff {np.max(np.abs(expected[finite] - got[finite])):.3g}"
    return text


def difference(expected: Any, got: Any, rtol: float = 1e-5, atol: float = 1e-8, check_dtype: bool = True):
    """None if `got` matches `expected`, else a sentence saying what differs (recurses into tuples)."""
    expected, got = _as_array(expected), _as_array(got)
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list):
            return f"expected a {type(expected).__name__} of {len(expected)} values, got {describe(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} values, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            problem = difference(e, g, rtol, atol, check_dtype)
            if problem is not None:
                return f"output[{i}]: {problem}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got {describe(got)}"
        for key in expected:
            problem = difference(expected[key], got[key], rtol, atol, check_dtype)
            if problem is not None:
                return f"output[{key!r}]: {problem}"
        return None
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray):
            return f"expected a NumPy array of shape {expected.shape}, got {describe(got)}"
        return _array_difference(expected, got, rtol, atol, check_dtype)
    if _is_scalar(expected):
        if isinstance(got, np.ndarray) and got.ndim > 0:
            return f"expected a single number, got an array of shape {got.shape}"
        if not _is_scalar(got) or _is_bool(got) != _is_bool(expected):
            return f"expected a number like {describe(expected)}, got {describe(got)}"
        return _array_difference(np.asarray(expected), np.asarray(got), rtol, atol, check_dtype=False)
    if expected != got:
        return f"expected {describe(expected)}, got {describe(got)}"
    return None


class CheckFailed(AssertionError):
    """A learner's answer did not pass; the message explains why (and IPython shows only the message)."""

    def __init__(self, exercise_id: str, problem: str, hint: str = ""):
        self.exercise_id = exercise_id
        lines = [f"✗ {exercise_id}: {problem}"]
        if hint:
            lines.append(f"Hint: {hint}")
        super().__init__("\n".join(lines))

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: the learner sees the explanation only.
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


def _learner_frame(error: BaseException) -> traceback.FrameSummary | None:
    """The innermost traceback frame in the learner's code (not NumPy's, not dlcourse's)."""
    frames = traceback.extract_tb(error.__traceback__)
    theirs = [f for f in frames if not f.filename.startswith(_LIBRARY_DIRS) and not registry.is_check_file(f.filename)]
    return theirs[-1] if theirs else None


def explain_exception(error: BaseException) -> str:
    """'your code raised ValueError: … (in relu, line 3: `return …`)'; stubs get the friendly message."""
    if isinstance(error, NotImplementedError):
        return STUB_MESSAGE
    text = f"your code raised {type(error).__name__}: {error}"
    frame = _learner_frame(error)
    if frame is not None:
        where = f"in {frame.name}, line {frame.lineno}" if frame.name != "<module>" else f"line {frame.lineno}"
        text += f"\n  {where}" + (f": {frame.line.strip()}" if frame.line else "")
    return text


def _call_learner(exercise_id: str, fn: Any, case: registry.Case, shown_input: str, hint: str) -> Any:
    try:
        return fn(*case.args, **case.kwargs)
    except Exception as error:
        message = explain_exception(error)
        if message != STUB_MESSAGE:
            message += f"\n  on input: {shown_input}"
        raise CheckFailed(exercise_id, message, hint) from None


def _arg_names(fn: Any, case: registry.Case) -> list[str]:
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(len(case.args))]


def show_case(reference: Any, case: registry.Case) -> str:
    """'x = array([...]) (shape (4, 5), float64)' — the failing input, abbreviated."""
    names = _arg_names(reference, case) + list(case.kwargs)
    values = list(case.args) + list(case.kwargs.values())
    return ", ".join(f"{name} = {describe(value)}" for name, value in zip(names, values))


def _mutated_argument(original: registry.Case, after_call: registry.Case, names: list[str]) -> str | None:
    for name, before, after in zip(names, original.args, after_call.args):
        if isinstance(before, np.ndarray) and difference(before, after, rtol=0, atol=0) is not None:
            return name
    return None


def run_function_check(spec: registry.FunctionSpec, answer: Any) -> int:
    """Call reference and learner on every case; raise CheckFailed at the first difference."""
    if not callable(answer):
        problem = f"expected a function, got {type(answer).__name__}"
        if answer is None:
            problem += " — did you run the cell that defines it?"
        raise CheckFailed(spec.exercise_id, problem, spec.hint)
    rng = np.random.default_rng(spec.seed)
    cases = list(spec.cases) + [registry.as_case(spec.random_case(rng)) for _ in range(spec.n_random)]
    for number, case in enumerate(cases, start=1):
        expected = spec.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        learner_case = registry.Case(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        shown = show_case(spec.reference, case)
        got = _call_learner(spec.exercise_id, answer, learner_case, shown, spec.hint)
        if got is None and expected is not None:
            problem = "your function returned None — did you forget a `return`?"
            raise CheckFailed(spec.exercise_id, problem, spec.hint)
        problem = difference(expected, got, spec.rtol, spec.atol, spec.check_dtype)
        if problem is None and not spec.allow_input_mutation:
            changed = _mutated_argument(case, learner_case, _arg_names(spec.reference, case))
            if changed:
                problem = f"your function changed its input `{changed}` in place; work on a copy instead"
        if problem is not None:
            where = f"case {number} of {len(cases)}"
            raise CheckFailed(spec.exercise_id, f"{where}: {problem}\n  on input: {shown}", spec.hint)
    return len(cases)


def run_value_check(spec: registry.ValueSpec, answer: Any) -> int:
    """Compare a value; unless `reveal`, say only how it is off (never what the answer is)."""
    problem = difference(spec.expected, answer, spec.rtol, spec.atol, check_dtype=False)
    if problem is None:
        return 1
    if not spec.reveal:
        problem = f"{describe(answer)} is not the expected value"
        scalar = np.ndim(answer) == 0 and np.ndim(spec.expected) == 0
        if scalar and isinstance(answer, int | float | np.number) and np.isfinite(answer):
            problem += " (too large)" if answer > spec.expected else " (too small)"
    raise CheckFailed(spec.exercise_id, problem, spec.hint)


def _run_learner_facing(exercise_id: str, hint: str, fn: Any, answer: Any) -> Any:
    """Run author code `fn(answer)`; AssertionErrors are the check's verdict, other errors explained."""
    try:
        return fn(answer)
    except CheckFailed:
        raise
    except AssertionError as error:
        raise CheckFailed(exercise_id, str(error) or "your answer is not right yet", hint) from None
    except Exception as error:
        if isinstance(error, NotImplementedError) or _learner_frame(error) is not None:
            raise CheckFailed(exercise_id, explain_exception(error), hint) from None
        # The check's own code choked on the answer — usually a value of the wrong kind. Chained
        # (`from error`) so that course authors still get the full traceback outside IPython.
        problem = f"your answer could not be checked ({type(error).__name__}: {error}); is it the right kind of value?"
        raise CheckFailed(exercise_id, problem, hint) from error


def run_predicate_check(spec: registry.PredicateSpec, answer: Any) -> int:
    if not _run_learner_facing(spec.exercise_id, spec.hint, spec.predicate, answer):
        problem = f"{describe(answer)} does not meet the requirement: {spec.requirement}"
        raise CheckFailed(spec.exercise_id, problem, spec.hint)
    return 1


def run_custom_check(spec: registry.CustomSpec, answer: Any) -> int:
    count = _run_learner_facing(spec.exercise_id, spec.hint, spec.run, answer)
    return count if isinstance(count, int) else 1


_RUNNERS = {
    registry.FunctionSpec: run_function_check,
    registry.ValueSpec: run_value_check,
    registry.PredicateSpec: run_predicate_check,
    registry.CustomSpec: run_custom_check,
}


def check(exercise_id: str, answer: Any) -> None:
    """Check the learner's `answer` for exercise `exercise_id`; print ✓ or raise CheckFailed."""
    spec = registry.lookup(exercise_id)
    n_cases = _RUNNERS[type(spec)](spec, answer)
    print(f"✓ {exercise_id} passed ({n_cases} case{'s' if n_cases != 1 else ''})")
