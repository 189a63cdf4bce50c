"""What the grader does with a submitted notebook before running it: read it, find whose it is and which
chapter it answers, note every sign of tampering, and rebuild it from the instructor's locked cells.

The rebuilt notebook is the learner's own cells (their answers) with every locked cell — test cells with
their hidden probes, the numbers cell, read-only cells — taken from the instructor's chapter, whatever
the submission did to them. A test cell that was deleted goes back right after its exercise's answer
cell, found by grade_id or, when an editor stripped the metadata, by resemblance to the released stub.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from dlcourse.exercises import markup

PROBE_IMPORT = "from dlcourse.exercises.probes import probe, probe_call"


class SubmissionError(Exception):
    """A file that cannot be graded at all (not a notebook, empty, no exercises of any chapter)."""


@dataclass
class Unit:
    """One piece of code the grader sends to the kernel."""

    code: str
    role: str  # "cell" (the learner's or a read-only cell), "test" (visible checks) or "probes" (hidden)
    grade_id: str | None = None


@dataclass
class Inspection:
    """What the grader found out about a submission before running it."""

    student: str
    chapter_name: str  # the source chapter's file name, e.g. "03_activations.ipynb"
    flags: list[str] = field(default_factory=list)  # tampering: reported, never scored
    notes: list[str] = field(default_factory=list)  # harmless oddities (e.g. metadata stripped by an editor)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, or raise SubmissionError with a one-line reason."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError("no such file")
    if path.stat().st_size == 0:
        raise SubmissionError("the file is empty")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # JSON errors, schema errors, binary files: all "not a notebook"
        raise SubmissionError(f"not a readable notebook ({type(error).__name__})") from None
    if not isinstance(nb.get("cells"), list):
        raise SubmissionError("not a readable notebook (no cells)")
    return nb


def student_of(path: Path) -> str:
    """The student a submission belongs to, from its path.

    nbgrader's layout `…/submitted/<student>/<assignment>/<notebook>.ipynb` gives <student>; otherwise
    the flat layout `<student>/<chapter>.ipynb` gives the folder name."""
    parts = Path(path).parts
    if "submitted" in parts[:-1]:
        after = parts[parts.index("submitted") + 1 :]
        if len(after) >= 3:
            return after[0]
    return parts[-2] if len(parts) >= 2 else Path(path).stem


def _ids(nb) -> set[str]:
    return {markup.grade_id(c) for c in nb.cells if markup.grade_id(c)}


def match_chapter(path: Path, submission, sources: dict[str, nbformat.NotebookNode]) -> tuple[str, list[str]]:
    """The source chapter (file name) whose exercises the submission holds, and flags if its name says otherwise.

    The grade_ids decide; the file name only breaks ties (a submission with no metadata left at all)."""
    overlap = {name: len(_ids(submission) & _ids(nb)) for name, nb in sources.items()}
    best = max(overlap.values(), default=0)
    by_name = Path(path).name if Path(path).name in sources else None
    if best == 0:
        if by_name is None:
            raise SubmissionError("it holds no exercise of any chapter (by grade_id) and its name matches none")
        return by_name, []
    candidates = [name for name, count in overlap.items() if count == best]
    chosen = by_name if by_name in candidates else candidates[0]
    flags = []
    if by_name is not None and chosen != by_name:
        flags.append(f"the file is named {by_name} but holds the exercises of {chosen}: graded as {chosen}")
    elif by_name is None and Path(path).suffix == ".ipynb" and re.match(r"\d\d_", Path(path).name):
        flags.append(f"the file is named {Path(path).name} but holds the exercises of {chosen}")
    return chosen, flags


# Code a learner has no reason to write, but which tries to get around checking or grading. Reported, not
# scored: the score never depends on the learner's kernel behaving (see grade.py).
BYPASS_PATTERNS = {
    r"input_transformers": "rewrites later cells (IPython input transformer)",
    r"ast_transformers": "rewrites later cells (IPython AST transformer)",
    r"events\.register": "registers a hook that runs around later cells",
    r"register_magic": "defines a magic command",
    r"get_ipython\(\)\.\w+\s*=(?!=)|\bsys\.excepthook\s*=(?!=)": "replaces how the kernel runs cells or shows errors",
    r"\bsys\.modules\b": "reaches into imported modules",
    r"__builtins__|\bimport builtins\b": "replaces built-in functions",
    r"\bos\._exit\b|\bsys\.exit\b": "exits the kernel",
    r"/proc/": "reads process information",
    r"\bctypes\b": "calls C code directly",
    r"\bsubprocess\b|\bos\.system\b|\bos\.fork\b": "starts other programs",
    r"\bsocket\b": "opens network connections",
    r"\b(np|numpy)\.(allclose|isclose|array_equal|testing)\s*=(?!=)|setattr\(\s*(np|numpy)\b": "replaces NumPy",
    r"dlcourse\.exercises\.\w": "reaches into the checking code",
    r"(?<![\w.])(check|probe|probe_call)\s*=(?!=)|\bdef (check|probe|probe_call)\(": "redefines check() or the probes",
}


def bypass_attempts(nb) -> list[str]:
    """'cell 3: rewrites later cells (IPython input transformer)' for every known pattern in an unlocked cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or markup.is_locked(cell):
            continue
        source = cell.get("source", "")
        for pattern, meaning in BYPASS_PATTERNS.items():
            match = re.search(pattern, source)
            if match:
                found.append(f"cell {index}: {meaning} ({match.group(0).strip()!r})")
    return found


