"""`dlcourse release`: student copies of the chapters, with every solution and hidden test removed.

Each solution region becomes a stub (markup.replace_solutions), hidden-test regions disappear, outputs
and execution counts are cleared, and everything else — prose, setup cells, nbgrader metadata — is kept.
A chapter's numbers cell gets the learner's numbers and the hashes of their answers (numbers.py): seed 0
for the public copies, one seed per student with `--roster`. Before anything is written, every copy is
checked for leaks; one leak and nothing is written at all.
"""

import copy
import csv
import hashlib
import json
import re
from pathlib import Path

import nbformat

from dlcourse.exercises import markup
from dlcourse.exercises import spec as S
from dlcourse.exercises.numbers import encode_key, numbers_cell_source
from dlcourse.exercises.record import answer_entries


class ReleaseError(Exception):
    """A chapter could not be released safely (broken markup, or a leak the checker found)."""


def numbers_cell_for(chapter: S.ChapterSpec, seed: int) -> str:
    """The numbers cell of the learner with `seed`: their numbers and the key to their answers."""
    numbers = chapter.numbers(seed)
    key = encode_key(answer_entries(chapter, numbers, salt_prefix=f"seed{seed}"))
    return numbers_cell_source(chapter.chapter, seed, vars(numbers), key)


def release_notebook(
    nb: nbformat.NotebookNode, chapter: S.ChapterSpec | None = None, seed: int = S.DEFAULT_SEED
) -> nbformat.NotebookNode:
    """The student copy of one chapter (the input notebook is not modified).

    `chapter` (the instructor's exercise spec) is needed when the notebook has a numbers cell."""
    markup.validate(nb)
    released = copy.deepcopy(nb)
    for cell in released.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if markup.is_numbers_cell(cell):
            if chapter is None:
                raise ReleaseError(f"{markup.grade_id(cell)}: a numbers cell needs the chapter's checks (chNN.py)")
            cell.source = numbers_cell_for(chapter, seed)
        if markup.is_solution(cell):
            if markup.regions(cell.source, markup.BEGIN_SOLUTION, markup.END_SOLUTION):
                cell.source = markup.replace_solutions(cell.source)
            elif cell.cell_type == "code":  # a solution cell without markers is all solution (as in nbgrader)
                cell.source = "\n".join(markup.CODE_STUB)
            else:
                cell.source = markup.TEXT_STUB
            cell.pop("attachments", None)  # pasted images in a written answer are part of the answer
        cell.source = markup.remove_hidden_tests(cell.source)
    released.metadata.pop("widgets", None)  # saved widget state is output, too
    return released


def _secret_and_public_lines(nb: nbformat.NotebookNode) -> tuple[set[str], set[str]]:
    """Lines only the instructor may see, and lines anyone may see (stripped)."""
    secret, public = set(), {line.strip() for line in markup.CODE_STUB + [markup.TEXT_STUB]}
    for cell in nb.cells:
        lines = cell.source.split("\n")
        hidden = set()
        pairs = [(markup.BEGIN_HIDDEN, markup.END_HIDDEN)]
        if markup.is_solution(cell):
            pairs.append((markup.BEGIN_SOLUTION, markup.END_SOLUTION))
            if not markup.regions(cell.source, markup.BEGIN_SOLUTION, markup.END_SOLUTION):
                hidden.update(range(len(lines)))
        for begin, end in pairs:
            for region in markup.regions(cell.source, begin, end):
                hidden.update(range(region.begin, region.end + 1))
        for number, line in enumerate(lines):
            (secret if number in hidden else public).add(line.strip())
    return secret, public


def leaks(source: nbformat.NotebookNode, released: nbformat.NotebookNode) -> list[str]:
    """Every marker or solution/hidden-test line that survived into `released` (empty = safe)."""
    found = []
    whole_text = json.dumps(released)  # sources, outputs, metadata, attachments: everything
    for marker in (markup.BEGIN_SOLUTION, markup.END_SOLUTION, markup.BEGIN_HIDDEN, markup.END_HIDDEN):
        if marker in whole_text:
            found.append(f"marker '{marker}'")
    secret, public = _secret_and_public_lines(source)
    # A solution line that also appears outside every solution (e.g. `return out`) is no leak;
    # lines without a letter or digit (`)`, `]`) tell nothing.
    telling = {line for line in secret - public if any(ch.isalnum() for ch in line)}
    released_lines = {line.strip() for cell in released.cells for line in cell.source.split("\n")}
    found += [f"line {line!r}" for line in sorted(telling & released_lines)]
    for index, cell in enumerate(released.cells):
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            found.append(f"outputs of cell {index}")
    return found


def chapter_notebooks(source_dir: Path) -> list[Path]:
    """The `*.ipynb` files directly in `source_dir` (checkpoints ignored), in name order."""
    return sorted(p for p in source_dir.glob("*.ipynb") if p.is_file())


