"""A throwaway sandbox per submission: the learner's code runs where it can read nothing it should not,
reach no network, outgrow no limit, and leave nothing behind.

    problem = sandbox_problem()                # None, or one line: what is missing and how to fix it
    cache = warm_trusted_cache(Path("cache"))  # once per grading run, outside any sandbox
    with Sandbox(trusted_cache=cache) as box:  # a fresh temporary directory, a wall-clock budget
        box.run([sys.executable, "-c", "print(6 * 7)"]).stdout   # b'42\\n'
        client = NotebookClient(nb, km=box.kernel_manager())     # a Jupyter kernel inside the sandbox
    # leaving the block killed every process the sandbox started and deleted its directory

On Linux each command runs under bubblewrap (`bwrap`) in new user, pid, network, ipc, uts and cgroup
namespaces, as uid 1000 with no capabilities. Its filesystem is built from nothing: read-only binds of
/usr, /lib*, /bin, /sbin, /etc (files an ordinary user could not read are masked), the Python
installation, the venv and the `dlcourse` package directory (at their own paths, so imports and
Numba's cache keys work), plus paths the caller names. Writable: the sandbox's own directory
(`home/`, `work/`, `ipc/`) and small private tmpfs mounts on /tmp and /dev/shm. The repository,
instructor chapters, other submissions, reports and the grader's /proc are simply not there.

`Unsandboxed` has the same interface without isolation (`dlcourse grade --unsandboxed`): same limits,
same scrubbed environment, its process group killed at the end. `Bubblewrap` is the `Isolation` that
grade.py asks isolation.py for: `async with Bubblewrap().kernel() as manager` (a fresh Sandbox each time).
`python -m dlcourse.exercises.sandbox` says whether sandboxing works here and what it costs.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import zmq
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

MIB = 1 << 20
GIB = 1 << 30

# What the grader keeps of a submission's output (stdout, stderr, error messages); the rest is cut.
OUTPUT_BYTES = 1 * MIB

STARTUP_SECONDS = 60  # a sandbox that is not running its command after this is a broken sandbox
SANDBOX_UID = SANDBOX_GID = 1000  # who the code is inside; bwrap maps it to the grader's own uid outside
INSTALL_HINT = "apt-get install bubblewrap"
UNSANDBOXED_HINT = "or pass --unsandboxed to grade without isolation"


@dataclass(frozen=True)
class Limits:
    """Caps for everything a sandbox starts. Rlimits are per process and set hard: code inside cannot raise them."""

    memory_bytes: int = 3 * GIB  # RLIMIT_AS: the chapters' kernels peak at 0.7 GiB of address space (docs)
    cpu_seconds: int = 300  # RLIMIT_CPU: CPU time of one process (the kernel runs the whole notebook)
    file_bytes: int = 64 * MIB  # RLIMIT_FSIZE: the largest file a process may write
    processes: int = 128  # RLIMIT_NPROC: enforced only when the grader is not root (root is exempt)
    tmpfs_bytes: int = 256 * MIB  # size of the private /tmp and /dev/shm (memory-backed)
    wall_seconds: float = 600  # the whole sandbox: every process is killed when this runs out
    message_bytes: int = 64 * MIB  # the largest kernel message the grader accepts (bigger ones are dropped)
    output_bytes: int = OUTPUT_BYTES  # what `run` keeps of stdout and of stderr

    def rlimits(self) -> dict[str, int]:
        """The resource-module names and values the launcher sets (RLIMIT_CORE=0: no core dumps)."""
        return {
            "RLIMIT_AS": self.memory_bytes,
            "RLIMIT_CPU": int(self.cpu_seconds),
            "RLIMIT_FSIZE": self.file_bytes,
            "RLIMIT_NPROC": self.processes,
            "RLIMIT_CORE": 0,
        }


class SandboxError(RuntimeError):
    """The sandbox could not start, or was used after `close()`."""


class SandboxExpired(SandboxError):
    """The sandbox's wall-clock budget ran out; everything in it was killed."""


