"""The live canvas: frames are rendered only when the browser asks, and sent as fast, exact PNG differences."""

from __future__ import annotations

import importlib.util
import io
import json

import numpy as np
import pytest
from PIL import Image

import dlcourse.viz.canvas as canvas_module
from dlcourse.viz.canvas import png_bytes
from dlcourse.viz.style import new_figure

# not pytest.importorskip("ipympl"): `import ipympl` would switch pyplot's backend (see canvas.import_ipympl)
pytestmark = pytest.mark.skipif(importlib.util.find_spec("ipympl") is None, reason="ipympl is not installed")


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_png_bytes_round_trip_exactly():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 13, 4), dtype=np.uint8)
    np.testing.assert_array_equal(decode(png_bytes(rgba)), rgba)


class Browser:
    """Records what the kernel sends to the canvas's view: JSON events and binary pictures."""

    def __init__(self, canvas):
        self.events, self.pictures = [], []
        canvas.send = self.receive

    def receive(self, content, buffers=None):
        message = json.loads(content["data"])
        if message["type"] == "binary":
            self.pictures.append(bytes(buffers[0]))
        else:
            self.events.append(message["type"])


@pytest.fixture
def live():
    fig, ax = new_figure(live=True, figsize=(2, 1.5))
    (line,) = ax.plot([0, 1], [0, 1])
    return fig, line, Browser(fig.canvas)


def test_nothing_is_rendered_without_a_browser_view(live):
    fig, line, browser = live
    for _ in range(50):  # an app driven headless (nbval, nbconvert): no view, no work
        fig.canvas.request("frame")
    assert fig.canvas.frames_rendered == 0 and browser.pictures == []


@pytest.fixture
def viewed(live, monkeypatch):
    """The live canvas with a browser view (its "refresh"), no rate limit, and no event loop for timers."""
    monkeypatch.setattr(canvas_module, "MIN_INTERVAL", 0.0)
    fig, line, browser = live
    fig.canvas.handle_event({"type": "refresh"})
    return fig, line, browser


def test_a_new_view_gets_a_whole_picture_and_changes_follow_as_differences(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    assert len(browser.pictures) == 1 and (decode(browser.pictures[0])[..., 3] == 255).all()
    line.set_ydata([1, 0])
    canvas.request("full")
    diff = decode(browser.pictures[1])
    assert 0 < (diff[..., 3] > 0).mean() < 0.5  # only the pixels of the moved line, the rest transparent
    assert canvas.patched  # a difference frame went out: a whole one will follow


def test_a_difference_pasted_at_the_top_left_corner_gives_the_new_picture(viewed):
    """A difference frame stops at the last changed row and column (ipympl pastes it at (0, 0))."""
    fig, line, browser = viewed
    canvas = fig.canvas
    before = decode(browser.pictures[0])
    line.set_ydata([0.2, 0.3])  # the line moves in the lower part of the axes only
    canvas.request("full")
    diff = decode(browser.pictures[1])
    assert diff.shape[0] < before.shape[0] or diff.shape[1] < before.shape[1]  # cropped
    pasted = before.copy()
    h, w = diff.shape[:2]
    shown = diff[..., 3] > 0
    pasted[:h, :w][shown] = diff[shown]  # what the browser's drawImage(picture, 0, 0) does
    np.testing.assert_array_equal(pasted, np.asarray(canvas.get_renderer().buffer_rgba()))


def test_frames_are_rate_limited_and_merge(viewed, monkeypatch):
    fig, line, browser = viewed
    canvas = fig.canvas
    monkeypatch.setattr(canvas_module, "MIN_INTERVAL", 3600.0)
    sent = len(browser.pictures)
    for _ in range(20):
        canvas.request("frame")
    assert len(browser.pictures) == sent and canvas.pending == "frame"  # held back, merged into one
    monkeypatch.setattr(canvas_module, "MIN_INTERVAL", 0.0)
    canvas.request("frame")
    assert len(browser.pictures) == sent + 1 and canvas.pending is None


def test_unconfirmed_frames_are_bounded_and_the_answer_releases_them(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    for _ in range(3 * canvas_module.WINDOW):
        canvas.request("frame")
    assert canvas.pushed - canvas.acked == canvas_module.WINDOW  # the rest waits for the browser
    assert canvas.pending == "frame" and browser.events.count("draw") >= 1  # it was asked
    canvas.handle_event({"type": "draw"})  # its answer: the frames sent before the question arrived...
    assert canvas.pending is None and canvas.acked == 1  # ...(it was asked after the first), so one more goes
    assert canvas.pushed == canvas_module.WINDOW + 1 and canvas.probe is not None  # and it is asked again
    canvas.handle_event({"type": "draw"})
    assert canvas.acked == canvas.pushed


def test_frames_use_the_apps_blit_and_a_stopped_animation_ends_on_a_whole_frame(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    painted = []
    canvas.paint_frame = lambda: painted.append(1) or True
    line.set_ydata([1, 0])
    canvas.request("frame")
    assert painted == [1] and canvas.patched
    canvas.last_push -= 1.0  # as if SETTLE seconds passed without a new frame
    canvas._on_timer()
    assert (decode(browser.pictures[-1])[..., 3] == 255).all() and not canvas.patched


def test_a_closed_view_stops_the_frames(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    canvas._handle_message(canvas, {"type": "closing"}, [])
    sent = len(browser.pictures)
    canvas.request("full")
    assert len(browser.pictures) == sent and not canvas.view


def test_an_error_while_rendering_is_reported_and_the_browser_still_gets_a_picture(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    errors = []
    canvas.report_error = errors.append
    canvas.prepare = lambda: 1 / 0
    sent = len(browser.pictures)
    canvas.request("frame")
    assert isinstance(errors[0], ZeroDivisionError) and len(browser.pictures) == sent + 1
