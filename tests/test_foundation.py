"""The foundation: one lock used everywhere, the two make commands, Binder, conda, CI and the README.

The Makefile tests run `make` in a scratch folder against a fake `.venv/bin/python` that only logs
what it was asked to do, so they check the install logic without installing anything.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "binder" / "requirements.txt"  # the run-time lock: what learners install
TEST_LOCK = REPO / "tests" / "requirements.txt"  # the test tools, constrained by the run-time lock
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!_-]*)")
# Provided by every virtualenv / conda env, never pinned; dlcourse is installed from the checkout.
NOT_LOCKED = {"pip", "setuptools", "wheel", "dlcourse"}
CHAPTERS = [
    "00_welcome",
    "01_perceptron",
    "02_mlp_xor",
    "03_activations",
    "04_losses",
    "05_gradient_descent",
    "06_backprop",
    "07_regression_classification_clustering",
    "08_cnn",
    "09_rnn_lstm",
    "10_overfitting",
    "11_universal_approximation",
]
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def read_lock(path: Path = LOCK) -> dict[str, str]:
    """{canonical name: version} of a lock file; a line that is not `name==version` is an error."""
    pins: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#") or line == "-c ../binder/requirements.txt":
            continue
        match = PIN.fullmatch(line)
        if match is None:
            raise ValueError(f"{path.name}:{number}: {line!r} is not an exact `name==version` pin")
        name = canonicalize_name(match[1])
        if name in pins:
            raise ValueError(f"{path.name}:{number}: {name} is pinned twice")
        pins[name] = match[2]
    return pins


def declared_requirements(test: bool = True) -> list[Requirement]:
    """dlcourse's run-time dependencies (and its `test` extra), as pyproject.toml declares them."""
    project = PYPROJECT["project"]
    texts = project["dependencies"] + (project["optional-dependencies"]["test"] if test else [])
    return [Requirement(text) for text in texts]


def dependency_closure(roots: list[Requirement]) -> set[str]:
    """Every distribution the installed `roots` need, transitively (extras and markers honoured)."""
    needed: dict[str, set[str]] = {}
    pending = [(canonicalize_name(r.name), set(r.extras)) for r in roots]
    while pending:
        name, extras = pending.pop()
        if name in needed and extras <= needed[name]:
            continue
        needed.setdefault(name, set()).update(extras)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            wanted_for = [""] + sorted(needed[name])
            if requirement.marker is None or any(requirement.marker.evaluate({"extra": e}) for e in wanted_for):
                pending.append((canonicalize_name(requirement.name), set(requirement.extras)))
    return set(needed)


# --- the lock -------------------------------------------------------------------------------------------


def test_lock_reader_rejects_anything_but_exact_pins(tmp_path):
    for bad in ["numpy>=2", "-e .", "numpy", "numpy==2.4.6 ; python_version<'4'"]:
        lock = tmp_path / "requirements.txt"
        lock.write_text(f"# comment\nnumba==0.68.1\n{bad}\n", encoding="utf-8")
        with pytest.raises(ValueError, match="is not an exact"):
            read_lock(lock)
    lock.write_text("numba==0.68.1\nNumba==0.68.1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="pinned twice"):
        read_lock(lock)


def test_lock_has_only_exact_pins_including_the_core_versions():
    pins = read_lock()
    assert pins["numpy"] == "2.4.6"
    assert pins["numba"] == "0.68.1"
    assert len(pins) > 50, "the lock should pin the whole dependency tree, not just the direct deps"


def test_locks_leave_out_torch_scipy_and_the_learner_lock_the_test_tools():
    runtime, test = read_lock(), read_lock(TEST_LOCK)
    for pins in (runtime, test):
        unwanted = {"torch", "scipy", *NOT_LOCKED} & set(pins)
        assert not unwanted, f"must not be in a lock: {sorted(unwanted)} (torch is a test-only oracle)"
    tools = {"pytest", "playwright", "jupyter-repo2docker", "docker", "nbgrader", "hypothesis", "ruff"}
    assert not tools & set(runtime), "the learner's environment must not carry the test tools"
    assert tools <= set(test)
    assert not set(runtime) & set(test), "a package is pinned in both locks"


def test_the_test_lock_is_constrained_by_the_runtime_lock():
    lines = [line.strip() for line in TEST_LOCK.read_text(encoding="utf-8").splitlines()]
    assert "-c ../binder/requirements.txt" in lines


def test_declared_dependencies_are_pinned_within_their_ranges():
    pins = {**read_lock(), **read_lock(TEST_LOCK)}
    for requirement in declared_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is declared in pyproject.toml but not pinned in the lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"the lock pins {name}=={pins[name]}, outside pyproject's range {requirement}"
        )