# Runs first inside the sandbox: set each limit as soft = hard (raising a hard limit needs
# CAP_SYS_RESOURCE, which nothing inside has), tell the grader that the sandbox is fully set up
# (a byte on the `ready` pipe), then become the real command with exec, keeping pid and session.
_LAUNCHER = """\
import os, resource, sys
limits, ready, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for item in limits.split(","):
    name, value = item.split("=")
    resource.setrlimit(getattr(resource, name), (int(value), int(value)))
os.write(ready, b"1")
os.close(ready)
os.execv(command[0], command)
"""


def _limited(argv: list[str], limits: Limits, ready_fd: int) -> list[str]:
    """`argv` behind the rlimit launcher (-I -S: the launcher ignores PYTHON* variables and site-packages)."""
    if not argv:
        raise ValueError("empty command")
    executable = argv[0] if os.sep in argv[0] else shutil.which(argv[0]) or argv[0]
    settings = ",".join(f"{name}={value}" for name, value in limits.rlimits().items())
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER, settings, str(ready_fd), executable, *argv[1:]]


def sandbox_problem() -> str | None:
    """None if a trial sandbox runs here; else one line naming the reason and the fix."""
    if not sys.platform.startswith("linux"):
        return (
            f"sandboxed grading needs Linux (bubblewrap), this is {sys.platform}: grade inside a Linux "
            f"container (docs/instructors.md, Sandboxing), {UNSANDBOXED_HINT}"
        )
    if shutil.which("bwrap") is None:
        return f"bubblewrap is not installed: {INSTALL_HINT} ({UNSANDBOXED_HINT})"
    try:
        with Sandbox(limits=Limits(wall_seconds=60)) as box:
            result = box.run([sys.executable, "-I", "-S", "-c", "pass"], timeout=60)
    except (OSError, SandboxError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not start a sandbox here: {error} ({UNSANDBOXED_HINT})"
    if result.returncode == 0:
        return None
    reason = (result.stderr.decode(errors="replace").strip().splitlines() or [f"exit status {result.returncode}"])[0]
    if "namespace" in reason or "Operation not permitted" in reason or "setting up uid map" in reason:
        return (
            f"bwrap cannot create namespaces here ({reason}): allow user namespaces "
            f"(sysctl user.max_user_namespaces=10000; in Docker: --security-opt seccomp=unconfined "
            f"--security-opt apparmor=unconfined), {UNSANDBOXED_HINT}"
        )
    return f"bwrap failed a trial run ({reason}) ({UNSANDBOXED_HINT})"


def warm_trusted_cache(directory: Path) -> Path:
    """Compile every Numba kernel and build matplotlib's font cache into `directory`, outside any sandbox.

    Run it once per grading run (it takes ~25 s cold, ~2 s when already warm); every `Sandbox(trusted_cache=...)`
    then starts from a private writable copy instead of compiling for ~25 s in each submission.
    """
    directory = Path(directory).resolve()
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(directory / "numba"),
        "MPLCONFIGDIR": str(directory / "matplotlib"),
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
    }
    for sub in ("numba", "matplotlib"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    commands = ([sys.executable, "-m", "dlcourse", "warmup"], [sys.executable, "-c", "import matplotlib.pyplot"])
    for command in commands:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SandboxError(f"{' '.join(command[1:])} failed while warming {directory}: {result.stderr.strip()}")
    return directory


@functools.cache
def _readonly_system_paths() -> tuple[str, ...]:
    """bwrap arguments for the system: /usr and /etc read-only, /bin, /lib… as binds or as the same symlinks."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):  # merged /usr (Debian 12+): /lib -> usr/lib
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--ro-bind", "/etc", "/etc"]
    # Inside, the sandbox user maps to the grader's uid (root in CI), so it could read root-only files
    # such as /etc/shadow. Mask whatever an ordinary user could not read.
    for path, is_dir in _private_etc_entries():
        args += ["--tmpfs", path, "--remount-ro", path] if is_dir else ["--ro-bind", "/dev/null", path]
    return tuple(args)


def _private_etc_entries() -> list[tuple[str, bool]]:
    """(path, is_directory) under /etc that others may not read (or, for directories, enter)."""
    private = []
    for folder, dirs, files in os.walk("/etc"):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode) and not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
                private.append((path, True))
                dirs.remove(name)  # masked as a whole: no need to look inside
            elif stat.S_ISREG(mode) and not mode & stat.S_IROTH:
                private.append((path, False))
    return private


def _python_paths() -> list[str]:
    """What the sandbox needs to run this Python and import dlcourse: the installation, the venv, the package."""
    import dlcourse

    package = Path(dlcourse.__file__).resolve().parent  # an editable install maps `dlcourse` to <repo>/dlcourse
    paths = [sys.base_prefix, sys.prefix, os.path.realpath(sys.base_prefix), str(package)]
    return list(dict.fromkeys(os.path.abspath(p) for p in paths))


def _outside(path: str, bound: list[str]) -> bool:
    """Is `path` not already inside one of the `bound` directories?"""
    return not any(path == b or path.startswith(b.rstrip("/") + "/") for b in bound)


def _read_init_pid(info_read: int) -> int | None:
    """bwrap writes {"child-pid": N, ...} once the namespaces exist; EOF means it failed before that."""
    data = b""
    try:
        while select.select([info_read], [], [], STARTUP_SECONDS)[0]:
            chunk = os.read(info_read, 4096)
            if not chunk:
                break
            data += chunk
            try:
                return int(json.loads(data)["child-pid"])
            except ValueError:
                continue  # not the whole document yet
    finally:
        os.close(info_read)
    return None


def _wait_until_ready(ready_read: int) -> bool:
    """True once the launcher wrote its byte, or the launch ended without (EOF); False on a timeout."""
    try:
        if select.select([ready_read], [], [], STARTUP_SECONDS)[0]:
            os.read(ready_read, 1)
            return True
        return False
    finally:
        os.close(ready_read)


class _Launch:
    """One process tree the sandbox started: the outer process, and a pidfd of its pid namespace's init."""

    def __init__(self, process: subprocess.Popen, init_pid: int | None):
        self.process = process
        self.init_fd = None
        if init_pid is not None:
            try:
                self.init_fd = os.pidfd_open(init_pid)
            except ProcessLookupError:  # already gone: nothing left to kill
                pass

    def finished(self) -> bool:
        init_gone = self.init_fd is None or bool(select.select([self.init_fd], [], [], 0)[0])
        return self.process.poll() is not None and init_gone

    def kill(self) -> None:
        """SIGKILL the whole tree and wait until it is gone."""
        if self.init_fd is not None:
            # The init process of a pid namespace takes every process of the namespace with it.
            try:
                signal.pidfd_send_signal(self.init_fd, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # each launch leads its own process group
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        if self.init_fd is not None:
            select.select([self.init_fd], [], [], 10)  # readable once init (and so the namespace) is gone
            os.close(self.init_fd)
            self.init_fd = None


class Sandbox:
    """A fresh temporary directory and every process run in it, isolated by bubblewrap; see the module docstring.

    `trusted_cache`: a directory made by `warm_trusted_cache` (copied, never shared). `read_only`: extra paths
    bound read-only at their own path. `env`: variables added to the clean environment.
    """

    isolated = True

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        read_only: tuple[str | Path, ...] = (),
        env: dict[str, str] | None = None,
        trusted_cache: str | Path | None = None,
    ):
        self.limits = limits = limits or Limits()
        self._bwrap = shutil.which("bwrap") if self.isolated else None
        if self.isolated and self._bwrap is None:
            raise SandboxError(sandbox_problem() or "bubblewrap (bwrap) is not on PATH")
        self.read_only = [os.path.abspath(p) for p in read_only]
        missing = [p for p in self.read_only if not os.path.exists(p)]
        if missing:
            raise SandboxError(f"read_only paths that do not exist: {', '.join(missing)}")
        self.root = Path(tempfile.mkdtemp(prefix="dlcourse-sandbox-")).resolve()
        self.home, self.workdir, self.ipc_dir = self.root / "home", self.root / "work", self.root / "ipc"
        cache = self.home / ".cache"
        try:
            for directory in (self.home, self.workdir, self.ipc_dir):
                directory.mkdir()
            if trusted_cache is not None:
                shutil.copytree(trusted_cache, cache, symlinks=True)  # private and writable: Numba needs both
        except BaseException:
            _remove_tree(self.root)
            raise
        self.env = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(cache / "matplotlib"),
            "NUMBA_CACHE_DIR": str(cache / "numba"),
            "OPENBLAS_NUM_THREADS": "1",
            # glibc reserves up to 8 x cores malloc arenas of 64 MiB address space each: on a big machine
            # RLIMIT_AS would then fail threaded code that uses little memory.
            "MALLOC_ARENA_MAX": "2",
            **(env or {}),
        }
        self._launches: list[_Launch] = []
        self._lock = threading.Lock()  # guards _launches and the flags
        self._killing = threading.Lock()  # a second killer waits until the first one's processes are gone
        self._expired = False
        self.closed = False
        self._deadline = time.monotonic() + limits.wall_seconds
        self._timer = threading.Timer(limits.wall_seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    # -- the command line ----------------------------------------------------------------------------
    def _command(self, argv: list[str], env: dict[str, str], ready_fd: int, info_fd: int | None) -> list[str]:
        """The bwrap command line that runs `argv` inside the sandbox with `env` as its whole environment."""
        bound = ["/usr", "/etc"]
        # --unshare-all: new pid, net, ipc, uts, cgroup (and user) namespaces; --disable-userns: none nested inside.
        args = [self._bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--hostname", "sandbox"]
        args += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID), "--cap-drop", "ALL"]
        args += ["--die-with-parent", "--new-session"]  # no controlling terminal: no TIOCSTI keystroke injection
        args += list(_readonly_system_paths())
        size = str(self.limits.tmpfs_bytes)
        args += ["--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm", "--proc", "/proc"]
        args += ["--size", size, "--tmpfs", "/tmp"]
        # Binds after the tmpfs mounts, so that a path under /tmp is not hidden by the new /tmp.
        for path in _python_paths() + self.read_only:
            if _outside(path, bound) and os.path.exists(path):
                args += ["--ro-bind", path, path]
                bound.append(path)
        # The three directories, not their parent: the parent stays 0700 on the host, whatever the code
        # inside does to permissions (its files are the grader's own outside, setuid bits included).
        for writable in (self.home, self.workdir, self.ipc_dir):
            args += ["--bind", str(writable), str(writable)]
        args += ["--remount-ro", "/dev", "--remount-ro", "/"]  # the skeleton bwrap built is not writable
        args += ["--clearenv"] + [a for name, value in env.items() for a in ("--setenv", name, value)]
        args += ["--chdir", str(self.workdir)]
        args += ["--info-fd", str(info_fd)]
        return args + ["--", *_limited(argv, self.limits, ready_fd)]

    # -- starting and stopping processes -------------------------------------------------------------
    def popen(self, argv: list[str], *, stdin=subprocess.DEVNULL, stdout=None, stderr=None, env=None):
        """Start `argv` in the sandbox (its own process group, killed by `kill`/`close`); returns the Popen.

        `env` adds to (or overrides) the sandbox's environment for this command only.
        """
        with self._lock:
            if self.closed:
                raise SandboxError("the sandbox is closed")
            if self.expired:
                raise SandboxExpired(f"the sandbox ran out of its {self.limits.wall_seconds:g} s budget")
            self._launches = [launch for launch in self._launches if not self._forget_if_finished(launch)]
            environment = {**self.env, **(env or {})}
            ready_read, ready_write = os.pipe()
            info_read, info_write = os.pipe() if self.isolated else (None, None)
            inherited = (ready_write, info_write) if self.isolated else (ready_write,)
            try:
                process = subprocess.Popen(
                    self._command(argv, environment, ready_write, info_write),
                    stdin=stdin,
                    stdout=stdout,
                    stderr=stderr,
                    env=environment,
                    cwd=self.workdir,
                    start_new_session=True,  # killpg reaches the whole launch; the grader's Ctrl-C does not
                    pass_fds=inherited,  # and nothing else: close_fds keeps the grader's report files out
                )
            finally:
                for fd in inherited:
                    os.close(fd)
            launch = _Launch(process, _read_init_pid(info_read) if self.isolated else None)
            self._launches.append(launch)
            # Return only once the launcher runs inside: bwrap has then armed --die-with-parent at every
            # level (a grader killed earlier could leave the sandbox's init behind).
            if not _wait_until_ready(ready_read) and process.poll() is None:
                launch.kill()
                raise SandboxError(f"the sandbox did not start within {STARTUP_SECONDS} s")
            return process

    @staticmethod
    def _forget_if_finished(launch: _Launch) -> bool:
        if launch.finished():
            launch.kill()  # only closes the pidfd: everything is gone already
            return True
        return False

    def run(self, argv: list[str], *, input: bytes | None = None, timeout: float | None = None):
        """Run `argv` to completion in the sandbox; a CompletedProcess with stdout/stderr cut to `output_bytes`.

        A command killed by signal N has returncode 128 + N in a Sandbox (bwrap's convention), -N unsandboxed.
        Raises subprocess.TimeoutExpired after `timeout` s and SandboxExpired when the sandbox's budget ends
        first (the command is killed either way).
        """
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            # Files, not pipes: output beyond RLIMIT_FSIZE cannot be written, beyond output_bytes is never read.
            stdin = subprocess.PIPE if input is not None else subprocess.DEVNULL
            process = self.popen(argv, stdin=stdin, stdout=out, stderr=err)
            budget = self.time_left() if timeout is None else min(timeout, self.time_left())
            timed_out = False
            try:
                process.communicate(input, timeout=max(budget, 0))
            except subprocess.TimeoutExpired:
                timed_out = True
            self.kill_process(process)  # on time or not: whatever the command left running dies with it
            if self.expired:
                self._expire()  # the timer thread may not have fired yet: the budget is over either way
                raise SandboxExpired(f"the sandbox ran out of its {self.limits.wall_seconds:g} s budget")
            if timed_out:
                raise subprocess.TimeoutExpired(argv, timeout)
            out.seek(0)
            err.seek(0)
            cap = self.limits.output_bytes
            return subprocess.CompletedProcess(argv, process.returncode, out.read(cap), err.read(cap))

    def kill_process(self, process: subprocess.Popen) -> None:
        """Kill one launch (the process and its whole tree) and wait until it is gone."""
        with self._killing:
            with self._lock:
                launches = [launch for launch in self._launches if launch.process is process]
                self._launches = [launch for launch in self._launches if launch.process is not process]
            for launch in launches:
                launch.kill()

    def kill(self) -> None:
        """Kill every process tree this sandbox started, and wait until they are gone."""
        with self._killing:
            with self._lock:
                launches, self._launches = self._launches, []
            for launch in launches:
                launch.kill()

    def time_left(self) -> float:
        """Seconds until the wall-clock budget runs out (negative after)."""
        return self._deadline - time.monotonic()

    @property
    def expired(self) -> bool:
        """Has the wall-clock budget run out? (Then everything was, or is being, killed.)"""
        return self._expired or self.time_left() <= 0

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
        self.kill()

    def close(self) -> None:
        """Kill everything and delete the sandbox's directory (idempotent)."""
        with self._lock:
            self.closed = True
        self._timer.cancel()
        self.kill()
        if self.root.exists():
            _remove_tree(self.root)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- Jupyter -------------------------------------------------------------------------------------
    def kernel_manager(self, **kwargs) -> SandboxedKernelManager:
        """A jupyter_client kernel manager whose kernels run in this sandbox (for NotebookClient(nb, km=...))."""
        longest_socket = self.ipc_dir / "kernel-ipc-99999"
        if len(str(longest_socket).encode()) > 100:  # sun_path holds 107 bytes
            raise SandboxError(f"{self.root} is too long a path for unix sockets: set TMPDIR to a shorter directory")
        return SandboxedKernelManager(sandbox=self, **kwargs)


