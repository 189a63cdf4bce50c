"""`dlcourse release`: student copies of the chapters, with every solution and hidden test removed.

Each solution region becomes `# YOUR CODE HERE` + `raise NotImplementedError()` (indented like its
BEGIN line), hidden-test regions disappear, outputs and execution counts are cleared, and everything
else — prose, setup cells, nbgrader metadata — is kept. Before anything is written, every copy is
checked for leaks; one leak and nothing is written at all.
"""

import copy
import json
from pathlib import Path

import nbformat

from dlcourse.exercises import markup


class ReleaseError(Exception):
    """A chapter could not be released safely (broken markup, or a leak the checker found)."""


def release_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student copy of one chapter (the input notebook is not modified)."""
    markup.validate(nb)
    released = copy.deepcopy(nb)
    for cell in released.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
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


def release_directory(source: Path, out_dir: Path, overwrite: bool = False) -> list[Path]:
    """Release every chapter in `source` (a directory or one notebook) into `out_dir`.

    Existing copies in `out_dir` are replaced only with `overwrite=True` (a learner may have worked in them)."""
    paths = chapter_notebooks(source) if source.is_dir() else [source]
    if not paths:
        raise ReleaseError(f"no notebooks in {source}")
    source_dir = source if source.is_dir() else source.parent
    if out_dir.resolve() == source_dir.resolve():
        raise ReleaseError("OUT_DIR is the source directory: releasing there would overwrite the solutions")
    copies = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            released = release_notebook(nb)
        except markup.MarkupError as error:
            raise ReleaseError(f"{path.name}: {error}") from None
        found = leaks(nb, released)
        if found:
            raise ReleaseError(f"{path.name}: the student copy would still contain {', '.join(found)}")
        copies.append((out_dir / path.name, released))
    existing = [target.name for target, _ in copies if target.exists()]
    if existing and not overwrite:
        raise ReleaseError(f"{out_dir} already has {', '.join(existing)}; pass --overwrite to replace them")
    out_dir.mkdir(parents=True, exist_ok=True)
    for target, released in copies:  # written only once every chapter passed the leak check
        nbformat.write(released, target)
    return [target for target, _ in copies]