def test_the_running_environment_is_the_locked_one():
    """What the tests run in is what Binder installs: every pin is the installed version."""
    drift = {}
    for name, version in {**read_lock(), **read_lock(TEST_LOCK)}.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            drift[name] = f"locked {version}, installed {installed}"
    assert not drift, f"environment differs from the lock (run `make setup`): {drift}"


def test_locks_are_exactly_the_dependency_closures():
    """Nothing needed is missing (a fresh install would break) and nothing unneeded is pinned."""
    runtime = dependency_closure(declared_requirements(test=False)) - NOT_LOCKED
    assert set(read_lock()) == runtime, (
        f"run-time lock: missing {sorted(runtime - set(read_lock()))}, unneeded {sorted(set(read_lock()) - runtime)}"
    )
    test_only = dependency_closure(declared_requirements()) - NOT_LOCKED - runtime
    assert set(read_lock(TEST_LOCK)) == test_only, (
        f"test lock: missing {sorted(test_only - set(read_lock(TEST_LOCK)))}, "
        f"unneeded {sorted(set(read_lock(TEST_LOCK)) - test_only)}"
    )


# --- Binder and conda -----------------------------------------------------------------------------------


def test_binder_runtime_is_python_3_11():
    assert (REPO / "binder" / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"


def test_environment_yml_installs_python_the_lock_and_the_package():
    environment = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    dependencies = environment["dependencies"]
    assert "python=3.11" in dependencies and "pip" in dependencies
    pip_section = next(item["pip"] for item in dependencies if isinstance(item, dict) and "pip" in item)
    assert "-r binder/requirements.txt" in pip_section
    assert "-e ." in pip_section
    assert environment["name"] == "dlcourse"


def test_postbuild_is_an_executable_strict_bash_script():
    post_build = REPO / "binder" / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert post_build.stat().st_mode & stat.S_IXUSR, "binder/postBuild must be executable"
    assert text.startswith("#!/bin/bash")
    assert re.search(r"^set -[a-z]*e", text, re.MULTILINE), "postBuild must stop at the first error (set -e)"
    subprocess.run(["bash", "-n", str(post_build)], check=True)


def fake_commands(bin_dir: Path, log: Path, *, installed: bool, warmup_status: int = 0) -> dict[str, str]:
    """`pip` and `dlcourse` stand-ins that log their arguments and working directory."""
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "pip").write_text(
        textwrap.dedent(f"""\
            #!/bin/bash
            echo "pip $* (in $PWD)" >> {log}
            if [ "$1" = show ]; then exit {0 if installed else 1}; fi
            """),
        encoding="utf-8",
    )
    (bin_dir / "dlcourse").write_text(f'#!/bin/bash\necho "dlcourse $*" >> {log}\nexit {warmup_status}\n')
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_postbuild_installs_dlcourse_then_warms_the_cache(tmp_path):
    log = tmp_path / "calls.log"
    env = fake_commands(tmp_path / "bin", log, installed=False)
    subprocess.run([str(REPO / "binder" / "postBuild")], cwd=tmp_path, env=env, check=True)
    calls = log.read_text().splitlines()
    install = [c for c in calls if c.startswith("pip install")]
    assert install and "-e ." in install[0] and "--no-deps" in install[0]
    assert install[0].endswith(f"(in {REPO})"), "postBuild must install from the repository root"
    assert calls[-1] == "dlcourse warmup"


