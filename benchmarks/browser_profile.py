"""Where the browser's time goes while an app animates: a CPU profile and a trace of headless Chromium.

    .venv/bin/python benchmarks/browser_profile.py --only neuron,gates --seconds 4

Runs the apps as benchmarks/browser_fps.py does (same notebook, same animation) and, while one
animates, records (1) the CPU time of each Chromium process (renderer, GPU, network, browser), (2)
a sampled JavaScript CPU profile of the page (CDP `Profiler`): self time per function, and (3) a
Chromium trace (devtools.timeline): the renderer main thread's time per kind of task (script,
style, layout, paint, image decode, ...). Everything is printed per painted frame.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_fps as fps  # noqa: E402 - the benchmark's own lab, notebook and animations

TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "v8"]
# trace events of the renderer main thread summed by name (their time includes nested events)
TRACE_NAMES = [
    "RunTask", "FunctionCall", "EvaluateScript", "v8.callFunction", "TimerFire", "FireAnimationFrame",
    "EventDispatch", "ParseHTML", "UpdateLayoutTree", "Layout", "PrePaint", "Paint", "PaintImage",
    "Layerize", "UpdateLayer", "Commit", "ImageDecodeTask", "Decode Image", "Decode LazyPixelRef",
    "MajorGC", "MinorGC", "V8.GC_SCAVENGER", "BlinkGC.AtomicPhase", "HitTest", "ScheduleStyleRecalculation",
    "InvalidateLayout", "XHRReadyStateChange", "ResourceReceivedData",
]  # fmt: skip


def chromium_cpu() -> dict[str, float]:
    """CPU seconds so far of each kind of Chromium process (--type=renderer, gpu-process, utility, browser)."""
    used = collections.Counter()
    for _pid, _parent, command, seconds in fps.processes():
        if not fps.is_chromium(command):
            continue
        kind = "browser"
        for part in command.split(" "):
            if part.startswith("--type="):
                kind = part[7:]
            if part.startswith("--utility-sub-type="):
                kind = part.split(".")[-1]
        used[kind] += seconds
    return used


def js_profile_summary(profile: dict, frames: int, top: int = 25) -> list[str]:
    """Self time per function (ms per frame) of a CDP Profiler profile, biggest first."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    self_us = collections.Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        frame = nodes[node_id]["callFrame"]
        where = Path(frame["url"]).name or ""
        self_us[f"{frame['functionName'] or '(anonymous)'} {where}:{frame['lineNumber']}:{frame['columnNumber']}"] += (
            delta
        )
    total = sum(self_us.values())
    lines = [f"JS profile: {total / 1000 / frames:.1f} ms per frame sampled on the main thread (idle included)"]
    for name, us in self_us.most_common(top):
        lines.append(f"  {us / 1000 / frames:7.2f} ms  {name[:140]}")
    return lines


def trace_summary(trace: dict, frames: int) -> list[str]:
    """Time per event name on the renderer's main thread (ms per frame), and counts per frame."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    main = {(e["pid"], e["tid"]) for e in events if e.get("name") == "thread_name"
            and e.get("args", {}).get("name") == "CrRendererMain"}  # fmt: skip
    duration, count = collections.Counter(), collections.Counter()
    for event in events:
        if (event.get("pid"), event.get("tid")) not in main:
            continue
        if event.get("ph") == "X":
            duration[event["name"]] += event.get("dur", 0)
            count[event["name"]] += 1
    lines = ["trace, renderer main thread (ms per frame, events per frame; nested times overlap):"]
    for name, us in duration.most_common(40):
        lines.append(f"  {us / 1000 / frames:7.2f} ms  {count[name] / frames:6.2f}/frame  {name}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--only", default="neuron")
    parser.add_argument("--keep", default="", help="folder to keep the raw profiles and traces in")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    names = [n for n in args.only.split(",") if n]
    with tempfile.TemporaryDirectory(prefix="dlcourse-prof-") as scratch:
        root, state = Path(scratch) / "root", Path(scratch) / "state"
        root.mkdir()
        shutil.copy(fps.NOTEBOOK, root / fps.NOTEBOOK.name)
        lab, base, token = fps.start_lab(root, state)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=fps.CHROMIUM, headless=True, args=fps.CHROMIUM_ARGS
                )
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.add_init_script(fps.COUNT_FRAMES)
                page.goto(f"{base}lab/tree/{fps.NOTEBOOK.name}?token={token}")
                page.wait_for_function(
                    "() => { const p = window.jupyterapp && window.jupyterapp.shell.currentWidget; return p && "
                    "p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel && "
                    "p.sessionContext.session.kernel.status === 'idle'; }",
                    timeout=120_000,
                )
                page.evaluate(fps.RUN_CELL, "setup")
                cdp = page.context.new_cdp_session(page)
                for name in names:
                    page.evaluate(fps.RUN_CELL, name)
                    app = page.locator(f'[data-app="{name}"]')
                    app.locator("canvas.dlcourse-live-canvas").first.scroll_into_view_if_needed()
                    page.wait_for_function(f"({fps.FRAMES})('{name}') > 0", timeout=30_000)
                    size = page.evaluate(
                        f"""Array.from(document.querySelectorAll('[data-app="{name}"] """
                        """canvas.dlcourse-live-canvas'), c => [c.width, c.height])"""
                    )
                    cdp.send("Profiler.enable")
                    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
                    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
                    cdp.send("Profiler.start")
                    cpu_before, server_before = chromium_cpu(), fps.cpu_seconds(lab.pid)
                    result = fps.animate(page, app, name, args.seconds)
                    cpu_after, server_after = chromium_cpu(), fps.cpu_seconds(lab.pid)
                    profile = cdp.send("Profiler.stop")["profile"]
                    trace = json.loads(browser.stop_tracing())
                    frames = max(result["frames"], 1)
                    print(f"\n=== {name}: {result['fps']} fps, {result['frames']} frames in {result['seconds']} s, "
                          f"canvases {size}, load {os.getloadavg()[0]:.1f}")  # fmt: skip
                    per = {k: round(1000 * (cpu_after[k] - cpu_before.get(k, 0)) / frames, 1) for k in cpu_after}
                    print("Chromium CPU ms per frame by process:", per)
                    print(
                        "kernel/server CPU ms per frame:",
                        {
                            k: round(1000 * v / frames, 1)
                            for k, v in fps.cpu_used(server_before, server_after).items()
                            if k != "browser"
                        },
                    )
                    print("\n".join(js_profile_summary(profile, frames)))
                    print("\n".join(trace_summary(trace, frames)))
                    if args.keep:
                        Path(args.keep).mkdir(parents=True, exist_ok=True)
                        Path(args.keep, f"{name}.cpuprofile").write_text(json.dumps(profile))
                        Path(args.keep, f"{name}.trace.json").write_text(json.dumps(trace))
                    page.evaluate(fps.CLEAR_CELL, name)
                browser.close()
        finally:
            lab.terminate()
            lab.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
