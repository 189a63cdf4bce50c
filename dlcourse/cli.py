"""The `dlcourse` command: homework tools for instructors, and the kernel warm-up.

dlcourse list                                          chapters, exercises (grade_id) and points
dlcourse release instructor/chapters/ release/ [--roster students.csv]
dlcourse grade submitted/ --out grades/ [-j 2] [--roster release/roster.csv]
dlcourse record-checks                                 re-record the check data after editing instructor/checks/
dlcourse autograder 03_activations --gradescope autograder.zip
dlcourse warmup                                        compile the Numba kernels into the cache
"""

import argparse
import importlib
import os
import sys
from pathlib import Path


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


def _source_dir(option: str | None) -> Path:
    from dlcourse.exercises.grade import default_source_dir

    source = Path(option) if option else default_source_dir()
    if source is None:
        raise UsageError("no chapter notebooks found; pass --source DIR (the instructor's chapters)")
    if not source.is_dir():
        raise UsageError(f"{source}: not a directory")
    return source


def _checks_dir(option: str | None, source: Path) -> Path:
    from dlcourse.exercises.release import default_checks_dir

    checks = Path(option) if option else default_checks_dir(source)
    if option and not checks.is_dir():
        raise UsageError(f"{checks}: not a directory")
    return checks


def cmd_release(args) -> int:
    from dlcourse.exercises.release import ReleaseError, read_roster, release_directory

    source, out_dir = Path(args.source_dir), Path(args.out_dir)
    if not source.exists():
        raise UsageError(f"{source}: no such directory")
    if source.is_file() and source.suffix != ".ipynb":
        raise UsageError(f"{source}: not a notebook")
    source_dir = source if source.is_dir() else source.parent
    try:
        roster = read_roster(Path(args.roster)) if args.roster else None
        written = release_directory(
            source, out_dir, overwrite=args.overwrite, checks_dir=_checks_dir(args.checks, source_dir), roster=roster
        )
    except ReleaseError as error:
        print(f"dlcourse release: refused, nothing written — {error}", file=sys.stderr)
        return 1
    if roster is None:
        for path in written:
            print(f"released {path}")
    else:
        print(f"released {len(written)} copies for {len(roster)} students into {out_dir}/<student>/")
        print(f"wrote {out_dir / 'roster.csv'} (student, seed): pass it to `dlcourse grade --roster`")
    return 0


def _submissions(names: list[str]) -> list[Path]:
    """The .ipynb files named, and those inside named folders (checkpoints skipped)."""
    found = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.exists() or path.suffix == ".ipynb":
            found.append(path)  # unreadable or missing files still get a row in the report
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not found:
        raise UsageError("no submissions (.ipynb files) found")
    return found


def cmd_grade(args) -> int:
    from dlcourse.exercises import grade, reports
    from dlcourse.exercises.grade import run_blocking
    from dlcourse.exercises.isolation import SandboxUnavailable, choose_isolation
    from dlcourse.exercises.release import ReleaseError, read_roster

    source_dir = _source_dir(args.source)
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    paths = _submissions(args.submissions)
    try:
        roster = read_roster(Path(args.roster)) if args.roster else None
    except ReleaseError as error:
        raise UsageError(str(error)) from None
    try:
        isolation = choose_isolation(unsandboxed=args.unsandboxed, memory_mb=args.memory)
    except SandboxUnavailable as error:
        print(f"dlcourse grade: {error}", file=sys.stderr)
        return 2
    try:
        folder = reports.ReportFolder(
            Path(args.out), resume=args.resume, overwrite=args.overwrite, sandbox=isolation.name
        )
    except reports.ReportError as error:
        raise UsageError(str(error)) from None
    settings = grade.Settings(
        timeout=args.timeout,
        submission_timeout=args.submission_timeout,
        jobs=args.jobs,
        cache_dir=Path(args.out) / ".expected",
    )
    grader = grade.Grader(
        source_dir, isolation, settings, checks_dir=_checks_dir(args.checks, source_dir), roster=roster
    )
    todo = [p for p in paths if not folder.already_graded(p, grade.file_sha256(p))]
    if len(todo) < len(paths):
        print(f"resuming: {len(paths) - len(todo)} submission(s) already graded, {len(todo)} to go")

    def finished(result):
        folder.add(result)
        print(reports.format_table(result), end="\n\n", flush=True)

    try:
        run_blocking(grader.grade_all(todo, on_result=finished))
    except grade.GradeError as error:
        print(f"dlcourse grade: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\ninterrupted: {len(folder.results)} graded so far; continue with --resume", file=sys.stderr)
        return 130
    folder.write()
    results = [folder.results[str(p)] for p in paths if str(p) in folder.results]
    problems = [r for r in results if r.status != "graded"]
    print(f"graded {len(results)} submission(s) ({isolation.name}); {len(problems)} with a status other than graded")
    print(f"wrote {args.out}/report.json, grades_long.csv, grades_wide.csv")
    return 0


def cmd_list(args) -> int:
    import nbformat

    from dlcourse.exercises import markup
    from dlcourse.exercises.release import chapter_notebooks

    source_dir = _source_dir(args.source)
    chapters = chapter_notebooks(source_dir)
    grand_total, count = 0.0, 0
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        tests = [(markup.grade_id(c), markup.nbgrader_meta(c).get("points", 0)) for c in markup.test_cells(nb)]
        total = sum(points for _, points in tests)
        print(f"{path.stem}  ({len(tests)} exercises, {total:g} points)")
        for ident, points in tests:
            print(f"    {ident:<32} {points:>5g}")
        grand_total, count = grand_total + total, count + len(tests)
    plural = "" if len(chapters) == 1 else "s"
    print(f"{len(chapters)} chapter{plural}, {count} exercises, {grand_total:g} points  (source: {source_dir})")
    return 0