def test_postbuild_skips_the_install_when_present_and_fails_when_warmup_fails(tmp_path):
    log = tmp_path / "calls.log"
    env = fake_commands(tmp_path / "bin", log, installed=True, warmup_status=3)
    result = subprocess.run([str(REPO / "binder" / "postBuild")], cwd=tmp_path, env=env)
    assert result.returncode == 3, "a failed warmup must fail the Binder build, not ship a cold cache"
    assert not [c for c in log.read_text().splitlines() if c.startswith("pip install")]


@pytest.mark.slow
def test_repo2docker_dry_run_builds_from_binder(tmp_path):
    """repo2docker --no-build (no Docker needed) prints the Dockerfile Binder would build."""
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(REPO)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "python=3.11" in output, "binder/runtime.txt should select Python 3.11"
    assert re.search(r'pip install [^\n]*-r "?binder/requirements\.txt', output), "the lock is not installed"
    assert "./binder/postBuild" in output, "binder/postBuild (which installs dlcourse) is not run"
    assert "environment.yml" not in output, "Binder must build from binder/, not the root environment.yml"


# --- the Makefile ---------------------------------------------------------------------------------------


def make_dry_run(target: str, *variables: str) -> str:
    """The commands `make target` would run from scratch (--always-make: whatever stamps exist here)."""
    command = ["make", "--dry-run", "--always-make", target, *variables]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout


@needs_make
def test_make_test_lints_then_runs_unit_tests_and_notebooks_under_nbval():
    commands = make_dry_run("test").splitlines()
    ruff = [c for c in commands if "ruff " in c]
    assert any("ruff check" in c and "dlcourse" in c and "tests" in c for c in ruff)
    assert any("ruff format --check" in c for c in ruff)
    pytest_line = next(c for c in commands if "-m pytest" in c)
    for expected in ("--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout", "tests"):
        assert expected in pytest_line
    assert commands.index(ruff[0]) < commands.index(pytest_line)
    assert any("torch==2.13.0" in c for c in commands), "make test installs torch for the parity tests"


@needs_make
def test_make_lab_installs_only_the_runtime_lock_and_make_test_adds_the_test_lock():
    lab = make_dry_run("lab")
    assert "-r binder/requirements.txt" in lab and "tests/requirements.txt" not in lab
    assert "-r tests/requirements.txt" in make_dry_run("test")


@needs_make
def test_make_lab_warms_up_then_starts_jupyterlab_on_the_notebooks():
    commands = make_dry_run("lab", "LAB_ARGS=--no-browser --port 8899").splitlines()
    warmup = next(i for i, c in enumerate(commands) if "dlcourse warmup" in c)
    lab = next(i for i, c in enumerate(commands) if "jupyter lab notebooks/" in c)
    assert warmup < lab
    assert commands[lab].endswith("--no-browser --port 8899")


@needs_make
def test_make_lab_runs_jupyterlab_with_one_blas_thread_unless_the_learner_chose():
    lab = next(c for c in make_dry_run("lab").splitlines() if "jupyter lab notebooks/" in c)
    assert "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}" in lab


@needs_make
def test_make_lab_uses_the_course_jupyter_config():
    lab = next(c for c in make_dry_run("lab").splitlines() if "jupyter lab notebooks/" in c)
    assert "JUPYTER_CONFIG_PATH=" in lab and "/jupyter_config" in lab


