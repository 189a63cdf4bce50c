"""Chapters are stored clean: valid nbformat v4, no outputs or execution counts, kernelspec python3.

Outputs in a stored notebook bloat diffs, leak a machine's paths and stale results, and would be
compared by nbval; a `python3` kernelspec makes the notebook open with the learner's own Python.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
# Control characters other than tab and newline: invisible in an editor, they break what they touch — e.g. a
# "\a" in a non-raw Python string turns LaTeX's \alpha into BEL + "lpha".
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The instructors' chapters and the learners' copies generated from them.
NOTEBOOKS = sorted((REPO / "instructor" / "chapters").glob("*.ipynb")) + sorted((REPO / "notebooks").glob("*.ipynb"))


def hygiene_problems(path: Path) -> list[str]:
    """Everything wrong with how the notebook at `path` is stored (empty when it is clean)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"not readable as JSON: {error}"]
    if raw.get("nbformat") != 4:
        return [f"nbformat is {raw.get('nbformat')!r}, expected 4"]
    notebook = nbformat.from_dict(raw)
    problems = []
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        problems.append(f"invalid nbformat v4: {error.message}")
    kernel_name = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel_name != "python3":
        problems.append(f"kernelspec name is {kernel_name!r}, expected 'python3'")
    if "widgets" in notebook.metadata:
        problems.append("saved widget state in metadata.widgets (an output): clear it")
    for index, cell in enumerate(notebook.cells):
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)  # stored as a list of lines
        control = CONTROL_CHARACTER.search(source)
        if control:
            line = source.count("\n", 0, control.start()) + 1
            problems.append(f"cell {index} has the control character {control.group()!r} on line {line}")
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has execution_count {cell.execution_count}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path):
    problems = hygiene_problems(path)
    assert not problems, f"{path.name}: " + "; ".join(problems) + " (clear all outputs before committing)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_notebook_name_is_numbered(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: expected NN_snake_case.ipynb"


# The checker itself, on notebooks made here: this part runs even before any chapter exists.


def write_notebook(
    path: Path, *, outputs=False, execution_count=None, kernel="python3", widgets=False, markdown="# Title"
):
    cell = nbformat.v4.new_code_cell("print(1 + 1)")
    if outputs:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    cell.execution_count = execution_count
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), cell])
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    if widgets:
        notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(notebook, path)
    return path


def test_checker_accepts_a_clean_notebook(tmp_path):
    assert hygiene_problems(write_notebook(tmp_path / "clean.ipynb")) == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"outputs": True}, "cell 1 has 1 output(s)"),
        ({"execution_count": 3}, "cell 1 has execution_count 3"),
        ({"kernel": "conda-env-dl-py"}, "kernelspec name is 'conda-env-dl-py', expected 'python3'"),
        ({"widgets": True}, "saved widget state in metadata.widgets (an output): clear it"),
        ({"markdown": "$\\sqrt{1-\alpha}$"}, "cell 0 has the control character '\\x07' on line 1"),
        ({"markdown": "a\n\x1b[31mred"}, "cell 0 has the control character '\\x1b' on line 2"),
    ],
)
def test_checker_finds_each_problem(tmp_path, options, expected):
    assert hygiene_problems(write_notebook(tmp_path / "dirty.ipynb", **options)) == [expected]


def test_checker_rejects_broken_and_old_files(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    assert hygiene_problems(broken)[0].startswith("not readable as JSON")

    old = tmp_path / "old.ipynb"
    old.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}), encoding="utf-8")
    assert hygiene_problems(old) == ["nbformat is 3, expected 4"]

    invalid = tmp_path / "invalid.ipynb"
    notebook = json.loads(write_notebook(tmp_path / "ok.ipynb").read_text(encoding="utf-8"))
    notebook["cells"][1]["cell_type"] = "mystery"
    invalid.write_text(json.dumps(notebook), encoding="utf-8")
    assert any(problem.startswith("invalid nbformat v4") for problem in hygiene_problems(invalid))
