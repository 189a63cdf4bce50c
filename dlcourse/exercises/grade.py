"""`dlcourse grade`: run a submission in a fresh kernel and score each graded test cell.

1. Find the submission's chapter in the source directory (same file name, else most shared grade_ids).
2. Restore every locked cell from the source chapter — test cells come back *with* their hidden tests,
   even if the learner edited or deleted them.
3. Run the cells one by one in one kernel; an error costs only that cell, and a cell that runs
   longer than the timeout is interrupted so the rest of the notebook still runs.
4. A test cell earns its points if it ran without error.
"""

import copy
import os
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from dlcourse.exercises import markup
from dlcourse.exercises.release import chapter_notebooks

TIMEOUT_ENAME = "TimeoutError"


class GradeError(Exception):
    """A submission that cannot be graded (not a notebook, no matching source chapter)."""


@dataclass
class ExerciseResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    error: str | None = None


@dataclass
class GradeReport:
    notebook: str
    source: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_points for e in self.exercises)

    def as_dict(self) -> dict:
        return {
            "notebook": self.notebook,
            "source": self.source,
            "score": self.score,
            "max_score": self.max_score,
            "seconds": round(self.seconds, 2),
            "exercises": [asdict(e) for e in self.exercises],
        }


def default_source_dir() -> Path | None:
    """The repository's `instructor/chapters/` (the chapters with solutions and hidden tests), if there is one."""
    package_dir = Path(__file__).resolve().parents[1]
    for candidate in (package_dir.parent / "instructor" / "chapters",):
        if candidate.is_dir():
            return candidate
    return None


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, or raise GradeError with a one-line reason."""
    if not path.is_file():
        raise GradeError(f"{path}: no such file")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # JSON errors, schema errors, binary files: all "not a notebook"
        raise GradeError(f"{path}: not a notebook ({type(error).__name__})") from None


def _ids(nb) -> set[str]:
    return {markup.grade_id(c) for c in nb.cells if markup.grade_id(c)}


def find_source(submission_path: Path, submission, source_dir: Path) -> Path:
    """The source chapter a submission belongs to."""
    chapters = chapter_notebooks(source_dir)
    for chapter in chapters:
        if chapter.name == submission_path.name:
            return chapter
    overlap = {chapter: len(_ids(submission) & _ids(read_notebook(chapter))) for chapter in chapters}
    best = max(overlap, key=overlap.get, default=None)
    if best is None or overlap[best] == 0:
        raise GradeError(f"{submission_path}: no chapter in {source_dir} has its exercises (by grade_id)")
    return best


def _fresh_copy(cell, keep_id: str | None):
    restored = copy.deepcopy(cell)
    if restored.cell_type == "code":
        restored.outputs, restored.execution_count = [], None
    if keep_id:
        restored["id"] = keep_id
    elif "id" in restored:
        restored["id"] = uuid.uuid4().hex[:8]  # a re-inserted cell must not clash with the learner's ids
    return restored


def restore_locked_cells(submission, source):
    """A copy of `submission` whose locked cells (tests + hidden tests) are exactly the source's."""
    nb = copy.deepcopy(submission)
    locked = {markup.grade_id(c): c for c in source.cells if markup.is_locked(c) and markup.grade_id(c)}
    restored = set()
    for index, cell in enumerate(nb.cells):
        ident = markup.grade_id(cell)
        if ident in locked and ident not in restored:
            nb.cells[index] = _fresh_copy(locked[ident], keep_id=cell.get("id"))
            restored.add(ident)
    # Deleted locked cells go back after the nearest earlier source cell the submission still has.
    after = -1
    for cell in source.cells:
        ident = markup.grade_id(cell)
        position = next((i for i, c in enumerate(nb.cells) if ident and markup.grade_id(c) == ident), None)
        if position is not None:
            after = position
        elif ident in locked:
            nb.cells.insert(after + 1, _fresh_copy(cell, keep_id=None))
            after += 1
    return nb


def _error_text(ename: str, evalue: str) -> str:
    """'NameError: name 'x' is not defined'; a bare NotImplementedError means the stub is still there."""
    if ename == "NotImplementedError" and not evalue:
        evalue = "not implemented yet (the exercise still has its stub)"
    return f"{ename}: {evalue}"


