"""Where a submission's kernel runs: in a bubblewrap sandbox (sandbox.py), or — only when the instructor
says so explicitly — as a plain process tree with the same limits and a scrubbed environment.

    isolation = choose_isolation(unsandboxed=False)      # SandboxUnavailable naming the fix if none works
    async with isolation.kernel() as manager:            # a jupyter_client AsyncKernelManager
        ...                                              # everything it started is gone after the block
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from typing import Protocol

from dlcourse.exercises import sandbox


class Isolation(Protocol):
    name: str  # what the report records: "bubblewrap" or "none (unsandboxed)"

    def kernel(self) -> contextlib.AbstractAsyncContextManager: ...


class Unsandboxed:
    """A kernel with the sandbox's limits (memory, CPU, output), a clean environment and a private working
    directory, killed with its process group afterwards — but NOT isolated: it can read and write what the
    grader can and reach the network. For trusted work only; the report says "none (unsandboxed)"."""

    name = "none (unsandboxed)"

    def __init__(self, memory_mb: int = 3072):
        self.limits = dataclasses.replace(sandbox.Limits(), memory_bytes=memory_mb * sandbox.MIB)

    @contextlib.asynccontextmanager
    async def kernel(self):
        env = {name: os.environ[name] for name in ("DLCOURSE_BACKEND", "DLCOURSE_CHECKS_PATH", "NUMBA_CACHE_DIR")
               if name in os.environ}  # fmt: skip
        with sandbox.Unsandboxed(limits=self.limits, env=env) as box:
            yield box.kernel_manager()


class SandboxUnavailable(Exception):
    """No sandbox can be set up here; the message names the reason and the fix."""


def choose_isolation(unsandboxed: bool = False, memory_mb: int = 3072) -> Isolation:
    """The bubblewrap sandbox, or Unsandboxed when the instructor explicitly asked for it."""
    if unsandboxed:
        return Unsandboxed(memory_mb)
    problem = sandbox.sandbox_problem()
    if problem:
        raise SandboxUnavailable(problem)
    return sandbox.Bubblewrap(memory_mb=memory_mb)
