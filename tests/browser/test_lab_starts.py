"""JupyterLab, started the way `make lab` starts it, serves the course and renders in Chromium."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.browser

RENDER_TIMEOUT_MS = 60_000


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_lab_answers_with_the_token(lab_server):
    assert http_status(lab_server.url) == 200
    # The token is what protects a learner's server: without it the API refuses.
    assert http_status(f"{lab_server.base}api/contents") == 403
    assert http_status(f"{lab_server.base}api/contents?token={lab_server.token}") == 200


def test_lab_serves_the_notebooks_folder(lab_server):
    with urllib.request.urlopen(f"{lab_server.base}api/contents?token={lab_server.token}", timeout=30) as response:
        listing = response.read().decode()
    stored = sorted(path.name for path in lab_server.root_dir.glob("*.ipynb"))
    for name in stored:
        assert f'"name": "{name}"' in listing or f'"name":"{name}"' in listing, f"{name} not served"


def test_lab_renders_in_chromium(lab_server, page, screenshot_dir):
    page.goto(lab_server.url)
    # The main dock panel exists once the JupyterLab application has started; the launcher (or a
    # restored document) fills it once the extensions have loaded.
    page.wait_for_selector("#jp-main-dock-panel", state="visible", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector(".jp-Launcher, .jp-Notebook", state="visible", timeout=RENDER_TIMEOUT_MS)
    page.screenshot(path=str(screenshot_dir / "lab.png"))
    assert "JupyterLab" in page.title()
    assert page.locator("#jp-main-dock-panel").is_visible()
