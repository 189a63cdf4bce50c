"""The `dlcourse` command: release student copies, grade submissions, list exercises, warm the kernels.

dlcourse release instructor/chapters/ release/
dlcourse grade submissions/*.ipynb --json report.json --csv grades.csv --timeout 60
dlcourse list
dlcourse warmup
"""

import argparse
import importlib
import sys
from pathlib import Path


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


def _source_dir(option: str | None) -> Path:
    from dlcourse.exercises.grade import default_source_dir

    source = Path(option) if option else default_source_dir()
    if source is None:
        raise UsageError("no chapter notebooks found; pass --source DIR")
    if not source.is_dir():
        raise UsageError(f"{source}: not a directory")
    return source


def cmd_release(args) -> int:
    from dlcourse.exercises.release import ReleaseError, release_directory

    source, out_dir = Path(args.source_dir), Path(args.out_dir)
    if not source.exists():
        raise UsageError(f"{source}: no such directory")
    if source.is_file() and source.suffix != ".ipynb":
        raise UsageError(f"{source}: not a notebook")
    try:
        written = release_directory(source, out_dir, overwrite=args.overwrite)
    except ReleaseError as error:
        print(f"dlcourse release: refused, nothing written — {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"released {path}")
    return 0


def cmd_grade(args) -> int:
    from dlcourse.exercises import grade

    source_dir = _source_dir(args.source)
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    jobs = []
    for name in args.notebooks:  # check every submission before spending time on any of them
        path = Path(name)
        if path.suffix != ".ipynb":
            raise UsageError(f"{path}: not a notebook (expected a .ipynb file)")
        try:
            jobs.append((path, grade.find_source(path, grade.read_notebook(path), source_dir)))
        except grade.GradeError as error:
            raise UsageError(str(error)) from None
    reports, failed = [], False
    for path, source in jobs:
        try:
            report = grade.grade_notebook(path, source, timeout=args.timeout)
        except Exception as error:  # one broken submission must not stop a whole class's grading
            print(f"dlcourse grade: could not grade {path}: {type(error).__name__}: {error}", file=sys.stderr)
            failed = True
            continue
        reports.append(report)
        print(grade.format_table(report), end="\n\n")
    if reports and args.json:
        grade.write_json(reports, Path(args.json))
        print(f"wrote {args.json}")
    if reports and args.csv:
        grade.write_csv(reports, Path(args.csv))
        print(f"wrote {args.csv}")
    return 1 if failed else 0


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
    warmup()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlcourse", description="Homework tools for the dlcourse notebooks (release, grade, list)."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    release = commands.add_parser(
        "release", help="write student copies: solutions stubbed, hidden tests removed, outputs cleared"
    )
    release.add_argument("source_dir", metavar="SOURCE_DIR", help="chapter notebooks with solutions")
    release.add_argument("out_dir", metavar="OUT_DIR", help="where the student copies go")
    release.add_argument("--overwrite", action="store_true", help="replace copies that already exist in OUT_DIR")
    release.set_defaults(handler=cmd_release)

    grade = commands.add_parser(
        "grade", help="run submissions in a fresh kernel, restore hidden tests, score each exercise"
    )
    grade.add_argument("notebooks", metavar="NOTEBOOK", nargs="+", help="submitted .ipynb files")
    grade.add_argument(
        "--source",
        metavar="DIR",
        help="chapter notebooks with solutions and hidden tests (default: the repository's instructor/chapters/)",
    )
    grade.add_argument("--json", metavar="REPORT", help="write the report(s) as JSON")
    grade.add_argument("--csv", metavar="FILE", help="write a gradebook: a row per submission")
    grade.add_argument("--timeout", metavar="S", type=float, default=60, help="per-cell time limit (default 60)")
    grade.set_defaults(handler=cmd_grade)

    listing = commands.add_parser("list", help="chapters with their exercises (grade_id) and points")
    listing.add_argument("--source", metavar="DIR", help="chapter notebooks (default: instructor/chapters/)")
    listing.set_defaults(handler=cmd_list)

    warmup = commands.add_parser("warmup", help="compile every numba kernel now (instead of on first use)")
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
