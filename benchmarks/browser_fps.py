"""Frames per second of every live app of the course, measured where learners see them: in a browser.

    make bench-browser                                      # every app, 4 s of animation each
    .venv/bin/python benchmarks/browser_fps.py --only playground,landscape --seconds 6 --json fps.json

Starts JupyterLab on a scratch copy of benchmarks/browser_fps.ipynb (each app built as its chapter
builds it, one cell per app, tagged `app:<name>`), opens it in headless Chromium (Debian's
/usr/bin/chromium driven by Playwright) and takes one app at a time, as a learner meets them: runs
its cell, animates it (its play button, or one of its sliders moved by the keyboard every 30 ms, as a
learner dragging it would), then clears the cell's output. A frame is a picture the live canvas
(dlcourse/viz/live_canvas.js) paints on the app's canvas: a wrapper around drawImage counts them per
canvas; fps = frames painted / seconds animated (a Play widget that reaches its end stops the clock).
Also printed: the CPU time per frame of the kernel, the browser (all Chromium processes) and the
Jupyter server, which shows where the time goes.
The goal (issue 17): every app >= 20 fps on the course's 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = Path(__file__).with_name("browser_fps.ipynb")
CHROMIUM = os.environ.get("DLCOURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
GOAL_FPS = 20.0

# app → how to animate it: ("play", None) its Play widget, ("toggle", text) a toggle button,
# ("keys", label) the slider with that label, moved by arrow keys
ANIMATIONS = {
    "neuron": ("keys", "weight w1"),
    "perceptron": ("keys", "step"),  # its Play shows one step of the rule per 0.25 s on purpose
    "monitor": ("play", None),
    "playground": ("toggle", "play"),
    "activation": ("keys", "probe x₀"),
    "depth": ("keys", "depth"),
    "loss": ("keys", "prediction ŷ"),
    "outlier": ("keys", "outlier y"),
    "landscape": ("play", None),
    "graph": ("keys", "step"),  # its Play steps once per 0.9 s on purpose: the slider shows the frame rate
    "regression": ("play", None),
    "kmeans": ("keys", "step"),  # Play: one half-step per 0.5 s on purpose
    "dendrogram": ("keys", "clusters"),
    "convolution": ("keys", "window"),  # Play: one window per 0.3 s on purpose
    "feature_maps": ("keys", "image #"),
    "gradient_flow": ("keys", "length T"),
    "gates": ("keys", "sequence #"),
    "capacity": ("play", None),
    "bumps": ("keys", "steepness s"),
    "width": ("play", None),
}

# Counts, per canvas, the pictures live_canvas.js paints on an app's canvas (one per frame).
COUNT_FRAMES = """
(() => {
  const original = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const canvas = this.canvas;
    if (canvas && canvas.isConnected && canvas.closest && canvas.classList.contains('dlcourse-live-canvas')) {
      canvas.__frames = (canvas.__frames || 0) + 1;
    }
    return original.apply(this, args);
  };
})();
"""
# Moves a slider with the arrow keys every `ms` milliseconds for `seconds` (back and forth, turning at
# its ends, so that every move changes its value), as keyboard events on its handle; resolves to the
# number of moves.
PRESS_KEYS = """([name, label, ms, seconds]) => new Promise((resolve) => {
  const app = document.querySelector(`[data-app="${name}"]`);
  const slider = Array.from(app.querySelectorAll('.widget-slider')).find(
    (s) => (s.querySelector('.widget-label') || {}).textContent.trim() === label);
  const handle = slider.querySelector('.noUi-handle');
  let moves = 0, key = 'ArrowRight';
  const at = (name) => Number(handle.getAttribute(name));
  const timer = setInterval(() => {
    // turn at either end of the slider (every move changes the value) and every 12 moves
    if (at('aria-valuenow') >= at('aria-valuemax')) key = 'ArrowLeft';
    else if (at('aria-valuenow') <= at('aria-valuemin')) key = 'ArrowRight';
    else if (moves % 12 === 0 && moves > 0) key = key === 'ArrowRight' ? 'ArrowLeft' : 'ArrowRight';
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, code: key, bubbles: true, cancelable: true}));
    moves += 1;
  }, ms);
  setTimeout(() => { clearInterval(timer); resolve(moves); }, seconds * 1000);
})"""
KEY_INTERVAL_MS = 30
# Counts the frames painted for `seconds`, or until the app's Play widget stops (it reached its last
# value: what follows is no animation); resolves to [frames, seconds, still playing].
WHILE_PLAYING = """([name, seconds]) => new Promise((resolve) => {
  const app = document.querySelector(`[data-app="${name}"]`);
  const frames = () => Math.max(0, ...Array.from(app.querySelectorAll('canvas.dlcourse-live-canvas'),
                                                 (c) => c.__frames || 0));
  const start = performance.now(), first = frames();
  const timer = setInterval(() => {
    const play = app.querySelector('.widget-play');
    const playing = !play || play.querySelector('i.fa-pause') !== null;  // no Play widget: a toggle button
    const elapsed = (performance.now() - start) / 1000;
    if (!playing || elapsed >= seconds) {
      clearInterval(timer);
      resolve([frames() - first, elapsed, playing]);
    }
  }, 20);
})"""
# Runs the cell tagged `app:<name>` (or the setup cell) and resolves to its execution count, once the
# kernel is idle again; marks the cell's node with data-app="<name>".
RUN_CELL = """async (name) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const notebook = panel.content;
  const index = name === 'setup' ? 1 : notebook.widgets.findIndex(
    (cell) => (cell.model.getMetadata('tags') || []).includes('app:' + name));
  notebook.activeCellIndex = index;
  await window.jupyterapp.commands.execute('notebook:run-cell');
  const cell = notebook.widgets[index];
  while (!cell.model.executionCount || panel.sessionContext.session.kernel.status !== 'idle') {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  cell.node.setAttribute('data-app', name);
  return cell.model.executionCount;
}"""
# Clears the outputs of the app's cell, so that the next app is the only live one on the page.
CLEAR_CELL = """async (name) => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  notebook.activeCellIndex = notebook.widgets.findIndex((cell) => cell.node.getAttribute('data-app') === name);
  await window.jupyterapp.commands.execute('notebook:clear-cell-output');
}"""
# Runs code in the notebook's kernel through JupyterLab's connection; resolves to what it printed.
RUN_IN_KERNEL = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, store_history: false});
  let out = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += `${msg.content.ename}: ${msg.content.evalue}`;
  };
  await future.done;
  return out;
}"""
# What the kernel side did: frames rendered and sent by each app's live canvas (dlcourse.viz.canvas).
CANVAS_COUNTS = """import json
from dlcourse.viz.app import App
print(json.dumps({str(n): [v.figure.canvas.frames_rendered, v.figure.canvas.pushed] for n, v in Out.items()
                  if isinstance(v, App) and hasattr(v.figure.canvas, "pushed")}))"""