def test_binder_start_puts_the_course_jupyter_config_first():
    result = subprocess.run(
        [str(REPO / "binder" / "start"), "bash", "-c", 'echo "$JUPYTER_CONFIG_PATH"'],
        env={k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_PATH"},
        capture_output=True,
        text=True,
    )
    assert Path(result.stdout.strip()) == REPO / "jupyter_config"


def test_jupyter_config_leaves_the_kernel_status_alone_for_widget_messages():
    """Widget messages (comm_msg) are untracked: JupyterLab ignores the busy/idle status they cause."""
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from traitlets.config import Config, PyFileConfigLoader

    config = PyFileConfigLoader("jupyter_server_config.py", path=str(REPO / "jupyter_config")).load_config()
    manager = MappingKernelManager(config=Config(config))
    assert "comm_msg" in manager.untracked_message_types
    assert "status" in manager.untracked_message_types  # the server's defaults are kept


def test_jupyter_config_sends_kernel_messages_without_nagle_delay():
    """The server's kernel websocket connection turns TCP_NODELAY on before it connects (see the config)."""
    from jupyter_server.serverapp import ServerApp
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
    from traitlets.config import Config, PyFileConfigLoader

    config = PyFileConfigLoader("jupyter_server_config.py", path=str(REPO / "jupyter_config")).load_config()
    connection_class = ServerApp(config=Config(config)).kernel_websocket_connection_class
    assert issubclass(connection_class, ZMQChannelsWebsocketConnection)
    calls = []

    class Handler:
        def set_nodelay(self, value):
            calls.append(value)

    class Probe(connection_class):
        """Stops at the parent's connect: only the order of the two calls matters here."""

    connection = Probe.__new__(Probe)
    connection.__dict__["_trait_values"] = {"websocket_handler": Handler()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append("connected"))
        connection.connect()
    assert calls == [True, "connected"]


@pytest.mark.parametrize("preset, expected", [(None, "1"), ("4", "4")], ids=["default", "learner-set"])
def test_binder_start_sets_one_blas_thread_then_runs_the_command(preset, expected):
    start = REPO / "binder" / "start"
    assert start.stat().st_mode & stat.S_IXUSR, "binder/start must be executable"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    result = subprocess.run(
        [str(start), "bash", "-c", 'echo "$OPENBLAS_NUM_THREADS"; exit 7'], env=env, capture_output=True, text=True
    )
    assert result.returncode == 7, "binder/start must exec the command it is given (and pass its status on)"
    assert result.stdout.strip() == expected


def test_environment_yml_sets_one_blas_thread():
    environment = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert environment.get("variables", {}).get("OPENBLAS_NUM_THREADS") == "1"


def scratch_project(root: Path) -> Path:
    """A copy of the Makefile with a lock, a pyproject and a fake .venv whose python logs its arguments."""
    shutil.copy(REPO / "Makefile", root / "Makefile")
    (root / "binder").mkdir()
    (root / "binder" / "requirements.txt").write_text("numpy==2.4.6\n", encoding="utf-8")
    (root / "pyproject.toml").write_text("[project]\nname = 'scratch'\n", encoding="utf-8")
    (root / "notebooks").mkdir()
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    log = root / "calls.log"
    for name, status in [("python", 0), ("dlcourse", 1)]:
        (bin_dir / name).write_text(f'#!/bin/bash\necho "{name} $*" >> {log}\nexit {status}\n')
        (bin_dir / name).chmod(0o755)
    return log


def run_make(root: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *arguments], cwd=root, capture_output=True, text=True, timeout=60)


@needs_make
def test_setup_installs_only_when_the_lock_or_pyproject_changed(tmp_path):
    log = scratch_project(tmp_path)
    assert run_make(tmp_path, "setup").returncode == 0
    first = log.read_text().splitlines()
    assert "python -m pip install --quiet -r binder/requirements.txt" in first
    assert "python -m pip install --quiet --no-deps -e ." in first

    assert run_make(tmp_path, "setup").returncode == 0
    assert log.read_text().splitlines() == first, "an unchanged lock must not be reinstalled"

    stamp_time = (tmp_path / ".venv" / ".stamp-lock").stat().st_mtime
    os.utime(tmp_path / "binder" / "requirements.txt", (stamp_time + 10, stamp_time + 10))
    assert run_make(tmp_path, "setup").returncode == 0
    assert len(log.read_text().splitlines()) > len(first), "a changed lock must be reinstalled"


