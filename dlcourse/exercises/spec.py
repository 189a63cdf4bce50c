"""How an instructor describes a chapter's exercises: `instructor/checks/chNN.py` is written with these.

    from dlcourse.exercises.spec import Case, Mistake, function_exercise, value_exercise

    @function_exercise(
        "03.softmax",
        cases=[Case(np.array([1000.0, 1001.0]))],                       # edge cases, tried first
        random_case=lambda rng: Case(rng.normal(size=(3, 4))),          # then seeded random inputs
        section="§4 Softmax, without overflow",
        hints=("What happens to e^z when z is 1000? Can you change z without changing the probabilities?",
               "softmax(z) = softmax(z − c) for any constant c: pick c so that no exponent is positive."),
        mistakes=[Mistake(lambda z: np.exp(z) / np.exp(z).sum(), "Each row is its own distribution.")],
    )
    def softmax(z): ...                     # the reference answer: it stays with the instructor

    numbers(lambda rng: {"conv_in": int(rng.integers(2, 9))})  # this chapter's per-student numbers
    value_exercise("08.conv_params", answer=lambda n: n.conv_in * 9 + 1, section="§3", hints=(...,))

None of this ships answers: `dlcourse record-checks` runs the references once and stores only what the
learner's `check()` needs (inputs, expected outputs, salted hashes of value answers — see record.py),
and the grader imports these files on the instructor's machine only.

Hints are ideas, never code: the first failure shows hints[0], the same failure again hints[1] (and so
on); `section` says where in the chapter the idea is explained.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from dlcourse.exercises.digests import Tolerance, is_number, normalise_word

EXERCISE_ID = re.compile(r"^(\d{2})\.[A-Za-z0-9_]+$")  # "03.relu": two-digit chapter, dot, name
DEFAULT_SEED = 0  # the numbers of the public learner copies in notebooks/


class SpecError(ValueError):
    """An exercise description that cannot work (no cases, a hint with code, an unknown choice...)."""


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
    raise SpecError(
        f"a case must be Case(...) or a tuple of arguments, got {type(case).__name__}; "
        "for a single argument write Case(x) (not x)"
    )


@dataclass
class Mistake:
    """A plausible wrong answer and the hint it deserves; recognised when the learner's output matches it."""

    answer: Any  # a function (function exercises) or a value (value exercises)
    hint: str


@dataclass
class AnyOf:
    """Several right answers: `answer=AnyOf(range(10, 13))` accepts 10, 11 and 12."""

    values: Sequence[Any]


@dataclass
class Exercise:
    exercise_id: str
    hints: tuple[str, ...]
    section: str

    @property
    def chapter(self) -> str:
        return self.exercise_id[:2]


@dataclass
class FunctionExercise(Exercise):
    """The learner writes a function; it is compared with `reference` on cases + seeded random cases."""

    reference: Callable = None
    cases: list[Case] = field(default_factory=list)
    random_case: Callable[[Any], Any] | None = None
    n_random: int = 10
    rtol: float = 1e-5
    atol: float = 1e-8
    check_dtype: bool = True
    allow_input_mutation: bool = False
    mistakes: list[Mistake] = field(default_factory=list)
    seed: int = 0


@dataclass
class ValueExercise(Exercise):
    """The learner computes or measures a value: a number, a whole number, a word, True/False, or a dict of them.

    `answer` is the value, `AnyOf(...)`, or a function of the learner's numbers (per-student variants)."""

    answer: Any = None
    tolerance: Tolerance | None = None
    mistakes: list[Mistake] = field(default_factory=list)
    key_hints: dict[str, str] = field(default_factory=dict)  # for dict answers: one idea per key
    key_mistakes: dict[str, list[Mistake]] = field(default_factory=dict)  # for dict answers: known wrong values

    def answer_for(self, numbers: Any) -> Any:
        return self.answer(numbers) if callable(self.answer) else self.answer


