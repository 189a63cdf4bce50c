"""Fixtures for driving the course in a real browser: a JupyterLab server and headless Chromium.

    def test_something(lab_server, page):
        page.goto(lab_server.notebook_url("00_welcome.ipynb"))

`lab_server` starts JupyterLab the way `make lab` does (this environment's Python, root at notebooks/)
once per session; `browser` launches Debian's /usr/bin/chromium through Playwright (never a
downloaded browser); `page` is a fresh tab per test. Tests here skip, with the reason, when Chromium
or Playwright is missing. Every test in this folder is marked `browser`.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("DLCOURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 60.0


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.path)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@dataclass
class LabServer:
    """A running JupyterLab: `url` opens /lab with the token; `base` ends with a slash."""

    base: str
    token: str
    root_dir: Path
    log_path: Path

    @property
    def url(self) -> str:
        return f"{self.base}lab?token={self.token}"

    def notebook_url(self, name: str) -> str:
        """The URL that opens notebooks/<name> in JupyterLab."""
        return f"{self.base}lab/tree/{name}?token={self.token}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_lab_answers(process: subprocess.Popen, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with status {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"jupyter lab did not answer {url} within {timeout:.0f} s")


def serve_lab(command, *, cwd, env, root, state, port, token):
    """Start `jupyter lab` (command), wait until /lab answers, yield a LabServer, stop it afterwards."""
    log_path = state / "jupyter-lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LabServer(f"http://127.0.0.1:{port}/", token, root, log_path)
    try:
        wait_until_lab_answers(process, server.url, STARTUP_TIMEOUT)
    except (RuntimeError, TimeoutError) as error:
        process.kill()
        process.wait()
        pytest.fail(f"{error}\n--- jupyter lab log ---\n{server.log()}")
    yield server
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """JupyterLab serving notebooks/, as `make lab` starts it, for the whole session."""
    state = tmp_path_factory.mktemp("jupyter")
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={NOTEBOOKS}",
        # A clean slate: no saved layout or settings from the developer's own JupyterLab, no
        # update checks or news fetched from the network.
        f"--LabApp.workspaces_dir={state / 'workspaces'}", f"--LabApp.user_settings_dir={state / 'settings'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None",
    ]  # fmt: skip
    # Answer JupyterLab's "get notified about Jupyter news?" toast with no, so it never covers the page.
    notification_settings = state / "settings" / "@jupyterlab" / "apputils-extension"
    notification_settings.mkdir(parents=True)
    (notification_settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8"
    )
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(state / "runtime"))
    env.pop("MPLBACKEND", None)  # kernels get the learner's default (inline), not Agg
    # the course's server settings, as `make lab` and Binder use them (jupyter_config/)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(REPO / "jupyter_config"), env.get("JUPYTER_CONFIG_PATH")])
    )
    yield from serve_lab(command, cwd=REPO, env=env, root=NOTEBOOKS, state=state, port=port, token=token)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (sync API), shared by the session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab (its own context: no cookies or storage shared between tests)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    """artifacts/screenshots/ (gitignored), created on demand."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
