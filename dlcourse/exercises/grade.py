"""`dlcourse grade`: score submissions in throwaway sandboxes, with verdicts decided outside them.

For each chapter, once: the instructor's chapter runs in a sandbox and its hidden probes report the
expected values (cached on disk, keyed by the chapter's and its checks' contents).
For each submission:
1. read it, find the student (from its path) and the chapter (from its grade_ids), note tampering;
2. rebuild it: the learner's cells + every locked cell from the instructor's chapter, the numbers cell
   from the roster (submission.py);
3. run it in a fresh sandbox (isolation.py): each cell with a deadline, output capped, a kernel that
   dies or ignores interrupts replaced and brought back by replaying what had run (runner.py);
4. compare each test cell's probe values with the expected ones in this process (verdicts.py).
A test earns its points only when its probes computed the right values; nothing the submission's kernel
says about itself (errors, check() results, printed text) counts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from dlcourse.exercises import markup
from dlcourse.exercises import spec as S
from dlcourse.exercises.encoding import decode, encode
from dlcourse.exercises.isolation import Isolation
from dlcourse.exercises.release import chapter_notebooks, chapter_spec_for, default_checks_dir, numbers_cell_for
from dlcourse.exercises.runner import CellResult, KernelRunner, OutputBudget
from dlcourse.exercises.submission import (
    SubmissionError,
    bypass_attempts,
    match_chapter,
    read_notebook,
    rebuild,
    student_of,
    tampering,
    units,
)
from dlcourse.exercises.verdicts import judge_test

MAX_RESTARTS = 3
STATUSES = ("graded", "tampered", "timeout", "error", "unreadable")


class GradeError(Exception):
    """Grading cannot start (no chapters, a broken instructor chapter, no sandbox)."""


@dataclass
class ExerciseResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str | None = None


@dataclass
class SubmissionResult:
    """One row of the gradebook: every submission given gets exactly one."""

    path: str
    student: str
    chapter: str = ""
    status: str = "graded"
    reason: str = ""
    exercises: list[ExerciseResult] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sandbox: str = ""
    sha256: str = ""

    @property
    def score(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_points for e in self.exercises)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score, seconds=round(self.seconds, 2))
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        data["exercises"] = [ExerciseResult(**e) for e in data.get("exercises", [])]
        return cls(**data)


def default_source_dir() -> Path | None:
    """The repository's `instructor/chapters/` (the chapters with solutions and hidden tests), if there is one."""
    candidate = Path(__file__).resolve().parents[2] / "instructor" / "chapters"
    return candidate if candidate.is_dir() else None


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


@dataclass
class Settings:
    timeout: float = 60.0  # per cell
    submission_timeout: float | None = None  # whole submission; default: 10 × timeout + 120 s
    jobs: int = 1
    cache_dir: Path | None = None

    @property
    def budget(self) -> float:
        return self.submission_timeout if self.submission_timeout else 10 * self.timeout + 120


