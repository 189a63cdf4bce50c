"""Run code in a kernel the grader does not trust: hard deadlines, capped output, probes collected as data.

    runner = KernelRunner(kernel_manager, timeout=60)
    await runner.start()
    result = await runner.run("x = 1 + 1")       # CellResult: status, error, text, probes, seconds
    await runner.shutdown()

Why not nbclient: the grader needs three things nbclient does not give it. Output is kept up to a budget
and the rest dropped as it arrives (a submission that prints 100 MB costs the grader nothing). A cell
that ignores the interrupt is given up on after a few seconds, not after another full timeout. Probe
records (probes.py) are taken out of the output stream as plain data, decoded by `encoding.decode`.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from queue import Empty

import zmq
import zmq.asyncio

from dlcourse.exercises.encoding import EncodingError, decode
from dlcourse.exercises.probes import PROBE_MIME

MAX_MESSAGE_BYTES = 64 * 2**20  # ZMQ drops bigger messages instead of handing them to the grader
INTERRUPT_GRACE = 5.0  # seconds a cell gets to stop after an interrupt before the kernel is replaced


@dataclass
class CellResult:
    """What one execution did."""

    status: str  # "ok", "error", "timeout" (stopped by an interrupt), "unresponsive" or "dead"
    error: str | None = None  # "NameError: name 'x' is not defined"
    text: str = ""  # printed output and error text, capped
    probes: list[dict] = field(default_factory=list)  # decoded probe records, in order
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class OutputBudget:
    """How many characters of output the grader keeps: per cell, and for the whole submission."""

    def __init__(self, per_cell: int = 20_000, total: int = 400_000):
        self.per_cell, self.left = per_cell, total
        self.dropped = 0

    def keep(self, kept: str, new: str) -> str:
        room = min(self.per_cell - len(kept), self.left)
        if room <= 0:
            self.dropped += len(new)
            return kept
        piece = new[:room]
        self.dropped += len(new) - len(piece)
        self.left -= len(piece)
        return kept + piece


def _error_text(content: dict) -> str:
    name, value = str(content.get("ename", "Error"))[:200], str(content.get("evalue", ""))[:2000]
    if name == "NotImplementedError" and not value:
        value = "not implemented yet (the exercise still has its stub)"
    return f"{name}: {value}"


def _probe_record(data: dict) -> dict | None:
    """A probe's record from a display message, decoded; None if it is not a probe."""
    record = data.get(PROBE_MIME)
    if record is None:
        return None
    if isinstance(record, str):
        try:
            record = json.loads(record)
        except ValueError:
            return {"label": None, "error": "an unreadable probe record"}
    if not isinstance(record, dict) or not isinstance(record.get("label"), str):
        return {"label": None, "error": "a malformed probe record"}
    options = record.get("options") if isinstance(record.get("options"), dict) else {}
    if "error" in record:
        return {"label": record["label"], "error": str(record["error"])[:2000], "options": options}
    try:
        return {"label": record["label"], "value": decode(record.get("value")), "options": options}
    except (EncodingError, RecursionError) as error:
        return {"label": record["label"], "error": f"an unreadable value ({error})", "options": options}


class KernelRunner:
    """One kernel, fed one piece of code at a time."""

    def __init__(self, kernel_manager, timeout: float = 60.0, budget: OutputBudget | None = None):
        self.km = kernel_manager
        self.timeout = timeout
        self.budget = budget or OutputBudget()
        self.kc = None

    async def start(self, ready_timeout: float = 120.0) -> None:
        # The kernel's own process output (not the cells' output, which comes over ZMQ) is noise here.
        await self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await self._connect(ready_timeout)

    async def _connect(self, ready_timeout: float) -> None:
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)  # applies to every socket made from it
        self.kc = self.km.client(context=context)
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=ready_timeout)

    async def restart(self, ready_timeout: float = 120.0) -> None:
        """A fresh kernel (the old one is killed, with everything it started)."""
        self._close_client()
        await self.km.restart_kernel(now=True)
        await self._connect(ready_timeout)

    def _close_client(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc.context.destroy(linger=0)
            self.kc = None

    async def shutdown(self) -> None:
        self._close_client()
        try:
            await self.km.shutdown_kernel(now=True)
        except Exception:  # already dead: nothing left to stop
            pass

    async def run(self, code: str, timeout: float | None = None) -> CellResult:
        """Execute `code`; never waits much longer than `timeout` (+ INTERRUPT_GRACE)."""
        timeout = self.timeout if timeout is None else timeout
        started = time.monotonic()
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        result = CellResult(status="ok")
        deadline = started + timeout
        interrupted = False
        reply = None
        idle = False
        while reply is None or not idle:
            now = time.monotonic()
            if now >= deadline:
                if interrupted:  # the interrupt did not stop it: this kernel is lost
                    result.status = "unresponsive"
                    result.error = f"TimeoutError: the cell ran longer than {timeout:g} s and ignored the interrupt"
                    break
                await self.km.interrupt_kernel()
                interrupted = True
                result.status = "timeout"
                result.error = f"TimeoutError: the cell ran longer than {timeout:g} s and was stopped"
                deadline = time.monotonic() + INTERRUPT_GRACE
                continue
            if not await self.km.is_alive():
                result.status, result.error = "dead", "DeadKernelError: the kernel died (a crash, or out of memory)"
                break
            wait = min(0.5, deadline - now)
            message = await self._next_message(wait)
            if message is None:
                continue
            channel, msg = message
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if channel == "shell":
                reply = msg["content"]
                if reply.get("status") == "error" and not interrupted:
                    result.status, result.error = "error", _error_text(reply)
                elif reply.get("status") == "aborted":
                    result.status, result.error = "error", "the cell was aborted"
            else:
                idle = self._handle_iopub(msg, result) or idle
        result.seconds = time.monotonic() - started
        return result

    async def _next_message(self, wait: float):
        """The next iopub or shell message, or None after about `wait` seconds (output arrives on iopub, so
        that is where the loop blocks; the single shell reply is picked up between polls)."""
        for channel, getter, seconds in (
            ("iopub", self.kc.get_iopub_msg, max(0.001, min(wait, 0.05))),
            ("shell", self.kc.get_shell_msg, 0.001),
        ):
            try:
                return channel, await getter(timeout=seconds)
            except (TimeoutError, Empty):
                continue
        return None

    def _handle_iopub(self, msg: dict, result: CellResult) -> bool:
        """Keep output within the budget and collect probes; True when the kernel went idle."""
        kind, content = msg.get("msg_type"), msg.get("content", {})
        if kind == "status":
            return content.get("execution_state") == "idle"
        if kind == "stream":
            result.text = self.budget.keep(result.text, str(content.get("text", "")))
        elif kind in ("display_data", "execute_result", "update_display_data"):
            data = content.get("data", {})
            record = _probe_record(data) if isinstance(data, dict) else None
            if record is not None:
                result.probes.append(record)
            elif isinstance(data, dict) and "text/plain" in data:
                result.text = self.budget.keep(result.text, str(data["text/plain"]) + "\n")
        elif kind == "error":
            result.text = self.budget.keep(result.text, _error_text(content) + "\n")
        return False