_META_FIELDS = ("grade", "solution", "locked", "points", "grade_id", "schema_version")


def _norm(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().split("\n"))


def tampering(submission, source) -> list[str]:
    """Locked cells edited, deleted, duplicated or with changed nbgrader metadata (like nbgrader's checksums)."""
    flags = []
    counts: dict[str, int] = {}
    for cell in submission.cells:
        ident = markup.grade_id(cell)
        if ident:
            counts[ident] = counts.get(ident, 0) + 1
    first = {}
    for cell in submission.cells:
        first.setdefault(markup.grade_id(cell), cell)
    for cell in source.cells:
        ident = markup.grade_id(cell)
        if not ident:
            continue
        theirs = first.get(ident)
        if theirs is None:
            if markup.is_locked(cell):
                flags.append(f"locked cell {ident} was deleted")
            continue
        if counts.get(ident, 0) > 1:
            flags.append(f"cell {ident} appears {counts[ident]} times")
        mine, their_meta = markup.nbgrader_meta(cell), markup.nbgrader_meta(theirs)
        changed = [name for name in _META_FIELDS if mine.get(name) != their_meta.get(name)]
        if changed:
            flags.append(f"cell {ident}: nbgrader metadata changed ({', '.join(changed)})")
        if markup.is_locked(cell) and not markup.is_numbers_cell(cell):
            released = markup.remove_hidden_tests(cell.source)
            if _norm(theirs.get("source", "")) not in (_norm(released), _norm(cell.source)):
                flags.append(f"locked cell {ident} was edited")
    return flags


def _anchors(cell) -> list[str]:
    """What identifies a source cell when the submission lost its metadata: the lines a learner keeps (outside
    the solution region: `def clipped_relu(x, cap=6.0):`), or the names a value region sets (`lr =`)."""
    source = markup.remove_hidden_tests(cell.source) if markup.is_test(cell) else cell.source
    if markup.is_numbers_cell(cell):
        return ["numbers = exercise_numbers("]
    inside = {
        n for r in markup.regions(source, markup.BEGIN_SOLUTION, markup.END_SOLUTION) for n in range(r.begin, r.end + 1)
    }
    lines = source.split("\n")
    kept = [
        line.strip()
        for n, line in enumerate(lines)
        if n not in inside and line.strip() and not line.strip().startswith("#")
    ]
    kept = [line for line in kept if not line.startswith(('"""', "print("))]
    if kept:
        return kept[:2]
    names = markup._value_names([lines[n] for n in sorted(inside)]) or []
    return [f"{name} =" for name in names]


