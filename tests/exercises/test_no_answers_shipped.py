"""Nothing a learner installs gives an answer away: not the wheel, not the editable install (the package
folder), not the source of anything importable from `dlcourse.exercises`."""

import gzip
import importlib
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest
from exercise_helpers import CHAPTERS_DIR, CHECKS_DIR, REPO, read

import dlcourse.exercises
from dlcourse.exercises import markup, spec
from dlcourse.exercises.release import _secret_and_public_lines

CHAPTERS = sorted(CHAPTERS_DIR.glob("*.ipynb"))


_CONVERSION = re.compile(r"^\w+ = np\.(asarray|array)\(\w+(, dtype=[\w.]+)?\)$")  # `x = np.asarray(x)` says nothing


def telling(line: str) -> bool:
    """A line that gives something away: not a comment, not a fragment as common as `return grad`."""
    return sum(ch.isalnum() for ch in line) >= 14 and not line.startswith(("#", '"""')) and not _CONVERSION.match(line)


def solution_lines() -> dict[str, str]:
    """Every telling line of every solution block → the chapter it comes from."""
    lines = {}
    for path in CHAPTERS:
        nb = read(path)
        _, public = _secret_and_public_lines(nb)
        for cell in nb.cells:
            for body in markup.region_bodies(cell.source, markup.BEGIN_SOLUTION, markup.END_SOLUTION):
                for line in body:
                    line = line.strip()
                    if telling(line) and line not in public:
                        lines[line] = path.name
    return lines


def reference_lines() -> dict[str, str]:
    """The body lines of every reference function in instructor/checks/ (the instructor's answers)."""
    lines = {}
    for chapter in spec.load_directory(CHECKS_DIR).values():
        for exercise in chapter.exercises.values():
            if isinstance(exercise, spec.FunctionExercise):
                source = textwrap.dedent(inspect.getsource(exercise.reference))
                body = source.split('"""')[-1] if '"""' in source else source.split(":", 1)[1]
                for line in body.splitlines():
                    line = line.strip()
                    if telling(line) and not line.startswith(("def ", "@")):
                        lines[line] = exercise.exercise_id
    return lines


def texts_of(files: dict[str, bytes]) -> dict[str, str]:
    """name → text, with gzip'd data decompressed (a leak must not hide in compression)."""
    texts = {}
    for name, raw in files.items():
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        texts[name] = raw.decode("utf-8", errors="replace")
    return texts


# Leaks tolerated while an exercise is being reworked: none. (Chapter 01 used to ask for the library's step and
# update rule; its exercises are transfer exercises now.) This set may only shrink: every entry must still be found.
KNOWN_LEAKS: set[str] = set()


def find_leaks(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    found = [
        f"{name} contains {line!r} (from {where})"
        for line, where in secrets.items()
        for name, text in texts.items()
        if line in text
    ]
    return [leak for leak in found if leak not in KNOWN_LEAKS]


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory):
    """Build the project's wheel (from a copy, so the repository gets no build/ folder) and read every file."""
    source = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(
        REPO / "dlcourse", source / "dlcourse", ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc")
    )
    out = tmp_path_factory.mktemp("wheel")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        str(source),
        "-w",
        str(out),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("dlcourse-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_wheel_carries_the_check_data_but_no_solution_or_reference(wheel_files):
    assert any(name.startswith("dlcourse/exercises/data/ch") for name in wheel_files), "the check data must ship"
    texts = texts_of(wheel_files)
    assert not find_leaks(texts, solution_lines())
    assert not find_leaks(texts, reference_lines())


def test_the_package_folder_of_an_editable_install_holds_no_answer():
    package = REPO / "dlcourse"
    files = {
        str(p.relative_to(package)): p.read_bytes()
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".gz", ".txt", ".md", ".json")
    }
    texts = texts_of(files)
    assert not find_leaks(texts, solution_lines())
    assert not find_leaks(texts, reference_lines())


def test_nothing_importable_from_dlcourse_exercises_shows_a_reference():
    secrets = {**solution_lines(), **reference_lines()}
    shown = {}
    for module_info in pkgutil.walk_packages(dlcourse.exercises.__path__, "dlcourse.exercises."):
        if module_info.name.endswith(".sandbox"):
            continue  # imports Linux-only pieces; checked through the grader's own tests
        module = importlib.import_module(module_info.name)
        for name, member in vars(module).items():
            if (inspect.isfunction(member) or inspect.isclass(member)) and member.__module__ == module.__name__:
                shown[f"{module.__name__}.{name}"] = inspect.getsource(member)
    assert len(shown) > 50
    assert not find_leaks(shown, secrets)


def test_the_leak_finder_finds_a_planted_leak():
    """The searches above can fail: a solution line planted in a file is found."""
    secrets = solution_lines()
    assert len(secrets) > 40, "too few solution lines found: is the source parsing broken?"
    line, chapter = next(iter(secrets.items()))
    assert find_leaks({"planted.py": f"x = 1\n{line}\n"}, secrets) == [f"planted.py contains {line!r} (from {chapter})"]
    assert reference_lines(), "no reference functions found in instructor/checks/"