@dataclass
class ChoiceExercise(Exercise):
    """The learner picks one of `choices`.

    graded=True: `check()` only confirms a valid choice (feedback on which is right would make it a guessing
    game); the grader scores it. graded=False (a prediction, worth no points): `check()` reveals the answer
    with `explanation` once the learner has committed to a choice."""

    choices: tuple[str, ...] = ()
    answer: Any = None  # a choice, or a function of the numbers
    graded: bool = True
    explanation: Any = ""  # text, or a function of the numbers (predictions only)
    aliases: dict[str, str] = field(default_factory=dict)

    def answer_for(self, numbers: Any) -> str:
        return normalise_word(self.answer(numbers) if callable(self.answer) else self.answer)

    def explanation_for(self, numbers: Any) -> str:
        return self.explanation(numbers) if callable(self.explanation) else self.explanation


@dataclass
class PropertyExercise(Exercise):
    """The learner's answer is measured by a public function of the library (e.g. the loss after 200 steps
    with their learning rate) and the measurement must satisfy `op target` (both stated in the exercise)."""

    measure: Callable = None  # a named function importable from dlcourse (the learner may read it)
    op: str = "=="  # one of ==, <, <=, >, >=
    target: Any = None
    rtol: float = 1e-5
    atol: float = 1e-8
    describe: str = "the measurement"


OPS = ("==", "<", "<=", ">", ">=")


@dataclass
class ChapterSpec:
    """Everything one `chNN.py` declared."""

    chapter: str
    exercises: dict[str, Exercise] = field(default_factory=dict)
    sampler: Callable[[Any], dict] | None = None  # rng → this chapter's per-student numbers
    path: str = ""

    def numbers(self, seed: int = DEFAULT_SEED) -> SimpleNamespace:
        """The per-student numbers for `seed` (an empty namespace for a chapter without variants)."""
        import numpy as np

        values = self.sampler(np.random.default_rng([int(seed), int(self.chapter)])) if self.sampler else {}
        return SimpleNamespace(**values)


# ------------------------------------------------------------------------------------------ declaring
_DECLARED: dict[str, ChapterSpec] = {}  # chapter → what the chapter's file declared (while it is loaded)
_CODE = re.compile(
    r"np\.|numpy\.|torch\.|\bdef \w|\blambda\b|\bimport \w|(^|[;:])\s*return\b|==|\*\*|\[:|:\]|\baxis\s*=|keepdims"
    r"|\.T\b|\w\(\)|\.(sum|mean|max|min|exp|log|reshape|copy|astype|shape|dot|where|clip|argmax|argmin)\b",
    re.MULTILINE,
)


def code_in_hint(text: str) -> str | None:
    """The first code-like fragment of a hint (hints name ideas; they never show code), or None."""
    found = _CODE.search(text)
    if found:
        return found.group(0)
    backticked = re.search(r"`[^`]*[=()\[\]][^`]*`", text)  # `x[0] = 1`, `f(x)` in backticks: code
    return backticked.group(0) if backticked else None


# A formula is several operators close together ("σ(a)·(1 − σ(a))"), or an equation whose right side holds two
# or more ("z = w₁x₁ + w₂x₂ + b"). A hint that writes the formula out is the answer in math notation.
_OPERATOR = re.compile(r"[+−*/·⊙×^²√Σ∑ᵀ½]| - |(?:σ|tanh|log|exp|cos|sin|relu|max|min|softmax)\(")
_EQUATION_RIGHT_SIDE = re.compile(r"(?<![<>=!≤≥])=(?!=)([^;:,]*?)(?:[;:,]|\. |\.$|$)")


def formula_in_hint(text: str, window: int = 30, most: int = 2) -> str | None:
    """The first written-out formula of a hint (more than `most` operators within `window` characters, or an
    equation with two operators on its right side), or None. Hints name the idea and a sanity check instead."""
    spots = [found.start() for found in _OPERATOR.finditer(text)]
    for first in range(len(spots)):
        last = first
        while last + 1 < len(spots) and spots[last + 1] - spots[first] <= window:
            last += 1
        if last - first + 1 > most:
            return text[max(0, spots[first] - 8) : spots[last] + 8]
    for equation in _EQUATION_RIGHT_SIDE.finditer(text):
        if len(_OPERATOR.findall(equation.group(1))) >= 2:
            return text[max(0, equation.start() - 8) : equation.end()]
    return None