def cmd_record_checks(args) -> int:
    from dlcourse.exercises import record
    from dlcourse.exercises.release import ReleaseError, sync_numbers_cells
    from dlcourse.exercises.spec import SpecError

    source_dir = _source_dir(args.source)
    checks = _checks_dir(args.checks, source_dir)
    out = Path(args.out) if args.out else record.DATA_DIR
    try:
        written = record.record_directory(checks, out)
        changed = sync_numbers_cells(source_dir, checks)
    except (SpecError, ReleaseError) as error:
        print(f"dlcourse record-checks: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"recorded {path}")
    for path in changed:
        print(f"updated the numbers cell of {path}")
    return 0


def cmd_autograder(args) -> int:
    from dlcourse.exercises.gradescope import GradescopeError, write_autograder

    source_dir = _source_dir(args.source)
    try:
        path = write_autograder(
            source_dir, args.chapters, Path(args.gradescope), checks_dir=_checks_dir(args.checks, source_dir)
        )
    except GradescopeError as error:
        print(f"dlcourse autograder: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}: upload it as the assignment's autograder on Gradescope")
    return 0


def cmd_warmup(args) -> int:
    try:
        kernels = importlib.import_module("dlcourse.kernels")
    except ModuleNotFoundError as error:
        if error.name not in ("dlcourse.kernels", "dlcourse"):
            raise
        kernels = None
    warmup = getattr(kernels, "warmup", None)
    if warmup is None:
        print("nothing to warm up")
        return 0
    warmup(jobs=max(1, args.jobs if args.jobs else min(2, os.cpu_count() or 1)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlcourse", description="Homework tools for the dlcourse notebooks.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    release = commands.add_parser(
        "release", help="write student copies: solutions stubbed, hidden tests removed, outputs cleared"
    )
    release.add_argument("source_dir", metavar="SOURCE_DIR", help="the instructor's chapters (with solutions)")
    release.add_argument("out_dir", metavar="OUT_DIR", help="where the student copies go")
    release.add_argument("--overwrite", action="store_true", help="replace copies that already exist in OUT_DIR")
    release.add_argument(
        "--roster", metavar="CSV", help="one copy per student with their own numbers (CSV: student[, seed])"
    )
    release.add_argument("--checks", metavar="DIR", help="exercise specs (default: SOURCE_DIR/../checks)")
    release.set_defaults(handler=cmd_release)

    grade = commands.add_parser("grade", help="score submissions, each in its own sandbox")
    grade.add_argument("submissions", metavar="SUBMISSION", nargs="+", help=".ipynb files or folders of them")
    grade.add_argument("--out", metavar="DIR", required=True, help="report folder (report.json, grades_*.csv)")
    grade.add_argument(
        "--source", metavar="DIR", help="the instructor's chapters (default: the repository's instructor/chapters/)"
    )
    grade.add_argument("--checks", metavar="DIR", help="exercise specs (default: SOURCE/../checks)")
    grade.add_argument("--roster", metavar="CSV", help="the roster.csv written by `release --roster`")
    grade.add_argument(
        "-j", "--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once (default: cores)"
    )
    grade.add_argument("--timeout", metavar="S", type=float, default=60, help="per-cell time limit (default 60)")
    grade.add_argument(
        "--submission-timeout", metavar="S", type=float, help="whole-submission limit (default 10 × timeout + 120)"
    )
    grade.add_argument("--memory", metavar="MB", type=int, default=3072, help="memory per submission (default 3072)")
    grade.add_argument("--resume", action="store_true", help="continue an interrupted run in the same --out folder")
    grade.add_argument("--overwrite", action="store_true", help="replace the report already in --out")
    grade.add_argument(
        "--unsandboxed",
        action="store_true",
        help="grade without a sandbox (trusted submissions only; the report records it)",
    )
    grade.set_defaults(handler=cmd_grade)

    listing = commands.add_parser("list", help="chapters with their exercises (grade_id) and points")
    listing.add_argument("--source", metavar="DIR", help="chapter notebooks (default: instructor/chapters/)")
    listing.set_defaults(handler=cmd_list)

    rec = commands.add_parser("record-checks", help="record the learners' check data from the exercise specs")
    rec.add_argument("--source", metavar="DIR", help="the instructor's chapters (default: instructor/chapters/)")
    rec.add_argument("--checks", metavar="DIR", help="exercise specs (default: SOURCE/../checks)")
    rec.add_argument("--out", metavar="DIR", help="where the data goes (default: inside the dlcourse package)")
    rec.set_defaults(handler=cmd_record_checks)

    auto = commands.add_parser("autograder", help="write a Gradescope autograder zip for chapters")
    auto.add_argument("chapters", metavar="CHAPTER", nargs="+", help="chapter names, e.g. 03_activations")
    auto.add_argument("--gradescope", metavar="ZIP", required=True, help="the zip file to write")
    auto.add_argument("--source", metavar="DIR", help="the instructor's chapters (default: instructor/chapters/)")
    auto.add_argument("--checks", metavar="DIR", help="exercise specs (default: SOURCE/../checks)")
    auto.set_defaults(handler=cmd_autograder)

    warmup = commands.add_parser("warmup", help="compile every numba kernel now (instead of on first use)")
    warmup.add_argument(
        "-j", "--jobs", type=int, default=0, help="compile in this many processes at once (default: 2, or 1 on 1 core)"
    )
    warmup.set_defaults(handler=cmd_warmup)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"dlcourse {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