class Unsandboxed(Sandbox):
    """`Sandbox`'s interface without isolation, for `--unsandboxed`: limits, clean environment, group kill.

    The code can read and write whatever the grader can, reach the network, and a process that leaves its
    process group (setsid) survives `close()`.
    """

    isolated = False

    def _command(self, argv: list[str], env: dict[str, str], ready_fd: int, info_fd: int | None) -> list[str]:
        return _limited(argv, self.limits, ready_fd)


def _remove_tree(path: Path) -> None:
    """rmtree that also copes with directories the code inside made unreadable (chmod 000)."""

    def make_writable_and_retry(function, failed_path, _exc_info):
        for p in (os.path.dirname(failed_path), failed_path):
            # Only real directories: chmod follows symlinks, and the code inside may have planted some.
            if os.path.isdir(p) and not os.path.islink(p):
                try:
                    os.chmod(p, stat.S_IRWXU)
                except OSError:
                    pass
        try:
            function(failed_path)
        except OSError:
            pass

    shutil.rmtree(path, onerror=make_writable_and_retry)


class _SandboxProvisioner(LocalProvisioner):
    """Starts the kernel through the sandbox instead of a bare Popen; everything else is LocalProvisioner's."""

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        sandbox: Sandbox = self.parent.sandbox
        # kwargs["env"] is the grader's whole environment (jupyter_client's default): deliberately unused.
        self.process = sandbox.popen(
            cmd,
            stdout=kwargs.get("stdout") or subprocess.DEVNULL,  # the kernel's own stdout is not cell output
            stderr=kwargs.get("stderr") or subprocess.DEVNULL,
            env={"MPLBACKEND": "module://matplotlib_inline.backend_inline"},  # plots as in Jupyter
        )
        self.pid = self.pgid = self.process.pid  # the launch leads its own process group
        self.cwd = str(sandbox.workdir)
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel's whole process tree (a restart then starts from an empty namespace)."""
        if self.process:
            self.parent.sandbox.kill_process(self.process)


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel runs `python -m ipykernel_launcher` inside a Sandbox.

    Transport is IPC (unix sockets in the sandbox's `ipc/` directory, bound at the same path): TCP on
    loopback cannot cross the network namespace. Interrupts go as `interrupt_request` messages on the
    control channel, because bwrap does not forward signals (SIGINT to it would end the sandbox).
    """

    def __init__(self, *, sandbox: Sandbox, **kwargs):
        self.sandbox = sandbox
        self._sandbox_spec = KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (dlcourse sandbox)",
            language="python",
            interrupt_mode="message",
        )
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("connection_file", str(sandbox.ipc_dir / "kernel.json"))  # sockets: kernel-ipc-N
        super().__init__(**kwargs)
        self.context.setsockopt(zmq.MAXMSGSIZE, sandbox.limits.message_bytes)  # the manager's control socket

    def client(self, **kwargs):
        """A client whose sockets refuse kernel messages above `limits.message_bytes` (zmq drops them),
        so a kernel cannot make the grader buffer gigabytes. A caller's own `context=` keeps its settings."""
        client = super().client(**kwargs)
        if "context" not in kwargs:
            client.context.setsockopt(zmq.MAXMSGSIZE, self.sandbox.limits.message_bytes)  # before any socket
        return client

    @property
    def kernel_spec(self) -> KernelSpec:
        """Always the sandbox's own spec: never a kernelspec found on the grader's machine."""
        return self._sandbox_spec

    async def _async_pre_start_kernel(self, **kwargs):
        if self.provisioner is None:  # jupyter_client keeps it across restarts
            self.provisioner = _SandboxProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kwargs)