def _chapter_spec(exercise_id: str) -> ChapterSpec:
    match = EXERCISE_ID.match(exercise_id) if isinstance(exercise_id, str) else None
    if not match:
        raise SpecError(f"exercise id {exercise_id!r} must look like '03.relu' (two-digit chapter, dot, name)")
    return _DECLARED.setdefault(match.group(1), ChapterSpec(match.group(1)))


def _check_hints(exercise_id: str, hints: Sequence[str], section: str) -> tuple[str, ...]:
    if isinstance(hints, str):
        hints = (hints,)
    hints = tuple(hints)
    if not hints or not section:
        raise SpecError(f"{exercise_id}: give at least one hint and the section of the chapter that explains the idea")
    for hint in hints:
        fragment = code_in_hint(hint)
        if fragment:
            raise SpecError(f"{exercise_id}: hints name ideas, never code; this one contains {fragment!r}: {hint!r}")
        formula = formula_in_hint(hint)
        if formula:
            raise SpecError(
                f"{exercise_id}: hints name ideas, never the formula that passes; this one writes out {formula!r}: "
                f"{hint!r} (name the rule or step to use and a value to check against instead)"
            )
    return hints


def _declare(exercise: Exercise) -> Exercise:
    spec = _chapter_spec(exercise.exercise_id)
    mistakes = list(getattr(exercise, "mistakes", ())) + [
        m for ms in getattr(exercise, "key_mistakes", {}).values() for m in ms
    ]
    for mistake in mistakes:  # a mistake's hint is a hint too: the same rules
        _check_hints(exercise.exercise_id, (mistake.hint,), exercise.section)
    if exercise.exercise_id in spec.exercises:
        raise SpecError(f"{exercise.exercise_id} is declared twice")
    spec.exercises[exercise.exercise_id] = exercise
    return exercise


def numbers(sampler: Callable[[Any], dict], *, chapter: str) -> None:
    """Declare the chapter's per-student numbers: `sampler(rng)` returns a dict of plain numbers/words."""
    spec = _DECLARED.setdefault(chapter, ChapterSpec(chapter))
    spec.sampler = sampler


def function_exercise(
    exercise_id: str,
    *,
    cases: Sequence[Any] = (),
    random_case: Callable[[Any], Any] | None = None,
    n_random: int = 10,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    check_dtype: bool = True,
    allow_input_mutation: bool = False,
    hints: Sequence[str] = (),
    section: str = "",
    mistakes: Sequence[Mistake] = (),
    seed: int | None = None,
):
    """Decorator for the reference function of a function exercise (see the module docstring)."""
    if not cases and random_case is None:
        raise SpecError(f"{exercise_id}: give at least one case or a random_case generator")
    hints = _check_hints(exercise_id, hints, section)

    def declare(reference: Callable) -> Callable:
        _declare(
            FunctionExercise(
                exercise_id,
                hints,
                section,
                reference=reference,
                cases=[as_case(c) for c in cases],
                random_case=random_case,
                n_random=n_random if random_case is not None else 0,
                rtol=rtol,
                atol=atol,
                check_dtype=check_dtype,
                allow_input_mutation=allow_input_mutation,
                mistakes=list(mistakes),
                # a stable seed per exercise: the same random inputs every run, on every machine
                seed=zlib.crc32(exercise_id.encode()) if seed is None else seed,
            )
        )
        return reference

    return declare


