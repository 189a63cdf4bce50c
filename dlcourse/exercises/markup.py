"""nbgrader's exercise markup: building exercise cells, finding them, and checking they are well formed.

A *solution cell* holds the answer between `### BEGIN SOLUTION` and `### END SOLUTION`; a *test cell*
holds visible checks plus optional `### BEGIN HIDDEN TESTS` … `### END HIDDEN TESTS`. Both carry
nbgrader's cell metadata (schema version 3), so nbgrader itself can use the same chapters:

    solution cell: {"solution": True,  "grade": False, "locked": False, "grade_id": …, "schema_version": 3}
    test cell:     {"solution": False, "grade": True,  "locked": True,  "grade_id": …, "points": N, …}

Markers are matched the way nbgrader matches them: any line that *contains* the delimiter text.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]  # what nbgrader puts in, too
VALUE_STUB = "{name} = ...  # YOUR ANSWER HERE"  # a value to set: defined, so later cells say "no answer yet"
_ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)\s*=(?!=)")
TEXT_STUB = "YOUR ANSWER HERE"
GRADE_ID = re.compile(r"^[A-Za-z0-9_\-]+$")  # nbgrader's schema allows no dots or spaces
SCHEMA_VERSION = 3


class MarkupError(ValueError):
    """Exercise markup that would leak a solution or confuse nbgrader (unbalanced markers, bad ids)."""


@dataclass(frozen=True)
class Region:
    """Lines `begin` … `end` (the marker lines themselves) of a cell's source."""

    begin: int
    end: int


def regions(source: str, begin: str, end: str) -> list[Region]:
    """The marked regions of `source`; MarkupError for a missing END, a stray END, or nesting."""
    found, start = [], None
    for number, line in enumerate(source.split("\n")):
        if begin in line:
            if start is not None:
                raise MarkupError(f"'{begin}' on line {number + 1} inside another '{begin}' region")
            start = number
        elif end in line:
            if start is None:
                raise MarkupError(f"'{end}' on line {number + 1} without a '{begin}' before it")
            found.append(Region(start, number))
            start = None
    if start is not None:
        raise MarkupError(f"'{begin}' on line {start + 1} has no matching '{end}'")
    return found


def region_bodies(source: str, begin: str, end: str) -> list[list[str]]:
    """The lines strictly between each pair of markers."""
    lines = source.split("\n")
    return [lines[r.begin + 1 : r.end] for r in regions(source, begin, end)]


def _value_names(body: list[str]) -> list[str] | None:
    """The names a top-level region only assigns (`lr = 0.1`, one line each), else None."""
    code = [line for line in body if line.strip() and not line.lstrip().startswith("#")]
    matches = [_ASSIGNMENT.match(line) for line in code]
    if not code or not all(matches):
        return None
    return list(dict.fromkeys(m.group(1) for m in matches))


def replace_solutions(source: str) -> str:
    """Each solution region → a stub, indented like its BEGIN line; text around it is kept.

    A top-level region that only sets values (`lr = 0.1`) becomes `lr = ...  # YOUR ANSWER HERE`, so the
    name exists and its check says "no answer yet" instead of a NameError; anything else becomes
    nbgrader's `raise NotImplementedError()`."""
    lines, out, last = source.split("\n"), [], 0
    for region in regions(source, BEGIN_SOLUTION, END_SOLUTION):
        out += lines[last : region.begin]
        indent = re.match(r"\s*", lines[region.begin]).group(0)
        names = None if indent else _value_names(lines[region.begin + 1 : region.end])
        out += [VALUE_STUB.format(name=n) for n in names] if names else [indent + stub for stub in CODE_STUB]
        last = region.end + 1
    return "\n".join(out + lines[last:])


def remove_hidden_tests(source: str) -> str:
    """Drop every hidden-test region, markers included."""
    lines, out, last = source.split("\n"), [], 0
    for region in regions(source, BEGIN_HIDDEN, END_HIDDEN):
        out += lines[last : region.begin]
        last = region.end + 1
    return "\n".join(out + lines[last:])


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution", False))


def is_test(cell) -> bool:
    """An autograded test cell: code, graded, not itself an answer."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_locked(cell) -> bool:
    """Cells the learner may not change: tests and read-only cells (restored from the source when grading)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_numbers_cell(cell) -> bool:
    """The locked cell that sets the learner's per-student numbers (grade_id `NN_numbers`)."""
    ident = grade_id(cell) or ""
    return cell.cell_type == "code" and ident.endswith("_numbers") and is_locked(cell) and not is_test(cell)


def test_cells(nb) -> Iterator:
    """The autograded test cells of a notebook, in order."""
    return (cell for cell in nb.cells if is_test(cell))


def validate(nb) -> None:
    """Raise MarkupError naming the cell for anything `release` or nbgrader would choke on."""
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        where = f"cell {index} ({meta.get('grade_id') or cell.cell_type})"
        try:
            solutions = regions(cell.source, BEGIN_SOLUTION, END_SOLUTION)
            hidden = regions(cell.source, BEGIN_HIDDEN, END_HIDDEN)
        except MarkupError as error:
            raise MarkupError(f"{where}: {error}") from None
        if solutions and not meta.get("solution"):
            raise MarkupError(f"{where}: has a solution region but is not marked as a solution cell")
        if hidden and not meta.get("grade"):
            raise MarkupError(f"{where}: has hidden tests but is not marked as a graded cell")
        if not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            continue
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise MarkupError(f"{where}: nbgrader schema_version must be {SCHEMA_VERSION}")
        ident = meta.get("grade_id", "")
        if not GRADE_ID.match(ident):
            raise MarkupError(f"{where}: grade_id {ident!r} must be letters, digits, '_' or '-'")
        if ident in seen:
            raise MarkupError(f"{where}: duplicate grade_id {ident!r}")
        seen.add(ident)
        if meta.get("grade") and not isinstance(meta.get("points"), int | float):
            raise MarkupError(f"{where}: a graded cell needs points")


def _check_grade_id(ident: str) -> None:
    if not GRADE_ID.match(ident):
        raise MarkupError(f"grade_id {ident!r} must be letters, digits, '_' or '-' (e.g. '03_relu')")


def solution_cell(source: str, grade_id: str) -> nbformat.NotebookNode:
    """A code cell whose `### BEGIN SOLUTION` … `### END SOLUTION` region learners will fill in."""
    _check_grade_id(grade_id)
    if not regions(source, BEGIN_SOLUTION, END_SOLUTION):
        raise MarkupError(f"solution cell {grade_id!r} has no '### BEGIN SOLUTION' … '### END SOLUTION'")
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": True}
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def test_cell(source: str, grade_id: str, points: float) -> nbformat.NotebookNode:
    """A locked, graded code cell: visible checks, optional hidden tests; worth `points` if it runs."""
    _check_grade_id(grade_id)
    regions(source, BEGIN_HIDDEN, END_HIDDEN)  # raises on unbalanced markers
    if regions(source, BEGIN_SOLUTION, END_SOLUTION):
        raise MarkupError(f"test cell {grade_id!r} must not contain a solution region")
    if not isinstance(points, int | float) or points <= 0:
        raise MarkupError(f"test cell {grade_id!r}: points must be a positive number, got {points!r}")
    meta = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": points,
        "schema_version": 3,
        "solution": False,
    }
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


# pytest collects functions named test_* even when imported into a test module; these are not tests.
test_cell.__test__ = False
test_cells.__test__ = False