def _place_of_source_cells(submission, source) -> tuple[dict[int, int], int]:
    """Source cell index → submission cell index, for cells with a grade_id: by id, else by their anchors
    (in notebook order, each submission cell used once)."""
    by_id: dict[str, int] = {}
    for index, cell in enumerate(submission.cells):
        by_id.setdefault(markup.grade_id(cell), index)
    places, guessed = {}, 0
    taken = set(by_id.values()) if by_id.get(None) is None else set(by_id.values()) - {by_id[None]}
    after = -1
    for s_index, cell in enumerate(source.cells):
        ident = markup.grade_id(cell)
        if not ident or cell.cell_type != "code":
            continue
        if ident in by_id:
            places[s_index] = after = by_id[ident]
            continue
        anchors = _anchors(cell)
        candidates = [
            i
            for i, c in enumerate(submission.cells)
            if i > after
            and i not in taken
            and c.get("cell_type") == "code"
            and not markup.grade_id(c)
            and anchors
            and all(a in c.get("source", "") for a in anchors)
        ]
        if candidates:
            places[s_index] = after = candidates[0]
            taken.add(candidates[0])
            guessed += markup.is_solution(cell)
    return places, guessed


def rebuild(submission, source, numbers_source: str | None) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to run: the learner's cells, every locked cell from `source` (numbers cell: `numbers_source`).

    Returns the notebook and notes (e.g. how many answer cells were found by resemblance)."""
    places, guessed = _place_of_source_cells(submission, source)
    locked = {markup.grade_id(c): c for c in source.cells if markup.grade_id(c) and markup.is_locked(c)}
    # a submission cell that lost its metadata but is recognisably a locked cell counts as that cell
    stands_for = {
        places[i]: markup.grade_id(c)
        for i, c in enumerate(source.cells)
        if i in places and markup.grade_id(c) in locked
    }
    present = ({markup.grade_id(c) for c in submission.cells} | set(stands_for.values())) & set(locked)

    # Each missing locked cell is attached to the submission cell that holds the source cell before it.
    first_code = next((i for i, c in enumerate(submission.cells) if c.get("cell_type") == "code"), -1)
    attached: dict[int, list] = {}
    anchor = first_code
    for s_index, cell in enumerate(source.cells):
        if s_index in places:
            anchor = places[s_index]
        elif markup.grade_id(cell) in locked and markup.grade_id(cell) not in present:
            attached.setdefault(anchor, []).append(cell)

    def restored(cell):
        fresh = copy.deepcopy(cell)
        fresh.pop("id", None)  # a restored cell must not clash with the learner's ids
        if fresh.cell_type == "code":
            fresh.outputs, fresh.execution_count = [], None
            if markup.is_numbers_cell(fresh) and numbers_source is not None:
                fresh.source = numbers_source
        return fresh

    cells, seen = [restored(c) for c in attached.get(-1, [])], set()
    for index, cell in enumerate(submission.cells):
        ident = markup.grade_id(cell) or stands_for.get(index)
        if ident in locked:
            if ident not in seen:  # a locked cell counts once, in the instructor's version
                cells.append(restored(locked[ident]))
                seen.add(ident)
        else:
            mine = copy.deepcopy(cell)
            if mine.get("cell_type") == "code":
                mine["outputs"], mine["execution_count"] = [], None
            cells.append(mine)
        cells += [restored(c) for c in attached.get(index, [])]
    nb = copy.deepcopy(submission)
    nb.cells = cells
    notes = [f"{guessed} answer cell(s) had no nbgrader metadata and were matched by content"] if guessed else []
    return nb, notes


def units(nb) -> list[Unit]:
    """The code the grader sends, cell by cell; a test cell becomes its visible checks, then its probes."""
    plan = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or not cell.get("source", "").strip():
            continue
        ident = markup.grade_id(cell)
        if markup.is_test(cell):
            hidden = markup.region_bodies(cell.source, markup.BEGIN_HIDDEN, markup.END_HIDDEN)
            plan.append(Unit(markup.remove_hidden_tests(cell.source), "test", ident))
            # The grader's own import first: probes work even if the learner deleted or redefined theirs.
            probes = "\n".join([PROBE_IMPORT] + [line for body in hidden for line in body])
            plan.append(Unit(probes, "probes", ident))
        else:
            plan.append(Unit(cell.source, "cell", ident))
    return plan