class Grader:
    """Grades submissions of the chapters in `source_dir` (see the module docstring)."""

    def __init__(
        self,
        source_dir: Path,
        isolation: Isolation,
        settings: Settings | None = None,
        checks_dir: Path | None = None,
        roster: dict[str, int] | None = None,
    ):
        self.source_dir = Path(source_dir)
        self.isolation = isolation
        self.settings = settings or Settings()
        self.checks_dir = default_checks_dir(self.source_dir) if checks_dir is None else Path(checks_dir)
        self.roster = roster
        paths = chapter_notebooks(self.source_dir)
        if not paths:
            raise GradeError(f"no chapter notebooks in {self.source_dir}")
        self.sources = {p.name: nbformat.read(p, as_version=4) for p in paths}
        self.source_paths = {p.name: p for p in paths}
        self._specs: dict[str, S.ChapterSpec | None] = {}
        self._expected: dict[str, dict[str, list[dict]]] = {}
        self._expected_locks: dict[str, asyncio.Lock] = {}

    # ------------------------------------------------------------------ the instructor's side
    def chapter_spec(self, name: str) -> S.ChapterSpec | None:
        if name not in self._specs:
            self._specs[name] = chapter_spec_for(self.source_paths[name], self.checks_dir)
        return self._specs[name]

    def _cache_key(self, name: str) -> str:
        digest = hashlib.sha256(self.source_paths[name].read_bytes())
        spec = self.chapter_spec(name)
        if spec is not None:
            digest.update(Path(spec.path).read_bytes())
        from dlcourse import __version__

        digest.update(__version__.encode())
        return digest.hexdigest()[:20]

    async def expected(self, name: str) -> dict[str, list[dict]]:
        """grade_id → the probe records of the instructor's solution (run once, then cached)."""
        lock = self._expected_locks.setdefault(name, asyncio.Lock())
        async with lock:
            if name not in self._expected:
                self._expected[name] = await self._expected_uncached(name)
        return self._expected[name]

    async def _expected_uncached(self, name: str) -> dict[str, list[dict]]:
        cache = None
        if self.settings.cache_dir is not None:
            cache = Path(self.settings.cache_dir) / f"{Path(name).stem}-{self._cache_key(name)}.json"
            if cache.is_file():
                stored = json.loads(cache.read_text(encoding="utf-8"))
                return {gid: [decode_record(r) for r in records] for gid, records in stored.items()}
        source = self.sources[name]
        spec = self.chapter_spec(name)
        numbers_source = numbers_cell_for(spec, S.DEFAULT_SEED) if spec and spec.sampler else None
        nb, _ = rebuild(source, source, numbers_source)
        results, _ = await self._run(nb, timeout=max(self.settings.timeout, 300))
        plan = units(nb)
        expected: dict[str, list[dict]] = {}
        for unit, result in zip(plan, results):
            if unit.role != "probes":
                continue
            failed = [r for r in result.probes if "error" in r] if result else []
            if result is None or not result.ok or failed or not result.probes:
                why = result.error if result and result.error else (failed[0]["error"] if failed else "no probes ran")
                raise GradeError(f"{name}: the instructor's solution fails its own probes in {unit.grade_id}: {why}")
            expected[unit.grade_id] = result.probes
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            stored = {gid: [encode_record(r) for r in records] for gid, records in expected.items()}
            cache.write_text(json.dumps(stored), encoding="utf-8")
        return expected

    # ------------------------------------------------------------------ running
    async def _run(self, nb, timeout: float | None = None) -> tuple[list[CellResult | None], str | None]:
        """Run every unit of `nb` in a fresh sandbox; results per unit (None: not run) and why it stopped early."""
        plan = units(nb)
        timeout = timeout or self.settings.timeout
        deadline = time.monotonic() + max(self.settings.budget, timeout)
        results: list[CellResult | None] = [None] * len(plan)
        stopped = None
        async with self.isolation.kernel() as manager:
            runner = KernelRunner(manager, timeout=timeout, budget=OutputBudget())
            await runner.start()
            restarts = 0
            try:
                for index, unit in enumerate(plan):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        stopped = f"the submission ran out of its time budget ({self.settings.budget:g} s)"
                        break
                    result = await runner.run(unit.code, timeout=min(timeout, left))
                    results[index] = result
                    if result.status in ("unresponsive", "dead"):
                        restarts += 1
                        if restarts > MAX_RESTARTS:
                            stopped = f"the kernel had to be replaced more than {MAX_RESTARTS} times"
                            break
                        if not await self._replay(runner, plan[:index], results[:index], deadline):
                            stopped = "after a restart, the cells that had run before could not be run again"
                            break
            finally:
                await runner.shutdown()
        return results, stopped

    async def _replay(self, runner: KernelRunner, plan, results, deadline: float) -> bool:
        """A fresh kernel, brought back to where we were: the cells that ran fine, each on a short leash."""
        await runner.restart()
        for unit, result in zip(plan, results):
            if result is None or not result.ok or unit.role == "probes":
                continue
            left = deadline - time.monotonic()
            leash = min(runner.timeout, 2 * result.seconds + 2.0, left)  # a cell that hangs only now costs little
            if leash <= 0 or not (await runner.run(unit.code, timeout=leash)).ok:
                return False
        return True

    # ------------------------------------------------------------------ one submission
    def numbers_for(self, student: str, spec: S.ChapterSpec | None) -> tuple[Any, str | None, list[str]]:
        """The learner's numbers, the numbers cell to restore, and flags (a student missing from the roster)."""
        if spec is None or spec.sampler is None:
            return (spec.numbers() if spec else None), None, []
        flags = []
        seed = S.DEFAULT_SEED
        if self.roster is not None:
            if student in self.roster:
                seed = self.roster[student]
            else:
                flags.append(f"student {student!r} is not in the roster: graded with the public numbers (seed 0)")
        return spec.numbers(seed), numbers_cell_for(spec, seed), flags

    async def grade(self, path: Path) -> SubmissionResult:
        """Grade one submission; never raises for anything the submission did."""
        started = time.monotonic()
        path = Path(path)
        result = SubmissionResult(
            path=str(path), student=student_of(path), sandbox=self.isolation.name, sha256=file_sha256(path)
        )
        try:
            submission = read_notebook(path)
            result.chapter, name_flags = match_chapter(path, submission, self.sources)
        except SubmissionError as error:
            result.status, result.reason = "unreadable", str(error)
            result.seconds = time.monotonic() - started
            return result
        source = self.sources[result.chapter]
        spec = self.chapter_spec(result.chapter)
        numbers, numbers_source, roster_flags = self.numbers_for(result.student, spec)
        result.flags = name_flags + tampering(submission, source) + bypass_attempts(submission) + roster_flags
        theirs = [c.get("source", "") for c in submission.cells if markup.is_numbers_cell(c)]
        if numbers_source is not None and theirs and theirs[0] != numbers_source:
            result.flags.append(
                "the numbers cell is not the one released to this student: graded with their own numbers"
            )
        nb, result.notes = rebuild(submission, source, numbers_source)
        tests = [(markup.grade_id(c), float(markup.nbgrader_meta(c)["points"])) for c in markup.test_cells(source)]
        try:
            expected = await self.expected(result.chapter)
            runs, stopped = await self._run(nb)
        except GradeError:
            raise
        except Exception as error:  # the sandbox or kernel could not start: this row says so
            result.status, result.reason = "error", f"could not run the submission: {type(error).__name__}: {error}"
            result.exercises = [ExerciseResult(gid, 0.0, pts, False, "not run") for gid, pts in tests]
            result.seconds = time.monotonic() - started
            return result
        by_unit = {}
        for unit, run in zip(units(nb), runs):
            by_unit.setdefault((unit.role, unit.grade_id), run)
        for grade_id, points in tests:
            probes_run = by_unit.get(("probes", grade_id))
            visible = by_unit.get(("test", grade_id))
            if probes_run is None:
                message = stopped or "not run"
            else:
                message = judge_test(expected[grade_id], probes_run.probes, spec, numbers)
                if message is not None and visible is not None and visible.error:
                    message = f"{message} (the visible check said: {visible.error.splitlines()[0][:200]})"
            passed = message is None
            result.exercises.append(ExerciseResult(grade_id, points if passed else 0.0, points, passed, message))
        if stopped:
            result.status, result.reason = "timeout", stopped
        elif result.flags:
            result.status, result.reason = "tampered", "; ".join(result.flags)
        result.seconds = time.monotonic() - started
        return result

    async def grade_all(self, paths: list[Path], on_result=None) -> list[SubmissionResult]:
        """Grade `paths` with up to `settings.jobs` sandboxes at once; `on_result(r)` as each one finishes."""
        semaphore = asyncio.Semaphore(max(1, self.settings.jobs))

        async def one(path):
            async with semaphore:
                result = await self.grade(path)
            if on_result is not None:
                on_result(result)
            return result

        return list(await asyncio.gather(*(one(p) for p in paths)))


def run_blocking(coroutine):
    """`asyncio.run(coroutine)`, also when this thread already runs an event loop (a Jupyter kernel, a test
    session driving Playwright): then it runs in a thread of its own, and this one waits for it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def encode_record(record: dict) -> dict:
    out = {k: v for k, v in record.items() if k != "value"}
    if "value" in record:
        out["value"] = encode(record["value"])
    return out


def decode_record(record: dict) -> dict:
    out = dict(record)
    if "value" in record:
        out["value"] = decode(record["value"])
    return out