def _kernel_env() -> dict:
    """The grader's environment, plus the directory holding this dlcourse (so the kernel imports it)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def execute(nb, cwd: Path, timeout: float) -> dict[int, str | None]:
    """Run every code cell of `nb` (outputs land in `nb`); per cell index: None if it ran, else the error."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbclient.util import run_sync

    replies: dict[int, dict] = {}
    timeout_reply = {
        "ename": TIMEOUT_ENAME,
        "evalue": f"the cell ran longer than {timeout:g} s and was stopped",
        "traceback": [],
    }
    client = NotebookClient(
        nb,
        timeout=timeout,
        interrupt_on_timeout=True,  # interrupt, keep the kernel (and the learner's variables) alive
        error_on_timeout=timeout_reply,
        allow_errors=True,
        kernel_name="python3",
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(cwd)}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply),
    )
    results: dict[int, str | None] = {}

    async def restart() -> None:
        """A fresh kernel, brought back to where we were by replaying the cells that ran fine."""
        await client.km.restart_kernel(now=True)
        await client.kc.wait_for_ready(timeout=60)
        for earlier in [i for i, error in results.items() if error is None]:
            await client.async_execute_cell(copy.deepcopy(nb.cells[earlier]), -2)

    async def responsive() -> bool:
        """After an interrupt: does the kernel answer again within a few seconds?"""
        probe = nbformat.v4.new_code_cell("pass")
        replies.pop(-1, None)
        client.timeout, saved = 10, client.timeout
        await client.async_execute_cell(probe, -1)
        client.timeout = saved
        return replies.get(-1, {}).get("content", {}).get("status") == "ok"

    async def run_all() -> None:
        # The kernel process's own log (not the learner's output, which comes over ZMQ) is noise here.
        async with client.async_setup_kernel(env=_kernel_env(), stderr=subprocess.DEVNULL):
            await client.kc.wait_for_ready(timeout=60)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    await client.async_execute_cell(cell, index, execution_count=index + 1)
                except DeadKernelError:
                    results[index] = "DeadKernelError: the kernel died (a crash, or out of memory)"
                    await restart()
                    continue
                content = replies.get(index, {}).get("content", {})
                if content.get("status") != "error":
                    results[index] = None
                    continue
                results[index] = _error_text(content.get("ename"), content.get("evalue"))
                if content.get("ename") == TIMEOUT_ENAME and not await responsive():
                    await restart()  # the interrupt did not stop it: a new kernel beats hanging forever

    run_sync(run_all)()
    return results


def _cause(nb, results, index: int) -> str | None:
    """Why a test probably failed: an earlier cell of its exercise timed out or killed the kernel."""
    for earlier in range(index - 1, -1, -1):
        cell = nb.cells[earlier]
        if markup.is_test(cell):
            break
        error = results.get(earlier) or ""
        if error.startswith((TIMEOUT_ENAME, "DeadKernelError")):
            return f"{markup.grade_id(cell) or f'cell {earlier}'}: {error.split(': ', 1)[1]}"
    return None


def grade_notebook(path: Path, source_path: Path, timeout: float = 60) -> GradeReport:
    """Grade one submission against its source chapter."""
    started = time.perf_counter()
    submission, source = read_notebook(path), read_notebook(source_path)
    nb = restore_locked_cells(submission, source)
    results = execute(nb, path.resolve().parent, timeout)
    report = GradeReport(notebook=str(path), source=str(source_path))
    by_id = {markup.grade_id(c): i for i, c in reversed(list(enumerate(nb.cells))) if markup.grade_id(c)}
    for cell in markup.test_cells(source):
        ident, max_points = markup.grade_id(cell), markup.nbgrader_meta(cell)["points"]
        index = by_id[ident]
        error, cause = results.get(index), _cause(nb, results, index)
        if error is not None and cause is not None:
            error = f"{cause}; then {error}"  # the cause first: it is what the learner must fix
        passed = error is None
        report.exercises.append(ExerciseResult(ident, max_points if passed else 0, max_points, passed, error))
    report.seconds = time.perf_counter() - started
    return report


def _number(value: float) -> str:
    return f"{value:g}"


def format_table(report: GradeReport) -> str:
    """The human-readable summary printed by `dlcourse grade`."""
    width = max([len(e.grade_id) for e in report.exercises] + [len("exercise")])
    lines = [
        f"{report.notebook}  (source: {Path(report.source).name}, {report.seconds:.1f} s)",
        f"  {'exercise':<{width}}  {'points':>9}  result",
    ]
    for e in report.exercises:
        first_line = (e.error or "").split("\n")[0].replace("CheckFailed: ✗ ", "")
        result = "✓ passed" if e.passed else "✗ " + (first_line[:117] + "..." if len(first_line) > 120 else first_line)
        points = f"{_number(e.points)} / {_number(e.max_points)}"
        lines.append(f"  {e.grade_id:<{width}}  {points:>9}  {result}")
    total = f"{_number(report.score)} / {_number(report.max_score)}"
    lines.append(f"  {'total':<{width}}  {total:>9}")
    return "\n".join(lines)


def write_json(reports: list[GradeReport], path: Path) -> None:
    """One report → one JSON object; several → a list of them."""
    import json

    data = reports[0].as_dict() if len(reports) == 1 else [r.as_dict() for r in reports]
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_csv(reports: list[GradeReport], path: Path) -> None:
    """A gradebook: one row per submission, one column per grade_id, then total and max_total."""
    import csv

    columns = list(dict.fromkeys(e.grade_id for r in reports for e in r.exercises))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", *columns, "total", "max_total"])
        for r in reports:
            points = {e.grade_id: _number(e.points) for e in r.exercises}
            row = [points.get(c, "") for c in columns]
            writer.writerow([r.notebook, *row, _number(r.score), _number(r.max_score)])