def default_checks_dir(source_dir: Path) -> Path:
    """Where a chapters directory's exercise specs live: `instructor/checks/` beside `instructor/chapters/`."""
    return source_dir.parent / "checks"


def chapter_spec_for(path: Path, checks_dir: Path | None) -> S.ChapterSpec | None:
    """The spec (chNN.py) of the chapter notebook `path` (NN_name.ipynb), or None if there is none."""
    match = re.match(r"(\d{2})_", path.name)
    if not match or checks_dir is None:
        return None
    spec_file = Path(checks_dir) / f"ch{match.group(1)}.py"
    return S.load_chapter(spec_file) if spec_file.is_file() else None


STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


def student_seed(student: str) -> int:
    """A student's default seed: derived from their id, so release and grade agree without storing it."""
    return int(hashlib.sha256(student.encode()).hexdigest()[:8], 16) % 1_000_000 + 1  # never 0 (public)


def read_roster(path: Path) -> dict[str, int]:
    """student → seed from a CSV with a `student` column and an optional `seed` column."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as error:
        raise ReleaseError(f"cannot read the roster {path}: {error.strerror}") from None
    if not rows or "student" not in rows[0]:
        raise ReleaseError(f"{path}: a roster is a CSV with a 'student' column (and optionally 'seed')")
    roster = {}
    for number, row in enumerate(rows, start=2):
        student = (row.get("student") or "").strip()
        if not STUDENT_ID.match(student):
            raise ReleaseError(f"{path}, line {number}: {student!r} is not a usable student id (letters, digits, ._@-)")
        if student in roster:
            raise ReleaseError(f"{path}, line {number}: student {student!r} appears twice")
        seed = (row.get("seed") or "").strip()
        if seed and not seed.isdigit():
            raise ReleaseError(f"{path}, line {number}: seed {seed!r} is not a whole number")
        roster[student] = int(seed) if seed else student_seed(student)
    return roster


def write_roster(roster: dict[str, int], path: Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "seed"])
        writer.writerows(sorted(roster.items()))


def release_directory(
    source: Path,
    out_dir: Path,
    overwrite: bool = False,
    checks_dir: Path | None = None,
    roster: dict[str, int] | None = None,
) -> list[Path]:
    """Release every chapter in `source` (a directory or one notebook) into `out_dir`.

    With a `roster` (student → seed) each student gets `out_dir/<student>/<chapter>.ipynb` with their own
    numbers, and `out_dir/roster.csv` records the seeds. Existing copies are replaced only with
    `overwrite=True` (a learner may have worked in them)."""
    paths = chapter_notebooks(source) if source.is_dir() else [source]
    if not paths:
        raise ReleaseError(f"no notebooks in {source}")
    source_dir = source if source.is_dir() else source.parent
    if out_dir.resolve() == source_dir.resolve():
        raise ReleaseError("OUT_DIR is the source directory: releasing there would overwrite the solutions")
    checks_dir = default_checks_dir(source_dir) if checks_dir is None else checks_dir
    targets = {"": S.DEFAULT_SEED} if roster is None else roster
    copies = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            chapter = chapter_spec_for(path, checks_dir)
            for student, seed in targets.items():
                released = release_notebook(nb, chapter, seed)
                found = leaks(nb, released)
                if found:
                    raise ReleaseError(f"{path.name}: the student copy would still contain {', '.join(found)}")
                copies.append((out_dir / student / path.name if student else out_dir / path.name, released))
        except (markup.MarkupError, S.SpecError) as error:
            raise ReleaseError(f"{path.name}: {error}") from None
    existing = [target.name for target, _ in copies if target.exists()]
    if existing and not overwrite:
        raise ReleaseError(f"{out_dir} already has {', '.join(existing)}; pass --overwrite to replace them")
    for target, released in copies:  # written only once every chapter passed the leak check
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(released, target)
    if roster is not None:
        write_roster(roster, out_dir / "roster.csv")
    return [target for target, _ in copies]


def sync_numbers_cells(source_dir: Path, checks_dir: Path | None = None) -> list[Path]:
    """Write the public numbers (seed 0, with their key) into the instructor's chapters' numbers cells.

    The instructor's chapter then runs exactly like the public learner copy; returns the files changed."""
    checks_dir = default_checks_dir(source_dir) if checks_dir is None else checks_dir
    changed = []
    for path in chapter_notebooks(source_dir):
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if markup.is_numbers_cell(c)]
        if not cells:
            continue
        chapter = chapter_spec_for(path, checks_dir)
        if chapter is None or chapter.sampler is None:
            raise ReleaseError(f"{path.name} has a numbers cell but its checks declare no numbers()")
        wanted = numbers_cell_for(chapter, S.DEFAULT_SEED)
        if any(c.source != wanted for c in cells):
            for cell in cells:
                cell.source = wanted
            nbformat.write(nb, path)
            changed.append(path)
    return changed
