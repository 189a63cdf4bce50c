"""Helpers shared by the homework-tooling tests: find cells, build deliberately broken submissions, run a
chapter's solution cells and released stubs against its checks."""

import copy
import functools
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from dlcourse.exercises import CheckFailed, check, markup

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
DEMO = FIXTURES / "99_demo.ipynb"
DEMO_CHECKS = HERE / "checks99"
REPO = HERE.parents[1]
CHAPTERS_DIR = REPO / "instructor" / "chapters"
CHECKS_DIR = REPO / "instructor" / "checks"


def read(path):
    return nbformat.read(path, as_version=4)


def cell_by_id(nb, grade_id):
    """The first cell with nbgrader grade_id `grade_id`."""
    return next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def submission(nb, **sources):
    """A copy of `nb` with the cells named by grade_id replaced by new sources (None deletes the cell)."""
    nb = copy.deepcopy(nb)
    for grade_id, source in sources.items():
        cell = cell_by_id(nb, grade_id)
        if source is None:
            nb.cells.remove(cell)
        else:
            cell.source = source
    return nb


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def stub(*args, **kwargs):
    """An exercise left as released: it raises NotImplementedError."""
    raise NotImplementedError()


def fails(exercise_id, answer, match=None):
    """Check `answer`, which must fail (with a message matching the regex `match`, if given); return the message."""
    with pytest.raises(CheckFailed, match=match) as info:
        check(exercise_id, answer)
    return str(info.value)


class ChapterNotebook:
    """A chapter's notebook (read on first use): runs its solution cells and the stubs learners receive."""

    def __init__(self, path, **provided):
        self.path = path
        self.provided = provided  # what the notebook's earlier cells define, besides np

    @functools.cached_property
    def nb(self):
        return read(self.path)

    def source(self, grade_id):
        return cell_by_id(self.nb, grade_id).source

    def run(self, source):
        """Execute a cell's source with np and the provided names; return its namespace."""
        namespace = {"np": np, **self.provided}
        exec(compile(source, "<exercise cell>", "exec"), namespace)
        return namespace

    def solution(self, grade_id, name):
        """What the solution cell `grade_id` defines as `name`."""
        return self.run(self.source(grade_id))[name]

    def released(self, grade_id):
        """The source of cell `grade_id` as learners receive it (solutions replaced by stubs)."""
        return markup.replace_solutions(self.source(grade_id))


def assert_solution_passes(notebook, exercise_id, grade_id, name, capsys):
    """The solution cell's `name` passes its check, and the graded `_test` cell below it calls that check.

    A graded choice's check only confirms a valid choice, so there the instructor's spec is asked too."""
    answer = notebook.solution(grade_id, name)
    check(exercise_id, answer)
    exercise = exercise_spec(exercise_id)
    if getattr(exercise, "graded", False):
        from dlcourse.exercises.verdicts import judge_choice

        assert "is a valid choice" in capsys.readouterr().out and judge_choice(exercise, None, answer) is None
    else:
        assert f"✓ {exercise_id} passed" in capsys.readouterr().out
    assert f'check("{exercise_id}",' in notebook.source(grade_id + "_test")


def assert_released_stub_fails(notebook, exercise_id, grade_id, name):
    """What learners receive in cell `grade_id` fails the check with the friendly not-implemented message."""
    released_stub = notebook.run(notebook.released(grade_id))[name]
    assert "not implemented yet" in fails(exercise_id, released_stub)


def assert_solution_passes_in_test_cell(notebook, grade_id, exercise_id, name):
    """The solution cell's `name` passes, and the test cell below it calls exactly `check("<id>", name)`."""
    check(exercise_id, notebook.solution(grade_id, name))
    assert re.search(rf'check\("{re.escape(exercise_id)}", {name}\)', notebook.source(grade_id + "_test"))


@functools.cache
def chapter_specs():
    """The instructor's exercise specs (instructor/checks/chNN.py), by chapter."""
    from dlcourse.exercises import spec

    return spec.load_directory(CHECKS_DIR)


def exercise_spec(exercise_id):
    return chapter_specs()[exercise_id[:2]].exercises[exercise_id]


def assert_reference_passes(exercise_id):
    """The instructor's reference passes the recorded check, and a stub fails with "not implemented yet"."""
    check(exercise_id, exercise_spec(exercise_id).reference)
    fails(exercise_id, stub, match="not implemented yet")


def assert_released_value_stub_says_no_answer(notebook, exercise_id, grade_id, name):
    """A released value cell defines `name = ...`, whose check says "no answer yet" (not a NameError)."""
    value = notebook.run(notebook.released(grade_id))[name]
    assert value is Ellipsis
    assert "no answer yet" in fails(exercise_id, value)


def assert_graded_choice(exercise_id, right, wrong, capsys):
    """A graded choice: check() confirms any valid choice without saying which is right; the grader knows."""
    from dlcourse.exercises.verdicts import judge_choice

    for answer in (right, wrong):
        check(exercise_id, answer)
        assert "is a valid choice" in capsys.readouterr().out
    fails(exercise_id, "certainly-not-a-choice", match="is not one of")
    fails(exercise_id, 3, match="a string")
    exercise = exercise_spec(exercise_id)
    assert judge_choice(exercise, None, right) is None
    assert judge_choice(exercise, None, wrong) == f"{wrong.strip().lower()!r} is not the right choice"