FRAMES = """(name) => Math.max(0, ...Array.from(
  document.querySelectorAll(`[data-app="${name}"] canvas.dlcourse-live-canvas`), c => c.__frames || 0))"""


def processes():
    """(pid, parent pid, command line, CPU seconds so far: user + system) of every process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield int(pid), int(fields[1]), command, (int(fields[11]) + int(fields[12])) / tick


def is_chromium(command: str) -> bool:
    return Path(CHROMIUM).name in command or "chrome" in command.split(" ")[0]


def cpu_seconds(server_pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process of the JupyterLab server, its kernels and Chromium:
    {pid: (kind, seconds)} with kind "server", "kernel" or "browser"."""
    used = {}
    for pid, parent, command, seconds in processes():
        if pid == server_pid:
            used[pid] = ("server", seconds)
        elif parent == server_pid and "ipykernel" in command:  # a kernel started by our server
            used[pid] = ("kernel", seconds)
        elif is_chromium(command):
            used[pid] = ("browser", seconds)
    return used


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per kind between two cpu_seconds() snapshots (a process that ended meanwhile is not
    counted: Chromium replaces some of its processes, and their totals must not come out negative)."""
    used = {"kernel": 0.0, "browser": 0.0, "server": 0.0}
    for pid, (kind, seconds) in after.items():
        used[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    return used


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_lab(root: Path, state: Path):
    """JupyterLab on `root` with quiet settings and the course's server config, the app exposed."""
    port, token = free_port(), secrets.token_hex(16)
    settings = {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        # JupyterLab's default windowing ("contentVisibility": off-screen cells are not laid out), as
        # learners have it; each app is scrolled into view before it is measured
        "notebook-extension/tracker": {"autoStartDefaultKernel": True},
    }
    for plugin, values in settings.items():
        path = state / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={state / 'workspaces'}",
        f"--LabApp.user_settings_dir={state / 'settings'}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(state / "runtime"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # the course's server settings, as `make lab` and Binder use them (jupyter_config/)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(REPO / "jupyter_config"), env.get("JUPYTER_CONFIG_PATH")])
    )
    env.pop("MPLBACKEND", None)
    log = open(state / "lab.log", "wb")  # noqa: SIM115 - open for the server's lifetime
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}lab?token={token}", timeout=5) as response:
                if response.status == 200:
                    return process, base, token
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"JupyterLab did not start; see {state / 'lab.log'}")