@needs_make
def test_make_lab_survives_a_failing_warmup(tmp_path):
    log = scratch_project(tmp_path)
    result = run_make(tmp_path, "lab", "LAB_ARGS=--no-browser")
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert "dlcourse warmup" in calls
    # as root (a container's default user) JupyterLab refuses to start without --allow-root
    as_root = " --allow-root" if os.getuid() == 0 else ""
    assert calls[-1] == f"python -m jupyter lab notebooks/{as_root} --no-browser"


@needs_make
def test_venv_creation_refuses_an_old_python(tmp_path):
    scratch_project(tmp_path)
    shutil.rmtree(tmp_path / ".venv")
    old_python = tmp_path / "python3.9"
    old_python.write_text('#!/bin/bash\n[ "$1" = --version ] && echo "Python 3.9.2"\nexit 1\n')
    old_python.chmod(0o755)
    result = run_make(tmp_path, "setup", f"PYTHON={old_python}")
    assert result.returncode != 0
    assert "needs Python 3.11+" in result.stderr
    assert not (tmp_path / ".venv").exists()


@needs_make
@pytest.mark.slow
def test_nbval_settings_fail_on_a_raising_cell_and_ignore_stderr(tmp_path):
    """Run two notebooks with exactly the nbval flags `make test` uses."""
    pytest_line = next(c for c in make_dry_run("test").splitlines() if "-m pytest" in c)
    nbval_flags = [flag for flag in shlex.split(pytest_line) if flag.startswith("--nbval")]

    def notebook(name, *sources):
        cells = [nbformat.v4.new_code_cell(source) for source in sources]
        notebook = nbformat.v4.new_notebook(cells=cells)
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, tmp_path / name)

    notebook(
        "noisy.ipynb",
        "import sys, warnings\nprint('compiling...', file=sys.stderr)\nwarnings.warn('a numba-style warning')",
        "answer = 41 + 1\nanswer",
        "assert answer == 42",
    )
    notebook("wrong.ipynb", "assert 1 + 1 == 3, 'the key result no longer holds'")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *nbval_flags, "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "3 passed" in result.stdout and "1 failed" in result.stdout, result.stdout[-3000:]
    assert "the key result no longer holds" in result.stdout


# --- CI and README --------------------------------------------------------------------------------------


def test_ci_run_is_strict_and_calls_make_test():
    ci_run = REPO / ".ci" / "run"
    text = ci_run.read_text(encoding="utf-8")
    assert ci_run.stat().st_mode & stat.S_IXUSR
    assert "set -euo pipefail" in text
    assert re.search(r"^make test\b", text, re.MULTILINE)
    subprocess.run(["bash", "-n", str(ci_run)], check=True)


def readme_section(title: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README has no '## {title}' section"
    return match[1]


def test_readme_quickstart_shows_the_two_commands_first():
    quickstart = readme_section("Quickstart")
    first_block = re.search(r"```bash\n(.*?)```", quickstart, re.DOTALL)[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make lab", "make test"]
    assert "conda env create -f environment.yml" in quickstart


def test_readme_links_every_chapter_on_binder():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "https://mybinder.org/badge_logo.svg" in text
    stored = {path.stem for path in (REPO / "notebooks").glob("*.ipynb")}
    for chapter in sorted(set(CHAPTERS) | stored):
        link = f"https://mybinder.org/v2/gh/dlcourse/dlcourse/HEAD?urlpath=lab/tree/notebooks/{chapter}.ipynb"
        assert link in text, f"README has no Binder link for {chapter}"
    for title in ["The library in 30 seconds", "For instructors", "Performance", "Repository layout", "Contributing"]:
        readme_section(title)