def value_exercise(
    exercise_id: str,
    *,
    answer: Any,
    tolerance: Tolerance | None = None,
    hints: Sequence[str] = (),
    section: str = "",
    mistakes: Sequence[Mistake] = (),
    key_hints: dict[str, str] | None = None,
    key_mistakes: dict[str, Sequence[Mistake]] | None = None,
) -> ValueExercise:
    """A value the learner computes or measures; `answer` may be a function of the chapter's numbers."""
    hints = _check_hints(exercise_id, hints, section)
    for hint in list((key_hints or {}).values()) + [m.hint for ms in (key_mistakes or {}).values() for m in ms]:
        _check_hints(exercise_id, (hint,), section)
    if not callable(answer) and not isinstance(answer, AnyOf):
        _check_value_kind(exercise_id, answer)
    key_mistakes = {key: list(ms) for key, ms in (key_mistakes or {}).items()}
    exercise = ValueExercise(
        exercise_id, hints, section, answer, tolerance, list(mistakes), dict(key_hints or {}), key_mistakes
    )
    return _declare(exercise)


def _check_value_kind(exercise_id: str, answer: Any) -> None:
    values = answer.values() if isinstance(answer, dict) else [answer]
    for value in values:
        if not (is_number(value) or isinstance(value, bool | str)):
            raise SpecError(f"{exercise_id}: an answer must be a number, a word or True/False, got {value!r}")


def choice_exercise(
    exercise_id: str,
    *,
    choices: Sequence[str],
    answer: Any,
    graded: bool = True,
    explanation: Any = "",
    aliases: dict[str, str] | None = None,
    hints: Sequence[str] = (),
    section: str = "",
) -> ChoiceExercise:
    """One of `choices`; a prediction (graded=False) carries no points and reveals `explanation` when checked."""
    hints = _check_hints(exercise_id, hints, section)
    normalised = tuple(normalise_word(c) for c in choices)
    if len(set(normalised)) != len(normalised) or len(normalised) < 2:
        raise SpecError(f"{exercise_id}: give at least two different choices")
    if not callable(answer) and normalise_word(answer) not in normalised:
        raise SpecError(f"{exercise_id}: the answer {answer!r} is not one of the choices {choices}")
    if not graded and not explanation:
        raise SpecError(f"{exercise_id}: a prediction reveals its answer, so it needs an explanation")
    aliases = {normalise_word(k): normalise_word(v) for k, v in (aliases or {}).items()}
    return _declare(ChoiceExercise(exercise_id, hints, section, normalised, answer, graded, explanation, aliases))


def property_exercise(
    exercise_id: str,
    *,
    measure: Callable,
    op: str,
    target: Any,
    describe: str,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    hints: Sequence[str] = (),
    section: str = "",
) -> PropertyExercise:
    """The learner's answer passes when `measure(answer) op target`; `measure` must be a public dlcourse function."""
    hints = _check_hints(exercise_id, hints, section)
    if op not in OPS:
        raise SpecError(f"{exercise_id}: op must be one of {OPS}, got {op!r}")
    module = getattr(measure, "__module__", "") or ""
    if not module.startswith("dlcourse.") or "<" in getattr(measure, "__qualname__", "<"):
        raise SpecError(f"{exercise_id}: measure must be a named function of the dlcourse package (learners run it)")
    return _declare(PropertyExercise(exercise_id, hints, section, measure, op, target, rtol, atol, describe))


# ------------------------------------------------------------------------------------------ loading
def load_chapter(path: Path) -> ChapterSpec:
    """Import the spec file `path` (e.g. instructor/checks/ch03.py) afresh and return what it declared."""
    path = Path(path)
    match = re.fullmatch(r"ch(\d{2})\.py", path.name)
    if not match:
        raise SpecError(f"{path}: spec files are named chNN.py")
    chapter = match.group(1)
    _DECLARED.pop(chapter, None)
    module_name = f"dlcourse_instructor_checks_ch{chapter}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
    spec.loader.exec_module(module)
    declared = _DECLARED.pop(chapter, ChapterSpec(chapter))
    declared.path = str(path)
    wrong = [e for e in declared.exercises if e[:2] != chapter]
    if wrong:
        raise SpecError(f"{path}: declares exercises of another chapter: {wrong}")
    return declared


def load_directory(directory: Path) -> dict[str, ChapterSpec]:
    """Every chNN.py in `directory`, by chapter."""
    return {spec.chapter: spec for spec in (load_chapter(p) for p in sorted(Path(directory).glob("ch[0-9][0-9].py")))}
