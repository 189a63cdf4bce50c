"""Gradescope: an autograder zip that runs `dlcourse grade` on each submission, in Gradescope's own
container (one per submission, at any scale), and writes `/autograder/results/results.json`.

    dlcourse autograder 03_activations --gradescope autograder.zip

The zip follows Gradescope's autograder specification (gradescope-autograders.readthedocs.io/en/latest/specs/):
`setup.sh` (builds the environment once, when the image is built) and `run_autograder` at its root; the rest
lands in `/autograder/source/`: the instructor's chapters and checks (Gradescope never shows the autograder
to students), the dlcourse package, and the pinned run-time requirements. Gradescope puts the student's files
in `/autograder/submission/` and reads `/autograder/results/results.json`: one test per exercise with its
score, max_score, status and the grader's message.

Each submission already runs in its own throwaway container there, so the grader runs unsandboxed inside it
(bubblewrap needs namespaces that such containers usually do not grant); results.json says so.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))  # a test points this at a temporary folder
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # dlcourse/

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd /autograder/source
PYTHON=$(command -v python3.12 || command -v python3.11 || true)
if [ -z "$PYTHON" ]; then
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv || apt-get install -y -qq python3 python3-venv
    PYTHON=$(command -v python3.11 || command -v python3)
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -r requirements.txt
# compile the Numba kernels now, not during every submission
PYTHONPATH=/autograder/source/python /autograder/venv/bin/python -m dlcourse warmup || true
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission, in a fresh container; it must write results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${DLCOURSE_AUTOGRADER_PYTHON:-/autograder/venv/bin/python}"
cd "$ROOT/source"
PYTHONPATH="$ROOT/source/python" AUTOGRADER_ROOT="$ROOT" "$PYTHON" -m dlcourse.exercises.gradescope
"""


class GradescopeError(Exception):
    """The autograder zip cannot be written (an unknown chapter, no requirements to pin)."""


def _requirements() -> str:
    """The pinned run-time requirements: the repository's lock if there is one, else the installed versions."""
    repo = PACKAGE_DIR.parent
    for lock in (repo / "binder" / "requirements-runtime.txt", repo / "binder" / "requirements.txt"):
        if lock.is_file():
            return lock.read_text(encoding="utf-8")
    try:
        wanted = metadata.requires("dlcourse") or []
    except metadata.PackageNotFoundError:
        raise GradescopeError("no lock file and dlcourse is not installed: cannot pin the requirements") from None
    pins = []
    for requirement in wanted:
        name = requirement.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip()
        if "extra ==" not in requirement:
            pins.append(f"{name}=={metadata.version(name)}")
    return "\n".join(pins) + "\n"


def expected_values(source_dir: Path, checks_dir: Path, chapters: list[Path]) -> Path:
    """Run the instructor's chapters once here and keep their probe values (Gradescope then needs no second run)."""
    from dlcourse.exercises.grade import Grader, Settings, run_blocking
    from dlcourse.exercises.isolation import Unsandboxed

    cache = Path(tempfile.mkdtemp(prefix="dlcourse-expected-"))
    grader = Grader(source_dir, Unsandboxed(), Settings(timeout=300, cache_dir=cache), checks_dir=checks_dir)

    async def all_chapters():
        for path in chapters:
            await grader.expected(path.name)

    run_blocking(all_chapters())
    return cache


