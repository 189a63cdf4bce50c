"""Where a submission's kernel runs: in a bubblewrap sandbox (sandbox.py), or — only when the instructor
says so explicitly — as a plain process with a scrubbed environment and a private working directory.

    isolation = choose_isolation(unsandboxed=False)      # GradeError naming the fix if no sandbox works
    async with isolation.kernel() as manager:            # a jupyter_client AsyncKernelManager
        ...                                              # everything it started is gone after the block
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Protocol

from jupyter_client import AsyncKernelManager


class Isolation(Protocol):
    name: str  # what the report records: "bubblewrap" or "none (unsandboxed)"

    def kernel(self) -> contextlib.AbstractAsyncContextManager: ...


def scrubbed_environment(home: Path) -> dict[str, str]:
    """Only what a kernel needs: no PYTHONPATH, no grader variables, a private HOME."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "MPLCONFIGDIR": str(home / ".matplotlib"),
        "OPENBLAS_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    for name in ("NUMBA_CACHE_DIR", "DLCOURSE_BACKEND", "DLCOURSE_CHECKS_PATH"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


class Unsandboxed:
    """A plain kernel process: own process group (killed afterwards), scrubbed environment, temp cwd.

    It does NOT stop a submission from reading or writing the instructor's files: use it only for
    trusted work, and the report says "none (unsandboxed)"."""

    name = "none (unsandboxed)"

    @contextlib.asynccontextmanager
    async def kernel(self):
        workdir = Path(tempfile.mkdtemp(prefix="dlcourse-grade-"))
        home = workdir / "home"
        home.mkdir()
        manager = _ProcessGroupKernelManager(kernel_name="python3")
        manager.kernel_spec.argv[0] = sys.executable  # this environment's Python, whatever the kernelspec says
        manager.extra_env = scrubbed_environment(home)
        manager.cwd = str(workdir)
        try:
            yield manager
        finally:
            manager.kill_group()
            shutil.rmtree(workdir, ignore_errors=True)


class _ProcessGroupKernelManager(AsyncKernelManager):
    """Starts the kernel in its own session, with only `extra_env`, so everything it spawns can be killed."""

    extra_env: dict[str, str] = {}
    cwd: str | None = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw["env"] = dict(self.extra_env)
        kw["cwd"] = self.cwd  # (jupyter_client starts the kernel in a new session: its own process group)
        await super()._async_launch_kernel(kernel_cmd, **kw)
        self._group = (
            os.getpgid(self.provisioner.process.pid) if self.provisioner and self.provisioner.process else None
        )

    def kill_group(self) -> None:
        group = getattr(self, "_group", None)
        if group:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)


class SandboxUnavailable(Exception):
    """No sandbox can be set up here; the message names the reason and the fix."""


def choose_isolation(unsandboxed: bool = False, memory_mb: int = 3072) -> Isolation:
    """The bubblewrap sandbox, or Unsandboxed when the instructor explicitly asked for it."""
    if unsandboxed:
        return Unsandboxed()
    try:
        from dlcourse.exercises import sandbox
    except ImportError:
        raise SandboxUnavailable("no sandbox support in this dlcourse; pass --unsandboxed for trusted work") from None
    problem = sandbox.sandbox_problem()
    if problem:
        raise SandboxUnavailable(problem)
    return sandbox.Bubblewrap(memory_mb=memory_mb)
