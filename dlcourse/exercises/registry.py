"""Where exercise checks are registered, and how `check("03.relu", ...)` finds them.

Chapter authors describe each exercise once, in `dlcourse/exercises/chNN.py`:

    from dlcourse.exercises.registry import Case, function_check, value_check

    @function_check(
        "03.relu",
        cases=[Case(np.array([-2.0, -0.0, 0.0, 3.0]))],           # edge cases, tried first
        random_case=lambda rng: Case(rng.normal(size=(4, 5))),    # then seeded random inputs
        hint="ReLU keeps positives and zeroes negatives: np.maximum(0, x).",
    )
    def relu(x):                                                  # the reference answer
        return np.maximum(0.0, x)

    value_check("05.lr_guess", expected=0.1, atol=0.02, hint="Try the largest lr that still converges.")

The registry only stores these descriptions; `dlcourse.exercises.checks` runs them. Chapter modules are
imported lazily: the first `check("03.…", ...)` imports `dlcourse.exercises.ch03` (and `ch03.py` from any
directory listed in the `DLCOURSE_CHECKS_PATH` environment variable, for instructors' own exercises).
"""

import importlib
import importlib.util
import os
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXERCISE_ID = re.compile(r"^(\d{2})\.[A-Za-z0-9_]+$")  # "03.relu": two-digit chapter, dot, name


class Case:
    """One input to try: `Case(x, y, axis=1)` calls `fn(x, y, axis=1)`."""

    def __init__(self, *args: Any, **kwargs: Any):
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"Case({', '.join(parts)})"


def as_case(case: Any) -> Case:
    """Accept `Case(...)` or a tuple of positional arguments; anything else is an author mistake."""
    if isinstance(case, Case):
        return case
    if isinstance(case, tuple):
        return Case(*case)
    raise TypeError(
        f"a case must be Case(...) or a tuple of arguments, got {type(case).__name__}; "
        "for a single argument write Case(x) (not x)"
    )


@dataclass
class FunctionSpec:
    """Compare the learner's function with `reference` on `cases` + `n_random` seeded random cases."""

    exercise_id: str
    reference: Callable
    cases: list[Case]
    random_case: Callable[[Any], Any] | None
    n_random: int
    rtol: float
    atol: float
    check_dtype: bool
    allow_input_mutation: bool
    hint: str
    seed: int


@dataclass
class ValueSpec:
    """Compare the learner's value with `expected`; by default the expected value is never shown."""

    exercise_id: str
    expected: Any
    rtol: float
    atol: float
    reveal: bool
    hint: str


@dataclass
class PredicateSpec:
    """The learner's answer passes if `predicate(answer)` is true; `requirement` says what it asks for."""

    exercise_id: str
    predicate: Callable[[Any], bool]
    requirement: str
    hint: str


@dataclass
class CustomSpec:
    """A hand-written check: `run(answer)` raises AssertionError("what is wrong") or returns a case count."""

    exercise_id: str
    run: Callable[[Any], int | None]
    hint: str


Spec = FunctionSpec | ValueSpec | PredicateSpec | CustomSpec


@dataclass
class _Registry:
    specs: dict[str, Spec] = field(default_factory=dict)
    loaded_chapters: set[str] = field(default_factory=set)
    check_files: set[str] = field(default_factory=set)  # chNN.py files from DLCOURSE_CHECKS_PATH


_REGISTRY = _Registry()


def _register(spec: Spec) -> Spec:
    if not EXERCISE_ID.match(spec.exercise_id):
        raise ValueError(f"exercise id {spec.exercise_id!r} must look like '03.relu' (two-digit chapter, dot, name)")
    _REGISTRY.specs[spec.exercise_id] = spec  # re-registering (a reloaded module) replaces the old spec
    return spec


def function_check(
    exercise_id: str,
    reference: Callable | None = None,
    *,
    cases: Sequence[Any] = (),
    random_case: Callable[[Any], Any] | None = None,
    n_random: int = 10,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    check_dtype: bool = True,
    allow_input_mutation: bool = False,
    hint: str = "",
    seed: int | None = None,
):
    """Register a function exercise; use as a decorator on the reference or pass `reference=`."""
    if not cases and random_case is None:
        raise ValueError(f"{exercise_id}: give at least one case or a random_case generator")

    def register(reference_fn: Callable) -> Callable:
        _register(
            FunctionSpec(
                exercise_id=exercise_id,
                reference=reference_fn,
                cases=[as_case(c) for c in cases],
                random_case=random_case,
                n_random=n_random if random_case is not None else 0,
                rtol=rtol,
                atol=atol,
                check_dtype=check_dtype,
                allow_input_mutation=allow_input_mutation,
                hint=hint,
                # a stable seed per exercise: the same random inputs every run, on every machine
                seed=zlib.crc32(exercise_id.encode()) if seed is None else seed,
            )
        )
        return reference_fn

    return register if reference is None else register(reference)


def value_check(
    exercise_id: str,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    reveal: bool = False,
    hint: str = "",
) -> None:
    """Register a value exercise: `check(id, value)` passes if value ≈ expected (|v − e| ≤ atol + rtol·|e|)."""
    _register(ValueSpec(exercise_id, expected, rtol, atol, reveal, hint))


def predicate_check(exercise_id: str, predicate: Callable[[Any], bool], *, requirement: str, hint: str = "") -> None:
    """Register an exercise whose answer passes when `predicate(answer)` is true."""
    _register(PredicateSpec(exercise_id, predicate, requirement, hint))


def exercise(exercise_id: str, *, hint: str = ""):
    """Decorator for a hand-written check `fn(answer)`: raise AssertionError("why") to fail."""

    def register(run: Callable[[Any], int | None]) -> Callable[[Any], int | None]:
        _register(CustomSpec(exercise_id, run, hint))
        return run

    return register


class UnknownExercise(LookupError):
    """`check()` was called with an id nobody registered (a typo, or the chapter's checks are missing)."""


def _load_chapter(chapter: str) -> None:
    """Import `dlcourse.exercises.chNN` and every `chNN.py` on DLCOURSE_CHECKS_PATH, once."""
    if chapter in _REGISTRY.loaded_chapters:
        return
    module_name = f"dlcourse.exercises.ch{chapter}"
    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:  # the chapter module exists but one of *its* imports is missing
            raise
    for directory in os.environ.get("DLCOURSE_CHECKS_PATH", "").split(os.pathsep):
        path = Path(directory) / f"ch{chapter}.py"
        if directory and path.is_file():
            spec = importlib.util.spec_from_file_location(f"dlcourse_checks_ch{chapter}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _REGISTRY.check_files.add(str(path))
    _REGISTRY.loaded_chapters.add(chapter)  # only once it all worked: a broken module errors every time


def lookup(exercise_id: str) -> Spec:
    """The registered spec for `exercise_id`, importing its chapter's checks on first use."""
    match = EXERCISE_ID.match(exercise_id) if isinstance(exercise_id, str) else None
    if match:
        _load_chapter(match.group(1))
    if exercise_id not in _REGISTRY.specs:
        known = ", ".join(sorted(_REGISTRY.specs)) or "none loaded"
        raise UnknownExercise(f"no check named {exercise_id!r} (known: {known})")
    return _REGISTRY.specs[exercise_id]


def is_check_file(filename: str) -> bool:
    """Whether `filename` is a chapter-checks file loaded from DLCOURSE_CHECKS_PATH (course code, not learner code)."""
    return filename in _REGISTRY.check_files


def registered_ids() -> list[str]:
    """Ids registered so far (chapters are loaded lazily, so this grows as checks are used)."""
    return sorted(_REGISTRY.specs)
