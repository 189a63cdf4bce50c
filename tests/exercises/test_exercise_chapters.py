"""Every exercise of every chapter in notebooks/ (and of the fixture chapter): well marked up, no leaks,
its checks registered, its tests failing on the released stub and passing on the solution."""

import re

import pytest
from exercise_helpers import DEMO, REPO, read, write

from dlcourse.exercises import checks, markup, registry
from dlcourse.exercises.grade import grade_notebook
from dlcourse.exercises.release import leaks, release_notebook

CHAPTERS = sorted((REPO / "instructor" / "chapters").glob("*.ipynb"))
CHAPTER_PARAMS = [pytest.param(path, id=path.stem) for path in CHAPTERS] or [
    pytest.param(None, id="no-chapters", marks=pytest.mark.skip(reason="no chapter notebooks in notebooks/ yet"))
]
ALL = [*CHAPTER_PARAMS, pytest.param(DEMO, id="fixture-99_demo")]
CHECK_CALL = re.compile(r"""check\(\s*["'](\d{2}\.\w+)["']""")


def check_ids(nb):
    return sorted({m for cell in markup.test_cells(nb) for m in CHECK_CALL.findall(cell.source)})


@pytest.mark.parametrize("chapter", ALL)
def test_markup_is_valid_and_the_release_leaks_nothing(chapter):
    nb = read(chapter)
    markup.validate(nb)
    assert list(markup.test_cells(nb)), f"{chapter.name} has no graded test cells"
    assert leaks(nb, release_notebook(nb)) == []


@pytest.mark.parametrize("chapter", ALL)
def test_checks_used_in_tests_are_registered_and_sound(chapter):
    """Each check passes on its own reference and fails on a stub (in-process, no kernel)."""

    def stub(*args, **kwargs):
        raise NotImplementedError()

    for exercise_id in check_ids(read(chapter)):
        spec = registry.lookup(exercise_id)  # raises UnknownExercise for a typo or a missing chNN.py
        run = checks._RUNNERS[type(spec)]
        if isinstance(spec, registry.FunctionSpec):
            assert run(spec, spec.reference) > 0
            with pytest.raises(checks.CheckFailed, match="not implemented yet"):
                run(spec, stub)
        else:
            if isinstance(spec, registry.ValueSpec):
                assert run(spec, spec.expected) == 1
            with pytest.raises(checks.CheckFailed):
                run(spec, stub)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", ALL)
def test_tests_fail_on_the_stub_and_pass_on_the_solution(chapter, tmp_path):
    solution = grade_notebook(chapter, chapter, timeout=120)
    assert solution.score == solution.max_score > 0, [e for e in solution.exercises if not e.passed]

    student_copy = write(release_notebook(read(chapter)), tmp_path / chapter.name)
    stubbed = grade_notebook(student_copy, chapter, timeout=120)
    assert [e.grade_id for e in stubbed.exercises] == [e.grade_id for e in solution.exercises]
    still_passing = [e.grade_id for e in stubbed.exercises if e.passed]
    assert still_passing == [], f"these tests pass on the released stub: {still_passing}"
