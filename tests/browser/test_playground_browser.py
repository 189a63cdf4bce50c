"""The network playground in a real browser: JupyterLab + ipywidgets + the live canvas, driven by Playwright in Chromium.

Runs tests/browser/notebooks/playground_demo.ipynb (a scratch copy) and checks what a learner sees:
the app renders; pressing play trains it (the connection widths and the neurons' pictures change,
and so do the canvas's pixels); "+" adds a column of neurons; the dlcourse program that "show the
code" prints, copied from the page and run in the kernel, ends with the app's own losses. Kernel
state is read through JupyterLab's kernel connection (the notebook model), not from the DOM.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import REPO, free_port, serve_lab
from tests.browser.test_widgets_browser import accept_kernel_dialog, changed_fraction, error_outputs

pytestmark = pytest.mark.browser

DEMO = Path(__file__).parent / "notebooks" / "playground_demo.ipynb"
TIMEOUT_MS = 120_000
CANVAS = "canvas.dlcourse-live-canvas"
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
# Runs code in the notebook's kernel (through JupyterLab's own connection) and returns what it printed.
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
KERNEL_IDLE = ("() => { const p = window.jupyterapp.shell.currentWidget; return p && p.sessionContext.session && "
               "p.sessionContext.session.kernel && p.sessionContext.session.kernel.status === 'idle'; }")  # fmt: skip


@pytest.fixture(scope="module")
def playground_lab(tmp_path_factory):
    """JupyterLab serving a scratch copy of the playground notebook (the repo importable by the kernel)."""
    root = tmp_path_factory.mktemp("playground")
    shutil.copy(DEMO, root / DEMO.name)
    state = tmp_path_factory.mktemp("jupyter-playground")
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}", f"--LabApp.user_settings_dir={state / 'settings'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    # quiet, every cell rendered (no virtual scrolling), the kernel started without a dialog
    for plugin, values in (("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False}),
                           ("notebook-extension/tracker", {"autoStartDefaultKernel": True, "windowingMode": "none"})):  # fmt: skip
        path = state / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(state / "runtime"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)
    # the course's server settings, as `make lab` and Binder use them (jupyter_config/)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(REPO / "jupyter_config"), env.get("JUPYTER_CONFIG_PATH")])
    )
    yield from serve_lab(command, cwd=root, env=env, root=root, state=state, port=port, token=token)


def kernel(page, code: str) -> str:
    return page.evaluate(RUN_IN_KERNEL, code).strip()


def run_the_demo(page, lab):
    """Open the demo notebook, run all its cells, wait for the kernel: (the app's output, its canvas)."""
    page.goto(lab.notebook_url(DEMO.name))
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=TIMEOUT_MS)
    accept_kernel_dialog(page)
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    app = page.locator(".jp-OutputArea-output", has_text="Network playground").first
    app.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    canvas = app.locator(CANVAS).first
    canvas.scroll_into_view_if_needed()
    return app, canvas


def hover_neuron(page, canvas, column: int, index: int) -> str:
    """Move the mouse over a neuron of the diagram (its place asked from the kernel, in CSS pixels of the
    canvas: matplotlib's display pixels over the device pixel ratio, y from the top); what it hovers."""
    where = kernel(page, f"x, y = pg.view.ax_net.transData.transform(pg.view.diagram.centers[{column}][{index}]); "
                         "r = pg.figure.canvas.device_pixel_ratio; print(x / r, (pg.figure.bbox.height - y) / r)")  # fmt: skip
    x, y = map(float, where.split())
    canvas.hover(position={"x": x, "y": y})
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)
    return kernel(page, "print(pg.hovered)")


def test_playground_renders_trains_grows_and_prints_code_that_reproduces_its_loss(playground_lab, page):
    started = time.monotonic()
    page.add_init_script(COUNT_FRAMES)
    app, canvas = run_the_demo(page, playground_lab)
    page.wait_for_function("window.__mplFrames > 0", timeout=TIMEOUT_MS)  # it renders
    assert kernel(page, "print(pg.live, pg.run.steps)") == "True 0"
    page.wait_for_timeout(1000)
    before = canvas.screenshot()

    # play for two seconds, pause: it trained, and the picture changed with it
    frames = page.evaluate("window.__mplFrames")
    app.locator(".widget-toggle-button", has_text="play").first.click()
    page.wait_for_timeout(2500)
    app.locator(".widget-toggle-button", has_text="pause").first.click()
    page.wait_for_timeout(1000)
    painted = page.evaluate("window.__mplFrames") - frames
    report = kernel(page, "import numpy as np\n"
                          "print(pg.run.steps, not np.allclose(start['widths'], pg.view.diagram.lines.get_linewidths()), "
                          "sum(not np.allclose(a, b) for a, b in zip(start['tiles'][1:], pg.view.diagram.pictures[1:])))")  # fmt: skip
    steps, widths_changed, columns_changed = report.split()
    assert int(steps) > 0 and widths_changed == "True" and int(columns_changed) == 3, report
    assert painted >= 5, f"only {painted} frames painted while training"
    assert changed_fraction(before, canvas.screenshot()) > 0.02, "training did not change the picture"

    # "+" adds a hidden layer: a new column of neurons
    before = canvas.screenshot()
    app.get_by_role("button", name="+", exact=True).click()
    page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)
    assert kernel(page, "print(pg.view.diagram.sizes)") == "[2, 4, 2, 2, 1]"
    assert changed_fraction(before, canvas.screenshot()) > 0.01, "the new layer did not appear"

    # train a few epochs, then "show the code": the printed dlcourse program reproduces the losses
    for _ in range(3):
        app.get_by_role("button", name="step").click()
        page.wait_for_function(KERNEL_IDLE, timeout=TIMEOUT_MS)
    app.get_by_role("button", name="show the code").click()
    printed = app.locator(".jp-OutputArea-output", has_text="the network playground's run").first
    printed.wait_for(timeout=TIMEOUT_MS)
    program = printed.inner_text().split("# ---- the same in PyTorch")[0]
    assert "nn.Linear(2, 2)" in program and "for step in range(30)" in program
    expected = kernel(page, "print(f'train loss {pg.train_loss:.4f}   test loss {pg.test_loss:.4f}')")
    ran = kernel(page, program)
    assert ran == expected, f"the printed program printed {ran!r}, the app shows {expected!r}"

    # the mouse over a hidden neuron (the browser sends it to matplotlib): its value and gradient show
    assert hover_neuron(page, canvas, column=1, index=0) == "('neuron', 1, 0)"
    assert "layer 1, neuron 1" in app.inner_text() and "bias b =" in app.inner_text(), "the neuron is not described"
    assert not error_outputs(page), error_outputs(page)
    print(f"\nplayground browser test: {painted} frames in 2.5 s of play; {time.monotonic() - started:.0f} s in all")


def test_on_a_high_density_screen_the_canvas_is_sharp_and_the_mouse_still_finds_the_neuron(playground_lab, browser):
    """At a device pixel ratio of 2 the kernel renders twice the pixels, and a hover maps back to data."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        app, canvas = run_the_demo(page, playground_lab)
        page.wait_for_function(f"document.querySelector('{CANVAS}').width > 0", timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)
        backing, css = canvas.evaluate("c => [c.width, c.getBoundingClientRect().width]")
        assert kernel(page, "print(pg.figure.canvas.device_pixel_ratio)") == "2.0"
        assert backing == 2 * round(css), f"canvas {backing} device pixels for {css} CSS pixels"
        assert hover_neuron(page, canvas, column=2, index=1) == "('neuron', 2, 1)"
        assert not error_outputs(page), error_outputs(page)
    finally:
        context.close()
