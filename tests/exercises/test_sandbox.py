"""The grading sandbox: every property is checked by running real code inside it.

Where it shows that a check can fail, the same probe also runs under `Unsandboxed` (no isolation)
and must see what the sandbox hides.
"""

import asyncio
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from dlcourse.exercises.grade import run_blocking
from dlcourse.exercises.sandbox import (
    GIB,
    MIB,
    SANDBOX_UID,
    Bubblewrap,
    Limits,
    Sandbox,
    SandboxExpired,
    Unsandboxed,
    sandbox_problem,
    warm_trusted_cache,
)

REPO = Path(__file__).resolve().parents[2]
PROBLEM = sandbox_problem()
# Skip only where no sandbox can exist (no bwrap, not Linux, no namespaces); any other problem fails.
UNAVAILABLE = PROBLEM is not None and (
    "not installed" in PROBLEM or "needs Linux" in PROBLEM or "namespaces" in PROBLEM
)
pytestmark = pytest.mark.skipif(UNAVAILABLE, reason=f"no sandbox on this machine: {PROBLEM}")


def inside(box, code: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run Python `code` in the box (argv[1:] = args)."""
    return box.run([sys.executable, "-c", textwrap.dedent(code), *args], **kwargs)


def inside_json(box, code: str, *args: str):
    """Run `code` in the box; it prints one JSON document as its last line."""
    result = inside(box, code, *args, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def processes_with(marker: str) -> list[int]:
    """Pids (seen from here, outside) whose command line contains `marker`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline and int(pid) != os.getpid():
            found.append(int(pid))
    return found


def eventually(condition, seconds: float = 10) -> bool:
    """Poll `condition()` until it is true or `seconds` have passed; its last value."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


def digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(directory)).encode() + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def trusted_cache(request, tmp_path_factory):
    """A warmed Numba + matplotlib cache (kept in pytest's cache dir: ~25 s the first time, ~2 s after)."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    directory = cache.mkdir("dlcourse-sandbox-trusted") if cache else tmp_path_factory.mktemp("trusted")
    warm_trusted_cache(directory)
    return directory


# -- availability ------------------------------------------------------------------------------------
def test_sandbox_problem_is_none_where_bwrap_works():
    assert sandbox_problem() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bwrap checks are Linux-only")
def test_sandbox_problem_names_the_fix_when_bwrap_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no bwrap
    problem = sandbox_problem()
    assert problem.startswith("bubblewrap is not installed: apt-get install bubblewrap")
    assert "--unsandboxed" in problem and "\n" not in problem


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bwrap checks are Linux-only")
def test_sandbox_problem_names_the_fix_when_namespaces_are_refused(monkeypatch, tmp_path):
    fake = tmp_path / "bwrap"  # what bwrap prints in a container that forbids user namespaces
    fake.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because ...' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    problem = sandbox_problem()
    assert problem.startswith("bwrap cannot create namespaces here (bwrap: No permissions")
    assert "user.max_user_namespaces" in problem and "--unsandboxed" in problem and "\n" not in problem


# -- 1. what the code can read and write ---------------------------------------------------------------
READ_PROBE = """
import json, os, sys
seen = {}
for path in json.loads(sys.argv[1]):
    try:
        seen[path] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path, errors="replace").read(300)
    except OSError as error:
        seen[path] = type(error).__name__
print(json.dumps(seen))
"""

WRITE_PROBE = """
import json, sys
done = {}
for path in json.loads(sys.argv[1]):
    try:
        with open(path, "w") as f:
            f.write("written from inside")
        done[path] = "written"
    except OSError as error:
        done[path] = type(error).__name__
print(json.dumps(done))
"""


@pytest.fixture
def secrets(tmp_path, monkeypatch):
    """Things a submission must not read: another submission, a report, the grader's cwd, the repository."""
    other = Sandbox()
    (other.workdir / "03_activations.ipynb").write_text("SECRET-OTHER-SUBMISSION")
    report = tmp_path / "reports" / "grades.csv"
    report.parent.mkdir()
    report.write_text("SECRET-REPORT")
    grader_cwd = tmp_path / "grader_cwd"
    grader_cwd.mkdir()
    (grader_cwd / "notes.txt").write_text("SECRET-GRADER-CWD")
    monkeypatch.chdir(grader_cwd)
    chapter = sorted((REPO / "instructor" / "chapters").glob("*.ipynb"))[0]
    yield {
        "chapter": str(chapter),
        "other_submission": str(other.workdir / "03_activations.ipynb"),
        "report": str(report),
        "grader_cwd": str(grader_cwd / "notes.txt"),
        "pyproject": str(REPO / "pyproject.toml"),
        "tests": str(REPO / "tests"),
    }
    other.close()


def test_code_inside_cannot_read_chapters_submissions_reports_or_the_repository(secrets):
    with Sandbox() as box:
        (box.workdir / "mine.txt").write_text("MY-OWN-FILE")
        paths = [*secrets.values(), str(box.workdir / "mine.txt"), str(REPO / "dlcourse" / "__init__.py"), str(REPO)]
        seen = inside_json(box, READ_PROBE, json.dumps(paths))
    for name, path in secrets.items():
        assert seen[path] in ("FileNotFoundError", "PermissionError"), f"{name} is readable inside: {seen[path]!r}"
    assert seen[str(box.workdir / "mine.txt")] == "MY-OWN-FILE"
    assert seen[str(REPO / "dlcourse" / "__init__.py")].startswith('"""dlcourse')  # the package is there
    assert set(seen[str(REPO)]) <= {"dlcourse", ".venv"}  # ... and nothing else of the repository


def test_the_same_probe_reads_everything_without_the_sandbox(secrets):
    with Unsandboxed() as box:
        seen = inside_json(box, READ_PROBE, json.dumps(list(secrets.values())))
    assert seen[secrets["other_submission"]] == "SECRET-OTHER-SUBMISSION"
    assert seen[secrets["report"]] == "SECRET-REPORT"
    assert seen[secrets["grader_cwd"]] == "SECRET-GRADER-CWD"
    assert seen[secrets["chapter"]].startswith('{\n "cells"')


def test_root_only_files_in_etc_are_masked():
    shadow = Path("/etc/shadow")
    with Sandbox() as box:
        seen = inside_json(box, READ_PROBE, json.dumps([str(shadow), "/etc/passwd"]))
    assert "root:" in seen["/etc/passwd"]  # /etc is there ...
    if shadow.exists():
        assert "root:" not in seen[str(shadow)]  # ... but not what only root may read


def test_code_inside_can_write_only_its_own_directories():
    with Sandbox() as box:
        allowed = [box.workdir / "out.txt", box.home / "out.txt", Path("/tmp/out.txt"), Path("/dev/shm/out.txt")]
        forbidden = [
            REPO / "dlcourse" / "sandbox_was_here.py",
            Path(sys.prefix) / "sandbox_was_here",
            REPO / "sandbox_was_here",
            Path("/usr/sandbox_was_here"),
            Path("/etc/sandbox_was_here"),
            Path("/sandbox_was_here"),
            Path("/dev/sandbox_was_here"),
        ]
        done = inside_json(box, WRITE_PROBE, json.dumps([str(p) for p in allowed + forbidden]))
        for path in allowed:
            assert done[str(path)] == "written", path
        assert (box.workdir / "out.txt").read_text() == "written from inside"
    for path in forbidden:
        # A checkout under /tmp (as in CI) sits inside the sandbox's own private /tmp: a write there lands in
        # that throwaway tmpfs, never on the host — which is what matters, and is checked for every path.
        if not path.is_relative_to("/tmp"):
            assert done[str(path)] != "written", path
        assert not path.exists(), path
    assert not Path("/tmp/out.txt").exists() or Path("/tmp/out.txt").read_text() != "written from inside"


def test_code_inside_cannot_open_up_the_sandbox_directory_on_the_host():
    probe = """
    import os, sys
    for path in sys.argv[1:]:
        try:
            os.chmod(path, 0o777)
        except OSError:
            pass
    with open("tool", "w") as f:
        f.write("#!/bin/sh\\n")
    os.chmod("tool", 0o4755)  # setuid: outside, its owner is the grader
    """
    with Sandbox() as box:
        result = inside(box, probe, str(box.root), str(box.workdir))
        assert result.returncode == 0, result.stderr.decode()
        assert box.root.stat().st_mode & 0o077 == 0  # still closed to every other user of the machine


def test_the_grader_command_line_and_processes_are_invisible():
    marker = f"--source=/secret/{uuid.uuid4().hex}"
    grader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    probe = """
    import json, os
    lines = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        lines[pid] = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
    print(json.dumps({"ppid": os.getppid(), "cmdlines": lines}))
    """
    try:
        with Sandbox() as box:
            seen = inside_json(box, probe)
        with Unsandboxed() as box:
            seen_unsandboxed = inside_json(box, probe)
    finally:
        grader.kill()
        grader.wait()
    assert seen["ppid"] == 1  # its parent is the sandbox's own init, not the grader
    assert set(seen["cmdlines"]) <= {"1", "2", "3"}  # a pid namespace of its own
    assert not any(marker in line or "pytest" in line for line in seen["cmdlines"].values())
    assert any(marker in line for line in seen_unsandboxed["cmdlines"].values())  # the probe would see it


# -- 2. network ------------------------------------------------------------------------------------------
NETWORK_PROBE = """
import json, socket, sys
result = {"interfaces": [name for _, name in socket.if_nameindex()]}
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close()
    result["tcp"] = "connected"
except OSError as error:
    result["tcp"] = type(error).__name__
try:
    socket.getaddrinfo("pypi.org", 443)
    result["dns"] = "resolved"
except OSError as error:
    result["dns"] = type(error).__name__
print(json.dumps(result))
"""


def test_no_network_not_even_the_graders_loopback():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = str(server.getsockname()[1])
        with Sandbox() as box:
            seen = inside_json(box, NETWORK_PROBE, port)
        with Unsandboxed() as box:
            seen_unsandboxed = inside_json(box, NETWORK_PROBE, port)
    assert seen["tcp"] == "ConnectionRefusedError"
    assert seen["dns"] == "gaierror"
    assert seen["interfaces"] == ["lo"]
    assert seen_unsandboxed["tcp"] == "connected"  # the same probe reaches the server from outside a sandbox


# -- 3. environment ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [Sandbox, Unsandboxed])
def test_a_clean_environment(kind, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("DLCOURSE_GRADER_SECRET", "source=/secret")
    with kind(env={"DLCOURSE_CHECKS_PATH": "/checks"}) as box:
        seen = inside_json(box, "import json, os, sys; print(json.dumps([dict(os.environ), sys.path]))")
        environment, path = seen
        assert environment["HOME"] == str(box.home)
        assert environment["NUMBA_CACHE_DIR"].startswith(str(box.home))
    expected = {"PATH", "HOME", "LANG", "MPLBACKEND", "MPLCONFIGDIR", "NUMBA_CACHE_DIR", "OPENBLAS_NUM_THREADS"}
    expected |= {"MALLOC_ARENA_MAX", "DLCOURSE_CHECKS_PATH", "PWD"}  # PWD: set by the shell-like chdir
    assert set(environment) <= expected, set(environment) - expected
    assert environment["OPENBLAS_NUM_THREADS"] == "1" and environment["DLCOURSE_CHECKS_PATH"] == "/checks"
    assert str(REPO) not in path


# -- 4. resource limits --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [Sandbox, Unsandboxed])
def test_memory_is_capped(kind):
    probe = """
    import json, numpy as np
    result = {}
    try:
        np.empty(20 * 10**9, dtype=np.uint8)
        result["20 GB"] = "allocated"
    except MemoryError:
        result["20 GB"] = "MemoryError"
    result["256 MiB"] = int(np.ones(256 * 2**20, dtype=np.uint8).sum())
    print(json.dumps(result))
    """
    with kind(limits=Limits(memory_bytes=3 * GIB)) as box:
        seen = inside_json(box, probe)
    assert seen == {"20 GB": "MemoryError", "256 MiB": 256 * MIB}


def test_limits_are_set_hard_inside():
    limits = Limits(memory_bytes=2 * GIB, cpu_seconds=77, file_bytes=5 * MIB, processes=99)
    probe = """
    import json, resource
    names = ["RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC", "RLIMIT_CORE"]
    values = {name: resource.getrlimit(getattr(resource, name)) for name in names}
    try:
        resource.setrlimit(resource.RLIMIT_AS, (2**40, 2**40))
        values["raise"] = "raised"
    except (ValueError, OSError) as error:
        values["raise"] = type(error).__name__
    print(json.dumps(values))
    """
    with Sandbox(limits=limits) as box:
        seen = inside_json(box, probe)
    assert seen.pop("raise") == "ValueError"  # a hard limit cannot be raised from inside
    assert seen == {name: [value, value] for name, value in limits.rlimits().items()}


@pytest.mark.skipif(os.geteuid() == 0, reason="the kernel exempts root from RLIMIT_NPROC (docs: Sandboxing)")
def test_process_count_is_capped_for_a_normal_user():
    probe = """
    import json, subprocess
    started, refused = [], 0
    for _ in range(30):
        try:
            started.append(subprocess.Popen(["sleep", "5"]))
        except OSError:
            refused += 1
    print(json.dumps({"refused": refused}))
    """
    with Sandbox(limits=Limits(processes=10)) as box:
        assert inside_json(box, probe)["refused"] > 0


def test_cpu_time_is_capped():
    with Sandbox(limits=Limits(cpu_seconds=1)) as box:
        started = time.monotonic()
        result = inside(box, "while True: pass", timeout=30)
    # bwrap reports a child killed by signal N as exit status 128 + N
    assert result.returncode in (128 + signal.SIGXCPU, 128 + signal.SIGKILL)
    assert time.monotonic() - started < 15


def test_file_size_is_capped():
    probe = """
    import errno, json
    try:
        with open("big.bin", "wb") as f:
            f.write(b"x" * (3 * 2**20))
        print(json.dumps("written"))
    except OSError as error:
        print(json.dumps(errno.errorcode[error.errno]))
    """
    with Sandbox(limits=Limits(file_bytes=1 * MIB)) as box:
        assert inside_json(box, probe) == "EFBIG"
        assert (box.workdir / "big.bin").stat().st_size <= 1 * MIB


def test_wall_clock_budget_kills_everything_and_refuses_more():
    marker = f"wall-{uuid.uuid4().hex}"
    with Sandbox(limits=Limits(wall_seconds=2)) as box:
        started = time.monotonic()
        with pytest.raises(SandboxExpired):
            inside(box, "import time; time.sleep(60)", marker)
        assert 1.5 < time.monotonic() - started < 10
        assert box.expired and processes_with(marker) == []
        with pytest.raises(SandboxExpired):
            inside(box, "pass")


def test_a_timeout_stops_one_command_and_output_is_cut():
    with Sandbox(limits=Limits(output_bytes=1000)) as box:
        with pytest.raises(subprocess.TimeoutExpired):
            inside(box, "import time; time.sleep(60)", timeout=1)
        result = inside(box, "print('x' * 10**6)")  # the sandbox is still usable after a timeout
    assert result.returncode == 0 and result.stdout == b"x" * 1000


# -- 5. nothing outlives the sandbox ----------------------------------------------------------------------
DAEMON = """
import os, sys
target, marker = sys.argv[1], sys.argv[2]
if os.fork() == 0:
    os.setsid()  # leave the process group, like a daemon
    if os.fork() == 0:
        code = "import sys, time; time.sleep(1); open(sys.argv[1], 'w').write('escaped')"
        os.execv(sys.executable, [sys.executable, "-c", code, target, marker])
    os._exit(0)
print("daemon started")
"""


@pytest.mark.parametrize("kind", [Sandbox, Unsandboxed])
def test_a_daemon_does_not_outlive_its_command(kind):
    marker = f"daemon-{uuid.uuid4().hex}"
    with kind() as box:
        target = box.workdir / "escaped.txt"  # a directory the test can see and the daemon may write
        result = inside(box, DAEMON, str(target), marker)
        assert result.stdout == b"daemon started\n"
        box.kill()
        time.sleep(1.5)
        escaped, left = target.exists(), processes_with(marker)
    if kind is Sandbox:
        assert not escaped and left == []
    else:  # without a pid namespace a daemon escapes: the check above can fail
        assert escaped


def test_nothing_outlives_the_grader(tmp_path):
    marker = f"orphan-{uuid.uuid4().hex}"
    grader_code = textwrap.dedent(
        """
        import sys, time
        from dlcourse.exercises.sandbox import Sandbox
        box = Sandbox()
        box.popen([sys.executable, "-c", "import time; time.sleep(60)", sys.argv[1]])
        print(box.root, flush=True)
        time.sleep(60)
        """
    )
    grader = subprocess.Popen([sys.executable, "-c", grader_code, marker], stdout=subprocess.PIPE, text=True)
    root = Path(grader.stdout.readline().strip())
    try:
        assert eventually(lambda: processes_with(marker)), "the sandboxed process never started"
        grader.kill()  # the grader dies without any cleanup
        grader.wait()
        assert eventually(lambda: processes_with(marker) == [], seconds=5)
    finally:
        grader.kill()
        shutil.rmtree(root, ignore_errors=True)


# -- 6, 7. a Jupyter kernel inside (one shared kernel for most checks) ------------------------------------
def run_cell(client, source: str, timeout: float = 60):
    """Execute one cell in the client's kernel; the cell (with outputs)."""
    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    client.timeout = timeout
    client.execute_cell(cell, len(client.nb.cells) - 1)
    return cell


def text_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.fixture(scope="module")
def kernel(trusted_cache):
    from nbclient import NotebookClient

    before = digest(trusted_cache)
    with Sandbox(trusted_cache=trusted_cache, limits=Limits(message_bytes=4 * MIB)) as box:
        client = NotebookClient(nbformat.v4.new_notebook(), km=box.kernel_manager(), allow_errors=True)
        client.interrupt_on_timeout = True
        with client.setup_kernel(cleanup_kc=True):
            yield box, client
    assert digest(trusted_cache) == before  # sandboxes work on their copy, never on the trusted cache


def test_kernel_runs_inside_the_sandbox(kernel):
    box, client = kernel
    cell = run_cell(client, f"import os; print(os.getuid(), os.path.exists({str(REPO / 'pyproject.toml')!r}))")
    assert text_of(cell) == f"{SANDBOX_UID} False\n"


def test_kernel_runs_numpy_matplotlib_and_dlcourse(kernel):
    box, client = kernel
    assert text_of(run_cell(client, "import numpy as np; print(np.arange(4).sum())")) == "6\n"
    plot = run_cell(client, "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2]); plt.show()")
    assert any("image/png" in o.get("data", {}) for o in plot.outputs)
    cell = run_cell(client, "import dlcourse; print(dlcourse.tanh(dlcourse.tensor([1.0])))")
    assert text_of(cell).startswith("tensor([0.7616")


def test_numba_kernels_load_from_the_copied_cache(kernel):
    box, client = kernel
    source = """
    import json, time
    import dlcourse.kernels
    from dlcourse.backend import registered_kernels
    started = time.perf_counter()
    dlcourse.kernels.warmup(verbose=False)
    compiled = [k._compiled for k in registered_kernels() if k._compiled is not None]
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "hits": sum(sum(c.stats.cache_hits.values()) for c in compiled),
        "misses": sum(sum(c.stats.cache_misses.values()) for c in compiled),
        "cache": compiled[0].stats.cache_path,
    }))
    """
    stats = json.loads(text_of(run_cell(client, textwrap.dedent(source))))
    assert stats["misses"] == 0 and stats["hits"] > 0, stats  # nothing compiled: every kernel came from the cache
    assert stats["cache"].startswith(str(box.home)), stats


def test_an_endless_cell_is_interrupted_and_the_kernel_keeps_its_state(kernel):
    box, client = kernel
    run_cell(client, "answer = 41")
    stuck = run_cell(client, "while True: pass", timeout=2)
    assert [o.ename for o in stuck.outputs if o.output_type == "error"] == ["KeyboardInterrupt"]
    assert text_of(run_cell(client, "print(answer + 1)")) == "42\n"


def test_an_oversized_message_is_dropped_not_buffered(kernel):
    import zmq
    from nbclient.util import run_sync

    box, client = kernel  # message_bytes = 4 MiB
    assert client.kc.iopub_channel.socket.getsockopt(zmq.MAXMSGSIZE) == 4 * MIB
    client.iopub_timeout = 1  # the output channel goes quiet after the drop: do not wait long for it
    run_cell(client, "kept = 'state'")
    huge = run_cell(client, "from IPython.display import display; display({'text/plain': 'x' * 6_000_000}, raw=True)")
    assert not any(o.output_type == "display_data" for o in huge.outputs)
    # zmq closed the connection that carried the message; a new client reaches the same kernel
    client.kc.stop_channels()
    client.kc = client.km.client()
    client.kc.start_channels()
    run_sync(client.kc.wait_for_ready)(timeout=60)
    assert text_of(run_cell(client, "print(kept)")) == "state\n"


def test_restart_gives_a_fresh_kernel_and_kills_the_old_tree(kernel):
    from nbclient.util import run_sync

    box, client = kernel
    marker = f"restart-{uuid.uuid4().hex}"
    run_cell(
        client,
        f"import subprocess, sys; child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}])",
    )
    old = client.km.provisioner.process
    assert eventually(lambda: processes_with(marker))
    run_sync(client.km.restart_kernel)(now=True)
    run_sync(client.kc.wait_for_ready)(timeout=60)
    assert old.poll() is not None and processes_with(marker) == []
    assert text_of(run_cell(client, "print('answer' in dir())")) == "False\n"


def test_closing_kills_a_daemon_the_kernel_started(trusted_cache):
    from nbclient import NotebookClient

    marker = f"kernel-daemon-{uuid.uuid4().hex}"
    with Sandbox(trusted_cache=trusted_cache) as box:
        client = NotebookClient(nbformat.v4.new_notebook(), km=box.kernel_manager())
        with client.setup_kernel(cleanup_kc=True):
            cell = run_cell(
                client, f"import sys\nsys.argv = ['', {str(box.workdir / 'escaped')!r}, {marker!r}]\n{DAEMON}"
            )
            assert text_of(cell) == "daemon started\n"
            assert eventually(lambda: processes_with(marker))  # the grandchild execs a moment later
    assert processes_with(marker) == []  # close() returned: the daemon is gone already


# -- 9. two sandboxes at once --------------------------------------------------------------------------------
def test_two_sandboxed_kernels_at_once_share_nothing(trusted_cache):
    from nbclient import NotebookClient

    probe = """
    import json, os
    open(f"/tmp/{tag}", "w").write(tag); open(f"/dev/shm/{tag}", "w").write(tag); open(tag, "w").write(tag)
    print(json.dumps({"tmp": sorted(os.listdir("/tmp")), "shm": sorted(os.listdir("/dev/shm")),
                      "work": sorted(os.listdir(".")), "other": os.path.exists(other)}))
    """

    async def run(box, tag, other):
        client = NotebookClient(nbformat.v4.new_notebook(), km=box.kernel_manager(), timeout=60)
        async with client.async_setup_kernel(cleanup_kc=True):
            cell = nbformat.v4.new_code_cell(f"tag, other = {tag!r}, {str(other)!r}\n{textwrap.dedent(probe)}")
            client.nb.cells.append(cell)
            await client.async_execute_cell(cell, 0)
            return json.loads(text_of(cell)), sorted(p.name for p in box.ipc_dir.iterdir())

    async def both(a, b):
        return await asyncio.gather(run(a, "A", b.root), run(b, "B", a.root))

    with Sandbox(trusted_cache=trusted_cache) as a, Sandbox(trusted_cache=trusted_cache) as b:
        assert a.root != b.root
        (seen_a, ipc_a), (seen_b, ipc_b) = run_blocking(both(a, b))
    # What may show in the private /tmp besides the tag: the first folder of the box's own root and of every
    # read-only mount that lives under the host's /tmp (a checkout under /tmp, as a CI clone: its .venv and
    # package are mounted at the same paths, so their first folder appears — empty but for those mounts).
    mounted = {REPO, Path(sys.prefix).resolve()}
    for box, tag, seen in ((a, "A", seen_a), (b, "B", seen_b)):
        own = {p.relative_to("/tmp").parts[0] for p in (box.root, *mounted) if p.is_relative_to("/tmp")}
        assert seen == {"tmp": sorted({tag, *own}), "shm": [tag], "work": [tag], "other": False}
    assert "kernel.json" in ipc_a and "kernel-ipc-1" in ipc_a and ipc_a == ipc_b  # the same names ...
    assert a.ipc_dir != b.ipc_dir  # ... in two directories: each kernel its own connection file and sockets


# -- 8. the unsandboxed variant has the same interface -------------------------------------------------------
def test_unsandboxed_kernel_works_the_same_way(trusted_cache):
    from nbclient import NotebookClient

    with Unsandboxed(trusted_cache=trusted_cache) as box:
        client = NotebookClient(nbformat.v4.new_notebook(), km=box.kernel_manager(), allow_errors=True)
        with client.setup_kernel(cleanup_kc=True):
            cell = run_cell(client, "import os, numpy as np; print(os.getuid(), np.arange(3).sum(), os.getcwd())")
    assert text_of(cell) == f"{os.getuid()} 3 {box.workdir}\n"


# -- the Isolation grade.py uses ------------------------------------------------------------------------------
def test_bubblewrap_isolation_gives_the_grader_a_sandboxed_kernel(trusted_cache, tmp_path, monkeypatch):
    """As grade.py's KernelRunner drives it: start, own client context, execute, restart, shut down."""
    import zmq.asyncio

    checks = tmp_path / "recorded"
    checks.mkdir()
    (checks / "ch99.json").write_text("RECORDED")
    monkeypatch.setenv("DLCOURSE_CHECKS_PATH", str(checks))
    monkeypatch.setenv("DLCOURSE_GRADER_SECRET", "x")
    isolation = Bubblewrap(memory_mb=2048, trusted_cache=trusted_cache)

    async def execute(kc, code):
        msg_id = kc.execute(code, user_expressions={"out": "out"})
        reply = await kc.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:  # e.g. wait_for_ready's kernel_info_reply
            reply = await kc.get_shell_msg(timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        return reply["content"]["user_expressions"]["out"]["data"]["text/plain"]

    async def scenario():
        async with isolation.kernel() as manager:
            await manager.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kc = manager.client(context=zmq.asyncio.Context())
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            probe = (
                "import os, resource; out = (os.getuid(), open(os.environ['DLCOURSE_CHECKS_PATH'] + '/ch99.json')"
                ".read(), 'DLCOURSE_GRADER_SECRET' in os.environ, resource.getrlimit(resource.RLIMIT_AS)[0])"
            )
            first = await execute(kc, probe)
            kc.stop_channels()
            await manager.restart_kernel(now=True)
            kc = manager.client(context=zmq.asyncio.Context())
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            second = await execute(kc, "out = 'probe' in dir()")
            kc.stop_channels()
            await manager.shutdown_kernel(now=True)
            return first, second

    first, second = run_blocking(scenario())
    assert first == f"({SANDBOX_UID}, 'RECORDED', False, {2048 * MIB})"
    assert second == "False"
