"""Helpers shared by the homework-tooling tests: find cells, build deliberately broken submissions."""

import copy
from pathlib import Path

import nbformat

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