class Bubblewrap:
    """The `Isolation` grade.py uses (see isolation.py): every `kernel()` runs in a fresh Sandbox.

        async with Bubblewrap(memory_mb=3072).kernel() as manager:   # an AsyncKernelManager
            ...                                                       # the sandbox is gone after the block

    Kernels start from a copy of `trusted_cache`, which is warmed once, on first use, outside any sandbox
    (default: ~/.cache/dlcourse/trusted-cache). DLCOURSE_BACKEND and DLCOURSE_CHECKS_PATH pass through
    from the grader's environment, and the directories on DLCOURSE_CHECKS_PATH are bound read-only.
    """

    name = "bubblewrap"

    def __init__(
        self,
        memory_mb: int = 3072,
        *,
        limits: Limits | None = None,
        trusted_cache: str | Path | None = None,
    ):
        self.limits = dataclasses.replace(limits or Limits(), memory_bytes=memory_mb * MIB)
        home_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        self.trusted_cache = Path(trusted_cache or home_cache / "dlcourse" / "trusted-cache")
        self._warmed: Path | None = None
        self._tried = False
        self._warming = threading.Lock()

    def _warm_once(self) -> Path | None:
        """The warmed cache, or None if warming failed (then every sandbox compiles: slower, still correct)."""
        with self._warming:  # concurrent first kernels (-j N) wait for one warm-up
            if not self._tried:
                self._tried = True
                try:
                    self._warmed = warm_trusted_cache(self.trusted_cache)
                except (OSError, SandboxError) as error:
                    warnings.warn(f"no trusted Numba cache ({error}): every sandbox compiles its kernels", stacklevel=2)
            return self._warmed

    @contextlib.asynccontextmanager
    async def kernel(self):
        cache = await asyncio.to_thread(self._warm_once)
        env = {name: os.environ[name] for name in ("DLCOURSE_BACKEND", "DLCOURSE_CHECKS_PATH") if name in os.environ}
        checks = [p for p in env.get("DLCOURSE_CHECKS_PATH", "").split(os.pathsep) if p and os.path.isdir(p)]
        with Sandbox(limits=self.limits, trusted_cache=cache, env=env, read_only=tuple(checks)) as box:
            yield box.kernel_manager()