def animate(page, app, name: str, seconds: float) -> dict:
    """Animate one app for `seconds` and count the frames its canvas paints."""
    kind, label = ANIMATIONS[name]
    canvas = app.locator("canvas.dlcourse-live-canvas").first
    canvas.scroll_into_view_if_needed()
    page.wait_for_function(f"({FRAMES})('{name}') > 0", timeout=30_000)  # painted once: the view is live
    page.wait_for_timeout(500)
    if kind == "keys":
        start_frames, start = page.evaluate(FRAMES, name), time.monotonic()
        presses = page.evaluate(PRESS_KEYS, [name, label, KEY_INTERVAL_MS, seconds])
        elapsed = time.monotonic() - start
        frames = page.evaluate(FRAMES, name) - start_frames
        return {"app": name, "animation": f"slider '{label}' ({presses} moves)", "frames": frames,
                "seconds": round(elapsed, 2), "fps": round(frames / elapsed, 1)}  # fmt: skip
    if kind == "play":
        button = app.locator(".widget-play button").first
        description = "Play widget"
    else:
        button = app.locator(".widget-toggle-button", has_text=label).first
        description = f"'{label}' button"
    button.click()
    page.wait_for_timeout(500)  # warm-up: the first frames of an animation include its start
    frames, elapsed, playing = page.evaluate(WHILE_PLAYING, [name, seconds])
    if kind == "play" and not playing:
        description += f" (played to its end after {elapsed:.1f} s)"
    if kind == "toggle":
        app.locator(".widget-toggle-button", has_text="pause").first.click()
    else:
        app.locator(".widget-play button").nth(1).click()  # the Play widget's pause button
    page.wait_for_timeout(300)
    return {"app": name, "animation": description, "frames": frames, "seconds": round(elapsed, 2),
            "fps": round(frames / elapsed, 1)}  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="animation time per app")
    parser.add_argument("--only", default="", help="comma-separated app names (default: all)")
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--screenshots", default="", help="folder for a screenshot of each app")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(ANIMATIONS)
    unknown = sorted(set(names) - set(ANIMATIONS))
    if unknown:
        parser.error(f"unknown app(s) {unknown}; choose from {', '.join(ANIMATIONS)}")
    if not os.access(CHROMIUM, os.X_OK):
        print(f"Chromium not found at {CHROMIUM}: set DLCOURSE_CHROMIUM", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory(prefix="dlcourse-fps-") as scratch:
        root, state = Path(scratch) / "root", Path(scratch) / "state"
        root.mkdir()
        shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
        lab, base, token = start_lab(root, state)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.add_init_script(COUNT_FRAMES)
                page.goto(f"{base}lab/tree/{NOTEBOOK.name}?token={token}")
                page.wait_for_function("window.jupyterapp && window.jupyterapp.commands.hasCommand("
                                       "'notebook:run-all-cells') && window.jupyterapp.shell.currentWidget",
                                       timeout=120_000)  # fmt: skip
                page.wait_for_function(
                    "() => { const p = window.jupyterapp.shell.currentWidget; return p.sessionContext && "
                    "p.sessionContext.session && p.sessionContext.session.kernel && "
                    "p.sessionContext.session.kernel.status === 'idle'; }",
                    timeout=120_000,
                )
                started = time.monotonic()
                page.evaluate(RUN_CELL, "setup")
                print(f"setup cell ran in {time.monotonic() - started:.0f} s", flush=True)
                for name in names:
                    # one app at a time, as a learner meets them: run its cell, animate it, clear its output
                    count = page.evaluate(RUN_CELL, name)  # its Out[count] in the kernel
                    app = page.locator(f'[data-app="{name}"]')
                    errors = app.locator(".jp-OutputArea-output.jp-mod-error, [data-mime-type*='stderr']")
                    if errors.count():
                        print(f"{name}: the cell printed an error:\n{errors.first.inner_text()[:2000]}")
                    before = json.loads(page.evaluate(RUN_IN_KERNEL, CANVAS_COUNTS) or "{}").get(str(count), [0, 0])
                    cpu_before = cpu_seconds(lab.pid)
                    try:
                        result = animate(page, app, name, args.seconds)
                    except Exception as error:  # noqa: BLE001 - report it and measure the other apps
                        shot = Path(tempfile.gettempdir()) / f"{name}-failed.png"
                        page.screenshot(path=str(shot))
                        print(f"{name}: could not animate it ({str(error).splitlines()[0]}); see {shot}", flush=True)
                        result = {"app": name, "animation": "failed", "frames": 0, "seconds": 0, "fps": 0.0}
                    cpu_after = cpu_seconds(lab.pid)
                    after = json.loads(page.evaluate(RUN_IN_KERNEL, CANVAS_COUNTS) or "{}").get(str(count), [0, 0])
                    result["kernel_rendered"], result["kernel_sent"] = after[0] - before[0], after[1] - before[1]
                    frames = max(result["frames"], 1)
                    used = cpu_used(cpu_before, cpu_after)
                    result["cpu_ms_per_frame"] = {k: round(1000 * v / frames, 1) for k, v in used.items()}
                    result["goal_met"] = result["fps"] >= GOAL_FPS
                    results.append(result)
                    cpu = result["cpu_ms_per_frame"]
                    print(f"{name:14s} {result['fps']:6.1f} fps   ({result['frames']} frames in {result['seconds']} s; "
                          f"{result['animation']}; CPU ms per frame: kernel {cpu['kernel']}, browser "
                          f"{cpu['browser']}, server {cpu['server']})", flush=True)  # fmt: skip
                    if args.screenshots:
                        Path(args.screenshots).mkdir(parents=True, exist_ok=True)
                        app.screenshot(path=str(Path(args.screenshots) / f"{name}.png"))
                    page.evaluate(CLEAR_CELL, name)
                browser.close()
        finally:
            lab.terminate()
            lab.wait(timeout=30)
    below = [r["app"] for r in results if not r["goal_met"]]
    print(f"\n{len(results) - len(below)} of {len(results)} apps at >= {GOAL_FPS:g} fps"
          + (f"; below: {', '.join(below)}" if below else ""))  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
