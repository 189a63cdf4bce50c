"""Helpers shared by the homework-tooling tests: find cells, build deliberately broken submissions, run a
chapter's solution cells and released stubs against its checks."""

import copy
import functools
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from dlcourse.exercises import CheckFailed, check, checks, markup, registry

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
DEMO = FIXTURES / "99_demo.ipynb"
REPO = HERE.parents[1]


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
    """The solution cell's `name` passes its check, and the graded `_test` cell below it calls that check."""
    check(exercise_id, notebook.solution(grade_id, name))
    assert f"✓ {exercise_id} passed" in capsys.readouterr().out
    assert f'check("{exercise_id}",' in notebook.source(grade_id + "_test")


def assert_released_stub_fails(notebook, exercise_id, grade_id, name):
    """What learners receive in cell `grade_id` fails the check with the friendly not-implemented message."""
    released_stub = notebook.run(notebook.released(grade_id))[name]
    assert checks.STUB_MESSAGE in fails(exercise_id, released_stub)


def assert_reference_passes(exercise_id):
    """The check's own reference passes its cases, and a stub fails with "not implemented yet"."""
    spec = registry.lookup(exercise_id)
    assert checks.run_function_check(spec, spec.reference) > 5
    fails(exercise_id, stub, match="not implemented yet")


def assert_solution_passes_in_test_cell(notebook, grade_id, exercise_id, name):
    """The solution cell's `name` passes, and the test cell below it calls exactly `check("<id>", name)`."""
    check(exercise_id, notebook.solution(grade_id, name))
    assert re.search(rf'check\("{re.escape(exercise_id)}", {name}\)', notebook.source(grade_id + "_test"))
