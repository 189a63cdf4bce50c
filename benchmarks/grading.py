"""How fast `dlcourse grade` works through a class: seconds per submission and submissions per minute.

    python benchmarks/grading.py                       # all 12 chapters, sandboxed, -j 1 and -j 2
    python benchmarks/grading.py --chapters 00 03 08

The submissions are the instructor's own chapters (every cell runs, every exercise scores full marks, so
nothing stops early). A first run computes the instructor's expected values (cached in the report folder,
as in a real term); the timed runs at -j 1 and -j 2 start with that cache, as every run after the first
does. Sandboxed with bubblewrap when it is installed (as `dlcourse grade` does), else unsandboxed (printed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "instructor" / "chapters"


def grade(submissions: Path, out: Path, jobs: int, sandboxed: bool) -> tuple[float, list[dict]]:
    """Run `dlcourse grade` once; (wall seconds, the report's submissions)."""
    command = [sys.executable, "-m", "dlcourse", "grade", str(submissions), "--out", str(out), "-j", str(jobs)]
    if not sandboxed:
        command.append("--unsandboxed")
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"dlcourse grade failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return wall, report["submissions"]


def measure(chapters: list[str] | None = None) -> dict:
    """Grade every chapter's solution at -j 1 and -j 2 (instructor values cached); timings and scores."""
    sandboxed = shutil.which("bwrap") is not None
    paths = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))
    if chapters:
        paths = [p for p in paths if p.name[:2] in chapters]
    with tempfile.TemporaryDirectory(prefix="dlcourse-grading-bench-") as tmp:
        tmp = Path(tmp)
        submissions = tmp / "submissions"
        submissions.mkdir()
        for path in paths:
            shutil.copy(path, submissions / path.name)
        first_wall, _ = grade(submissions, tmp / "first", jobs=2, sandboxed=sandboxed)
        results = {"sandboxed": sandboxed, "submissions": len(paths), "first run (s)": first_wall}
        for jobs in (1, 2):
            out = tmp / f"j{jobs}"
            shutil.copytree(tmp / "first" / ".expected", out / ".expected")
            wall, report = grade(submissions, out, jobs=jobs, sandboxed=sandboxed)
            not_full = [r["path"] for r in report if r["status"] != "graded" or r["score"] != r["max_score"]]
            if not_full:
                raise SystemExit(f"the instructor's chapters must score full marks; these did not: {not_full}")
            results[f"-j {jobs}"] = {
                "wall (s)": wall,
                "per minute": 60 * len(report) / wall,
                "seconds per submission": {Path(r["path"]).stem: r["seconds"] for r in report},
            }
    return results


def print_results(results: dict) -> None:
    where = "sandboxed (bubblewrap)" if results["sandboxed"] else "UNSANDBOXED (bwrap not installed)"
    print(f"\nGrading: {results['submissions']} solution notebooks, {where}")
    one, two = results["-j 1"], results["-j 2"]
    print("| chapter | s per submission (-j 1) | s per submission (-j 2) |")
    print("|---|---:|---:|")
    for name, seconds in one["seconds per submission"].items():
        print(f"| {name} | {seconds:.1f} | {two['seconds per submission'][name]:.1f} |")
    for jobs, run in (("1", one), ("2", two)):
        print(f"-j {jobs}: {run['wall (s)']:.0f} s in all, {run['per minute']:.1f} submissions per minute")
    print(f"first run (computes the instructor's values too, -j 2): {results['first run (s)']:.0f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapters", nargs="*", help="two-digit chapter numbers (default: all)")
    args = parser.parse_args(argv)
    results = measure(args.chapters)
    print_results(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
