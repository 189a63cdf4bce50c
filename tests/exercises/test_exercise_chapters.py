"""Every exercise of every chapter: well marked up, nothing leaked, its check recorded, hints that are ideas
(never code), probes for the grader; the instructor's chapter grades full marks, the learner's copy 0, and a
learner who skips every exercise can still run the rest of the chapter."""

import re

import pytest
from exercise_helpers import CHAPTERS_DIR, CHECKS_DIR, DEMO_CHECKS, chapter_specs, read, stub, write

from dlcourse.exercises import CheckFailed, check, checks, markup, recorded
from dlcourse.exercises import spec as S
from dlcourse.exercises.grade import Grader, Settings, run_blocking
from dlcourse.exercises.isolation import Unsandboxed
from dlcourse.exercises.release import leaks, numbers_cell_for, release_notebook
from dlcourse.exercises.submission import units

CHAPTERS = sorted(CHAPTERS_DIR.glob("*.ipynb"))
IDS = [p.stem for p in CHAPTERS]
CHECK_CALL = re.compile(r"""check\(\s*["'](\d{2}\.\w+)["']""")
PROBE_CALL = re.compile(r"""\bprobe(?:_call)?\(\s*f?["']([^"']+)["']""")


def spec_of(path):
    return chapter_specs()[path.name[:2]]


def check_ids(nb):
    return sorted({m for cell in nb.cells if cell.cell_type == "code" for m in CHECK_CALL.findall(cell.source)})


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_markup_is_valid_and_the_release_leaks_nothing(chapter):
    nb = read(chapter)
    markup.validate(nb)
    assert len(list(markup.test_cells(nb))) >= 3, f"{chapter.name}: every chapter keeps at least 3 graded exercises"
    assert leaks(nb, release_notebook(nb, spec_of(chapter))) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_every_check_is_recorded_and_every_declared_exercise_is_used(chapter):
    nb = read(chapter)
    used = check_ids(nb)
    declared = sorted(spec_of(chapter).exercises)
    assert used == declared, f"checks called in the notebook {used} != exercises declared in ch{chapter.name[:2]}.py"
    for exercise_id in used:
        recorded.lookup(exercise_id)  # raises UnknownExercise when `make release` was not run


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_every_test_cell_has_probes_with_distinct_labels(chapter):
    for cell in markup.test_cells(read(chapter)):
        hidden = "\n".join(
            line for body in markup.region_bodies(cell.source, markup.BEGIN_HIDDEN, markup.END_HIDDEN) for line in body
        )
        labels = PROBE_CALL.findall(hidden)
        assert labels, f"{markup.grade_id(cell)}: the hidden tests hold no probe, so the grader has nothing to compare"
        assert len(labels) == len(set(labels)) or "{" in hidden, f"{markup.grade_id(cell)}: probe labels repeat"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_the_numbers_cell_holds_the_public_numbers(chapter):
    cells = [c for c in read(chapter).cells if markup.is_numbers_cell(c)]
    chapter_spec = spec_of(chapter)
    if chapter_spec.sampler is None:
        assert not cells, "a numbers cell without numbers() in the chapter's checks"
        return
    assert len(cells) == 1 and cells[0].source == numbers_cell_for(chapter_spec, S.DEFAULT_SEED), "run make release"


# ------------------------------------------------------------------------------------------ hints
def wrong_answers(exercise):
    """The stub, the spec's own plausible mistakes, and generic wrong answers of the right kind."""
    if isinstance(exercise, S.FunctionExercise):
        generic = [lambda *a, **k: 0.0, lambda *a, **k: a[0] if a else None, lambda *a, **k: a[-1] if a else None]
        return [stub] + [m.answer for m in exercise.mistakes] + generic
    if isinstance(exercise, S.ChoiceExercise):
        return [..., "not-a-choice", 3]
    if isinstance(exercise, S.PropertyExercise):
        return [..., -1.0, "text", (0, 0)]
    numbers = chapter_specs()[exercise.chapter].numbers()
    answer = exercise.answer_for(numbers)
    mistakes = [m.answer(numbers) if callable(m.answer) else m.answer for m in exercise.mistakes]
    if isinstance(answer, dict):
        near = {k: (v + 1 if isinstance(v, int | float) and not isinstance(v, bool) else v) for k, v in answer.items()}
        return [..., near, {"nonsense": 1}, *mistakes]
    return [..., 10**6 + 0.5, "nonsense", *mistakes]


def hints_of(exercise):
    """Every hint `check()` gives for the wrong answers, each failure repeated to reach the later tiers."""
    found = []
    for answer in wrong_answers(exercise):
        for _ in range(len(exercise.hints)):
            try:
                check(exercise.exercise_id, answer)
            except CheckFailed as failure:
                if failure.hint:
                    found.append(failure.hint)
    return found