def _seconds_until_ready(box: Sandbox) -> float:
    """Start a kernel in `box` and time it until it answers (kernel_info); then shut it down."""
    from jupyter_client.utils import run_sync

    manager = box.kernel_manager()
    started = time.perf_counter()
    run_sync(manager.start_kernel)()
    client = manager.client()
    client.start_channels()
    run_sync(client.wait_for_ready)(timeout=STARTUP_SECONDS)
    seconds = time.perf_counter() - started
    client.stop_channels()
    run_sync(manager.shutdown_kernel)(now=True)
    return seconds


MEMORY_PROBE = """
import numpy as np
try:
    np.empty(20 * 10**9, dtype=np.uint8)
    print("20 GB allocated", end="; ")
except MemoryError:
    print("20 GB -> MemoryError", end="; ")
blocks = []
try:
    while True:
        blocks.append(np.empty(100 * 2**20, dtype=np.uint8))  # address space only: no RAM is touched
except MemoryError:
    print(f"100 MiB blocks -> MemoryError after {len(blocks) * 100 / 1024:.2f} GiB")
"""


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """`python -m dlcourse.exercises.sandbox [CACHE_DIR]`: can grading be sandboxed here, and what does it cost?"""
    import statistics

    argv = sys.argv[1:] if argv is None else argv
    cache = Path(argv[0] if argv else tempfile.mkdtemp(prefix="dlcourse-cache-"))
    problem = sandbox_problem()
    print(f"sandbox: {problem or 'available (' + subprocess.getoutput('bwrap --version') + ')'}")
    seconds = _timed(warm_trusted_cache, cache)
    files = [p for p in cache.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files) / MIB
    print(f"trusted cache {cache}: {size:.1f} MiB in {len(files)} files, warm_trusted_cache took {seconds:.1f} s")
    warmup = [sys.executable, "-m", "dlcourse", "warmup"]  # loads (or compiles) every numba kernel
    for kind in [Unsandboxed] + ([Sandbox] if problem is None else []):
        copies, kernels, warmups = [], [], []
        for _ in range(3):
            started = time.perf_counter()
            with kind(trusted_cache=cache) as box:
                copies.append(time.perf_counter() - started)
                kernels.append(_seconds_until_ready(box))
                warmups.append(_timed(box.run, warmup))
        print(
            f"{kind.__name__}: copy of the cache {statistics.median(copies) * 1000:.0f} ms, "
            f"kernel start until ready {statistics.median(kernels):.2f} s, "
            f"`dlcourse warmup` inside {statistics.median(warmups):.2f} s (medians of 3)"
        )
    with (Sandbox if problem is None else Unsandboxed)() as box:
        print(f"`dlcourse warmup` inside without a trusted cache (compiles all): {_timed(box.run, warmup):.1f} s")
        memory = box.run([sys.executable, "-c", MEMORY_PROBE]).stdout.decode().strip()
        print(f"memory cap {box.limits.memory_bytes / GIB:g} GiB: {memory}")
    return 0 if problem is None else 1


if __name__ == "__main__":
    sys.exit(main())
