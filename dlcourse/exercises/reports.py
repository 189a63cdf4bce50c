"""The gradebook a grading run leaves in its report folder, written as each submission finishes.

    progress.jsonl     one line per finished submission (the journal `--resume` continues from)
    report.json        {"dlcourse": …, "sandbox": …, "submissions": [ … one object per submission … ]}
    grades_long.csv    student, chapter, exercise, points, max, status, message (one row per exercise)
    grades_wide.csv    one row per student: a column per chapter and the total (imports into Canvas/Moodle)

A folder that already holds a report is never overwritten unless asked (`overwrite=True`); `resume=True`
keeps the results of submissions already graded (same file, same content) and grades the rest.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from dlcourse.exercises.grade import SubmissionResult

FILES = ("progress.jsonl", "report.json", "grades_long.csv", "grades_wide.csv")


class ReportError(Exception):
    """The report folder cannot be used as asked (it holds a report and neither resume nor overwrite)."""


def _number(value: float) -> str:
    return f"{value:g}"


class ReportFolder:
    def __init__(self, folder: Path, *, resume: bool = False, overwrite: bool = False, sandbox: str = ""):
        self.folder = Path(folder)
        self.sandbox = sandbox
        existing = [name for name in FILES if (self.folder / name).exists()]
        if existing and not (resume or overwrite):
            raise ReportError(
                f"{self.folder} already holds a report ({', '.join(existing)}): pass --resume to continue it "
                "or --overwrite to replace it"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self.results: dict[str, SubmissionResult] = {}
        if resume:
            self.results = self._read_journal()
        elif overwrite:
            for name in existing:
                (self.folder / name).unlink()

    def _read_journal(self) -> dict[str, SubmissionResult]:
        journal = self.folder / "progress.jsonl"
        results = {}
        if journal.exists():
            for line in journal.read_text(encoding="utf-8").splitlines():
                try:
                    result = SubmissionResult.from_dict(json.loads(line))
                except (ValueError, TypeError):
                    continue  # a line cut off by an interruption: that submission is graded again
                results[result.path] = result
        return results

    def already_graded(self, path: Path, sha256: str) -> bool:
        """Whether `--resume` can keep this submission's result (the same file, unchanged since)."""
        previous = self.results.get(str(path))
        return previous is not None and previous.sha256 == sha256 and bool(sha256)

    def add(self, result: SubmissionResult) -> None:
        """Record one finished submission: journal first (durable), then the gradebooks."""
        self.results[result.path] = result
        with (self.folder / "progress.jsonl").open("a", encoding="utf-8") as journal:
            journal.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
            journal.flush()
            os.fsync(journal.fileno())
        self.write()

    def ordered(self) -> list[SubmissionResult]:
        return sorted(self.results.values(), key=lambda r: (r.student, r.chapter, r.path))

    def write(self) -> None:
        results = self.ordered()
        from dlcourse import __version__

        data = {"dlcourse": __version__, "sandbox": self.sandbox, "submissions": [r.as_dict() for r in results]}
        _replace(self.folder / "report.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        _replace(self.folder / "grades_long.csv", long_csv(results))
        _replace(self.folder / "grades_wide.csv", wide_csv(results))


def _replace(path: Path, text: str) -> None:
    """Write via a temporary file and rename: a reader never sees half a gradebook."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8", newline="")
    temporary.replace(path)


class _Text:
    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)


def long_csv(results: list[SubmissionResult]) -> str:
    out = _Text()
    writer = csv.writer(out)
    writer.writerow(["student", "chapter", "exercise", "points", "max_points", "status", "message", "submission"])
    for r in results:
        chapter = Path(r.chapter).stem
        if not r.exercises:  # unreadable: still one row, so no student goes missing
            writer.writerow([r.student, chapter, "", "0", "", r.status, r.reason, r.path])
        for e in r.exercises:
            message = e.message or ""
            status = r.status if r.status != "graded" else ("passed" if e.passed else "failed")
            writer.writerow([r.student, chapter, e.grade_id, _number(e.points), _number(e.max_points), status,
                             message[:500], r.path])  # fmt: skip
    return "".join(out.parts)


def wide_csv(results: list[SubmissionResult]) -> str:
    """One row per student, one column per chapter (its points), then total and the maximum."""
    chapters = sorted({Path(r.chapter).stem for r in results if r.chapter})
    students: dict[str, dict[str, SubmissionResult]] = {}
    for r in results:
        students.setdefault(r.student, {})
        if r.chapter:
            students[r.student][Path(r.chapter).stem] = r
    maxima = {}
    for r in results:
        if r.chapter and r.exercises:
            maxima[Path(r.chapter).stem] = r.max_score
    out = _Text()
    writer = csv.writer(out)
    writer.writerow(["student", *chapters, "total", "max_total", "problems"])
    for student, by_chapter in sorted(students.items()):
        row = [_number(by_chapter[c].score) if c in by_chapter else "" for c in chapters]
        total = sum(r.score for r in by_chapter.values())
        problems = "; ".join(
            f"{Path(r.chapter).stem or r.path}: {r.status}" for r in by_chapter.values() if r.status != "graded"
        )
        unreadable = [r for r in results if r.student == student and not r.chapter]
        problems = "; ".join(filter(None, [problems] + [f"{r.path}: {r.status} ({r.reason})" for r in unreadable]))
        writer.writerow([student, *row, _number(total), _number(sum(maxima.get(c, 0) for c in chapters)), problems])
    return "".join(out.parts)


def format_table(result: SubmissionResult) -> str:
    """The human-readable summary printed by `dlcourse grade` for one submission."""
    chapter = Path(result.chapter).stem or "?"
    header = f"{result.path}  (student {result.student}, chapter {chapter}, {result.status}, {result.seconds:.1f} s)"
    lines = [header]
    if result.reason:
        lines.append(f"  {result.reason}")
    if result.exercises:
        width = max([len(e.grade_id) for e in result.exercises] + [len("exercise")])
        lines.append(f"  {'exercise':<{width}}  {'points':>9}  result")
        for e in result.exercises:
            first = (e.message or "").split("\n")[0]
            shown = "✓ passed" if e.passed else "✗ " + (first[:117] + "..." if len(first) > 120 else first)
            lines.append(f"  {e.grade_id:<{width}}  {_number(e.points) + ' / ' + _number(e.max_points):>9}  {shown}")
        lines.append(f"  {'total':<{width}}  {_number(result.score) + ' / ' + _number(result.max_score):>9}")
    return "\n".join(lines)
