"""The live widgets in a real browser: JupyterLab + ipywidgets + the live canvas, driven by Playwright in Chromium.

Runs tests/browser/notebooks/landscape_demo.ipynb (a copy, so nothing is saved into the repo) with
Run All, then checks: no error output, live canvases and widget sliders rendered, a slider move
redraws the canvas (pixels differ), and the landscape animation's frames per second (a JavaScript
counter of the canvas's drawImage calls while the Play widget runs). Screenshots go to
artifacts/screenshots/; with DLCOURSE_UPDATE_README_IMAGES=1 the README's pictures in docs/img/ are
refreshed too (off by default, so a test run never changes tracked files).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.browser.conftest import REPO, free_port, serve_lab

pytestmark = pytest.mark.browser

DEMO = Path(__file__).parent / "notebooks" / "landscape_demo.ipynb"
README_IMAGES = (
    REPO / "docs" / "img"
    if os.environ.get("DLCOURSE_UPDATE_README_IMAGES") == "1"
    else REPO / "artifacts" / "screenshots"
)
TIMEOUT_MS = 90_000
CANVAS = "canvas.dlcourse-live-canvas"

# Counts the frames the live canvases show: live_canvas.js paints every received picture onto its
# canvas with drawImage, so wrapping drawImage counts redraws without touching the widget itself.
COUNT_FRAMES = """
(() => {
  window.__mplFrames = 0;
  const original = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const canvas = this.canvas;
    if (canvas && canvas.isConnected && canvas.closest && canvas.classList.contains('dlcourse-live-canvas')) {
      window.__mplFrames += 1;
    }
    return original.apply(this, args);
  };
})();
"""


@pytest.fixture(scope="module")
def demo_lab(tmp_path_factory):
    """JupyterLab serving a scratch copy of the demo notebook (with the repo importable by the kernel)."""
    root = tmp_path_factory.mktemp("widgets")
    shutil.copy(DEMO, root / DEMO.name)
    state = tmp_path_factory.mktemp("jupyter-widgets")
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}", f"--LabApp.user_settings_dir={state / 'settings'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run commands without hunting menus
    ]  # fmt: skip
    # JupyterLab settings for a quiet run: no "get Jupyter news?" toast over the screenshots, and the
    # notebook's python3 kernel starts without a "Select Kernel" dialog
    for plugin, values in (("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False}),
                           ("notebook-extension/tracker", {"autoStartDefaultKernel": True})):  # fmt: skip
        path = state / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(state / "runtime"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)
    yield from serve_lab(command, cwd=root, env=env, root=root, state=state, port=port, token=token)


def pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def changed_fraction(before: bytes, after: bytes) -> float:
    a, b = pixels(before), pixels(after)
    if a.shape != b.shape:
        return 1.0
    return float(np.mean(np.abs(a - b).sum(axis=2) > 30))


def accept_kernel_dialog(page) -> None:
    """JupyterLab may ask which kernel to start ("Select Kernel"): accept the proposed python3."""
    try:
        page.wait_for_selector(".jp-Dialog .jp-mod-accept", timeout=10_000)
    except Exception:  # noqa: BLE001 - no dialog: the kernel started by itself
        return
    page.click(".jp-Dialog .jp-mod-accept")


def error_outputs(page) -> list[str]:
    """Texts of stderr outputs that carry a traceback, and of error outputs."""
    texts = page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output.jp-mod-error'
    ).all_inner_texts()
    return [t for t in texts if "Traceback" in t or "Error" in t]


def test_widget_notebook_runs_renders_redraws_and_animates(demo_lab, page, screenshot_dir):
    started = time.monotonic()
    page.add_init_script(COUNT_FRAMES)
    page.goto(demo_lab.notebook_url(DEMO.name))
    page.wait_for_selector(".jp-Notebook", state="visible", timeout=TIMEOUT_MS)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.commands.hasCommand('notebook:run-all-cells')",
                           timeout=TIMEOUT_MS)  # fmt: skip
    accept_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=TIMEOUT_MS)
    # not awaited: the command's promise settles only when every cell has run
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

    # both apps render: two live canvases, widget sliders, and the kernel goes idle
    page.wait_for_function("document.querySelectorAll('canvas.dlcourse-live-canvas').length >= 2",
                           timeout=TIMEOUT_MS)  # fmt: skip
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=TIMEOUT_MS)
    assert not error_outputs(page), error_outputs(page)
    sliders = page.locator(".widget-slider")
    assert sliders.count() >= 8, f"expected the explorer's sliders, found {sliders.count()}"
    landscape_app = page.locator(".jp-OutputArea-output", has_text="Loss landscape").first
    canvas = landscape_app.locator(CANVAS).first
    canvas.scroll_into_view_if_needed()
    page.wait_for_function("window.__mplFrames > 0", timeout=TIMEOUT_MS)  # the canvas painted at least once
    page.wait_for_timeout(1500)
    before = canvas.screenshot()
    landscape_app.screenshot(path=str(screenshot_dir / "landscape_app.png"))

    # move the "step" slider with the keyboard: the paths shrink to the first steps
    step_label = page.get_by_text("step", exact=True)  # not "steps"
    step_slider = landscape_app.locator(".widget-slider", has=step_label).locator(".noUi-handle").first
    step_slider.focus()
    for _ in range(3):
        step_slider.press("Home")
    page.wait_for_timeout(1500)
    after = canvas.screenshot()
    assert changed_fraction(before, after) > 0.001, "moving the step slider did not redraw the canvas"
    (screenshot_dir / "landscape_step0.png").write_bytes(after)

    # the animation: press play, count the frames the canvas shows for a few seconds
    frames_before = page.evaluate("window.__mplFrames")
    landscape_app.locator(".widget-play button").first.click()
    seconds = 4.0
    page.wait_for_timeout(seconds * 1000)
    frames = page.evaluate("window.__mplFrames") - frames_before
    fps = frames / seconds
    print(f"\nlandscape animation in Chromium: {fps:.1f} frames per second ({frames} frames in {seconds:.0f} s)")
    assert frames >= 5, f"the Play widget animated only {frames} frames in {seconds} s"
    step_readout = landscape_app.locator(".widget-slider", has=step_label).locator(".widget-readout").first
    for _ in range(60):  # let the 100-step animation finish (it ends on the last step)
        if step_readout.inner_text().strip() == "100":
            break
        page.wait_for_timeout(500)
    README_IMAGES.mkdir(parents=True, exist_ok=True)
    landscape_app.screenshot(path=str(README_IMAGES / "landscape.png"))

    # the training monitor: its "step" button trains one more chunk and the canvas redraws
    monitor_app = page.locator(".jp-OutputArea-output", has_text="Training monitor").first
    monitor_canvas = monitor_app.locator(CANVAS).first
    monitor_canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    before = monitor_canvas.screenshot()
    monitor_app.get_by_role("button", name="step").click()
    page.wait_for_timeout(3000)
    after = monitor_canvas.screenshot()
    # 20 more epochs of a converged XOR net: the loss curve and its title move (a few hundred pixels)
    assert changed_fraction(before, after) > 0.0003, "the monitor's step button did not redraw its canvas"
    monitor_app.screenshot(path=str(README_IMAGES / "monitor.png"))
    page.screenshot(path=str(screenshot_dir / "widgets_notebook.png"), full_page=True)
    assert not error_outputs(page), error_outputs(page)
    print(f"browser widget test took {time.monotonic() - started:.0f} s")