def write_autograder(source_dir: Path, chapters: list[str], out: Path, checks_dir: Path | None = None) -> Path:
    """Write the autograder zip for `chapters` (names like "03_activations") of the instructor's `source_dir`."""
    from dlcourse.exercises.release import chapter_notebooks, default_checks_dir

    checks_dir = default_checks_dir(Path(source_dir)) if checks_dir is None else Path(checks_dir)
    available = {p.stem: p for p in chapter_notebooks(Path(source_dir))}
    unknown = [c for c in chapters if Path(c).stem not in available]
    if unknown:
        raise GradescopeError(f"no such chapter: {', '.join(unknown)} (known: {', '.join(sorted(available))})")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    expected = expected_values(Path(source_dir), checks_dir, [available[Path(c).stem] for c in chapters])
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:

        def add_text(name: str, text: str, executable: bool = False) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if executable else 0o644) << 16
            archive.writestr(info, text)

        add_text("setup.sh", SETUP_SH, executable=True)
        add_text("run_autograder", RUN_AUTOGRADER, executable=True)
        add_text("requirements.txt", _requirements())
        config = {"chapters": [Path(c).stem + ".ipynb" for c in chapters], "timeout": 60}
        add_text("config.json", json.dumps(config, indent=2))
        for chapter in chapters:
            path = available[Path(chapter).stem]
            archive.write(path, f"chapters/{path.name}")
            spec_file = checks_dir / f"ch{path.name[:2]}.py"
            if spec_file.is_file():
                archive.write(spec_file, f"checks/{spec_file.name}")
        for path in sorted(expected.glob("*.json")):
            archive.write(path, f"expected/{path.name}")
        for path in sorted(PACKAGE_DIR.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".nbi", ".nbc", ".pyc"):
                archive.write(path, f"python/dlcourse/{path.relative_to(PACKAGE_DIR)}")
    shutil.rmtree(expected, ignore_errors=True)
    return out


def _find_submission(folder: Path, chapters: list[str]) -> Path | None:
    """The notebook the student handed in: one named like a chapter if there is one, else the first .ipynb."""
    notebooks = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    named = [p for p in notebooks if p.name in chapters]
    return (named or notebooks or [None])[0]


def results_json(result, seconds: float, note: str = "") -> dict:
    """Gradescope's results format from a SubmissionResult (or None when there was nothing to grade)."""
    if result is None:
        return {"score": 0, "execution_time": round(seconds), "output": note, "tests": []}
    tests = [
        {
            "name": exercise.grade_id,
            "score": exercise.points,
            "max_score": exercise.max_points,
            "status": "passed" if exercise.passed else "failed",
            "output": "passed" if exercise.passed else (exercise.message or "failed")[:2000],
            "visibility": "visible",
        }
        for exercise in result.exercises
    ]
    lines = [f"dlcourse grade: {Path(result.chapter).stem or '?'}, status {result.status}"]
    if result.reason:
        lines.append(result.reason[:2000])
    lines.append("Graded in this submission's own Gradescope container (no sandbox inside it).")
    return {
        "score": result.score,
        "execution_time": round(seconds),
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def run(root: Path = ROOT) -> dict:
    """Grade the submission in `root/submission` and write `root/results/results.json`."""
    from dlcourse.exercises.grade import Grader, Settings, run_blocking
    from dlcourse.exercises.isolation import Unsandboxed

    started = time.monotonic()
    source = root / "source"
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    (root / "results").mkdir(parents=True, exist_ok=True)
    submission = _find_submission(root / "submission", config["chapters"])
    if submission is None:
        data = results_json(None, time.monotonic() - started, "No notebook (.ipynb) was submitted.")
    else:
        cache = Path(tempfile.mkdtemp(prefix="dlcourse-expected-"))
        for path in (source / "expected").glob("*.json"):  # the instructor's values, computed when zipping
            shutil.copy(path, cache / path.name)
        grader = Grader(source / "chapters", Unsandboxed(), Settings(timeout=config["timeout"], cache_dir=cache),
                        checks_dir=source / "checks")  # fmt: skip
        result = run_blocking(grader.grade(submission))
        shutil.rmtree(cache, ignore_errors=True)
        data = results_json(result, time.monotonic() - started)
    (root / "results" / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return data


if __name__ == "__main__":
    outcome = run()
    print(f"score {outcome['score']} ({len(outcome['tests'])} tests)")
    sys.exit(0)