EXERCISES = [pytest.param(e, id=e.exercise_id) for spec in chapter_specs().values() for e in spec.exercises.values()]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_hints_are_ideas_never_code(exercise, capsys):
    checks._attempts.clear()
    found = hints_of(exercise)
    assert found, f"{exercise.exercise_id}: no wrong answer produced a hint"
    for hint in set(found):
        assert S.code_in_hint(hint) is None, f"{exercise.exercise_id}: a hint with code: {hint!r}"
        assert S.formula_in_hint(hint) is None, f"{exercise.exercise_id}: a hint that writes out a formula: {hint!r}"
    capsys.readouterr()


def test_the_code_detector_can_fail():
    for code in ("np.exp(-x)", "return theta - lr * grad", "z.max(axis=-1, keepdims=True)", "lambda x: x", "x ** 2"):
        assert S.code_in_hint(f"Hint: {code}") is not None, code
    assert S.code_in_hint("σ(x) = 1 / (1 + e^(−x)); what does ReLU return for a negative z?") is None


def test_the_formula_detector_can_fail():
    """Hints the first round shipped, each the passing expression in math notation, are refused now."""
    for formula in (
        "z = w₁x₁ + w₂x₂ + b, and ReLU returns z when z is positive",
        "dσ(a)/da = σ(a)·(1 − σ(a)); multiply it by grad_out.",
        "ℓ = log(1 + e^z) − y·z",
        "Ω = l1 · Σ|w| + l2 · Σw², each sum over all arrays",
    ):
        assert S.formula_in_hint(formula) is not None, formula
    for idea in (
        "σ(0) = ½, so the weighted sum must be 0.",
        "Product rule, with x as one factor and σ(x) as the other; the slope is ½ at x = 0.",
        "Linear(n_in, n_out) holds a weight per pair and a bias per unit.",
    ):
        assert S.formula_in_hint(idea) is None, idea


def test_a_chapter_file_with_a_formula_hint_is_refused(tmp_path):
    source = (
        "from dlcourse.exercises.spec import value_exercise\n"
        "value_exercise('97.lr', answer=0.5, section='§1', hints=('Think.', 'lr = 2 / (a + b) · c'))\n"
    )
    (tmp_path / "ch97.py").write_text(source)
    with pytest.raises(S.SpecError, match="never the formula"):
        S.load_chapter(tmp_path / "ch97.py")


# ------------------------------------------------------------------------------------------ grading every chapter
@pytest.fixture(scope="module")
def graded_chapters(tmp_path_factory):
    """All instructor chapters and all learner copies, graded in one run (2 at a time)."""
    root = tmp_path_factory.mktemp("submissions")
    paths = []
    for chapter in CHAPTERS:
        paths.append(write(read(chapter), root / "solution" / chapter.name))
        paths.append(
            write(read(CHAPTERS_DIR.parent.parent / "notebooks" / chapter.name), root / "learner" / chapter.name)
        )
    grader = Grader(CHAPTERS_DIR, Unsandboxed(), Settings(timeout=300, jobs=2), checks_dir=CHECKS_DIR)
    results = run_blocking(grader.grade_all(paths))
    return {(r.student, r.chapter): r for r in results}, grader


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_the_solution_gets_full_marks_and_the_learner_copy_none(graded_chapters, chapter):
    results, _ = graded_chapters
    solution, learner = results["solution", chapter.name], results["learner", chapter.name]
    assert solution.status == "graded", solution.reason
    assert solution.score == solution.max_score > 0, [e for e in solution.exercises if not e.passed]
    assert learner.status == "graded", learner.reason
    assert [e.grade_id for e in learner.exercises] == [e.grade_id for e in solution.exercises]
    assert [e.grade_id for e in learner.exercises if e.passed] == [], "these pass on the learner's stub"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_a_learner_who_skips_every_exercise_can_still_run_the_rest(graded_chapters, chapter):
    _, grader = graded_chapters
    nb = read(CHAPTERS_DIR.parent.parent / "notebooks" / chapter.name)
    results, stopped = run_blocking(grader._run(nb, timeout=300))
    assert stopped is None
    exercise_cells = {markup.grade_id(c) for c in nb.cells if markup.grade_id(c)}
    broken = [
        (unit.code.splitlines()[0], result.error)
        for unit, result in zip(units(nb), results)
        if result is not None
        and not result.ok
        and unit.grade_id not in exercise_cells
        and unit.role == "cell"
        and not CHECK_CALL.search(unit.code)  # an ungraded check() of a skipped prediction may complain
    ]
    assert broken == [], "cells outside the exercises fail when the exercises are left undone"


def test_the_demo_chapter_is_sound(demo_nb):
    """The fixture chapter used by the grading tests follows the same rules."""
    markup.validate(demo_nb)
    demo_spec = S.load_chapter(DEMO_CHECKS / "ch99.py")
    assert leaks(demo_nb, release_notebook(demo_nb, demo_spec)) == []
    assert set(check_ids(demo_nb)) <= set(demo_spec.exercises)
    numbers_cells = [c for c in demo_nb.cells if markup.is_numbers_cell(c)]
    assert [c.source for c in numbers_cells] == [numbers_cell_for(demo_spec, S.DEFAULT_SEED)], (
        "the demo's numbers cell is stale: dlcourse.exercises.release.sync_numbers_cells(fixtures, checks99)"
    )
