"""The live canvas: frames are rendered only for a browser view, sent as exact PNG differences at their
place, at a bounded rate with a bounded number unconfirmed; mouse events reach matplotlib's handlers."""

from __future__ import annotations

import importlib.util
import io

import numpy as np
import pytest
from PIL import Image

import dlcourse.viz.canvas as canvas_module
from dlcourse.viz.canvas import changed_box, png_bytes
from dlcourse.viz.style import new_figure

pytestmark = pytest.mark.skipif(importlib.util.find_spec("anywidget") is None, reason="anywidget is not installed")


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_png_bytes_round_trip_exactly():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 13, 4), dtype=np.uint8)
    np.testing.assert_array_equal(decode(png_bytes(rgba)), rgba)


def test_changed_box_is_the_smallest_box_around_the_changes():
    old = np.full((6, 8), 0xFF000000, dtype=np.uint32)
    new = old.copy()
    assert changed_box(old, new) is None
    new[2, 3] = new[4, 5] = 0xFF0000FF
    top, left, part = changed_box(old, new)
    assert (top, left, part.shape) == (2, 3, (3, 3))
    assert part[0, 0] == part[2, 2] == 0xFF0000FF and (part[1] == 0).all()  # unchanged pixels transparent


class Browser:
    """Plays the browser half (live_canvas.js): keeps a picture, pastes every frame at its place."""

    def __init__(self, canvas):
        self.canvas, self.frames, self.picture = canvas, [], None
        canvas.send = self.receive

    def receive(self, content, buffers=None):
        assert content["type"] == "frame"
        self.frames.append(content)
        part = decode(bytes(buffers[0]))
        if content["whole"]:
            self.picture = part.copy()
            return
        y, x = content["y"], content["x"]
        h, w = part.shape[:2]
        region = self.picture[y : y + h, x : x + w]
        shown = part[..., 3] > 0
        region[shown] = part[shown]  # drawImage: transparent pixels leave the old ones

    def say(self, **message):
        self.canvas._on_message(self.canvas, message, [])

    def answer(self):
        """Confirm the newest frame that asked (what the view does once it has drawn it)."""
        asked = [f["frame"] for f in self.frames if f["ask"]]
        self.say(type="shown", frame=asked[-1])


@pytest.fixture
def live():
    fig, ax = new_figure(live=True, figsize=(2, 1.5))
    (line,) = ax.plot([0, 1], [0, 1])
    # as in a script: no event loop, so frames are drawn and sent at once, in this thread (the canvas
    # would find the loop that a session-wide Playwright fixture leaves running in the main thread)
    fig.canvas.loop = None
    return fig, line, Browser(fig.canvas)


def kernel_picture(canvas) -> np.ndarray:
    return np.asarray(canvas.get_renderer().buffer_rgba())


def test_nothing_is_rendered_without_a_browser_view(live):
    fig, line, browser = live
    for _ in range(50):  # an app driven headless (nbval, nbconvert): no view, no work
        fig.canvas.request("frame")
    assert fig.canvas.frames_rendered == 0 and browser.frames == []


@pytest.fixture
def viewed(live, monkeypatch):
    """The live canvas with a browser view, no rate limit, and no event loop for timers."""
    monkeypatch.setattr(canvas_module, "MIN_INTERVAL", 0.0)
    fig, line, browser = live
    browser.say(type="view", device_pixel_ratio=1)
    return fig, line, browser


def test_a_new_view_gets_a_whole_picture_and_changes_follow_as_boxes_that_rebuild_it(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    assert len(browser.frames) == 1 and browser.frames[0]["whole"]
    np.testing.assert_array_equal(browser.picture, kernel_picture(canvas))
    line.set_ydata([0.2, 0.3])  # the line moves: a few pixels change
    canvas.request("full")
    frame = browser.frames[-1]
    assert not frame["whole"] and (frame["x"], frame["y"]) != (0, 0)  # a box placed where the change is
    np.testing.assert_array_equal(browser.picture, kernel_picture(canvas))  # exactly the kernel's picture
    before = len(browser.frames)
    canvas.request("full")  # nothing changed: no frame at all
    assert len(browser.frames) == before


def test_a_second_view_gets_the_current_picture_whole_without_a_redraw(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    rendered = canvas.frames_rendered
    late = Browser(canvas)
    late.say(type="view", device_pixel_ratio=1)
    assert late.frames[0]["whole"] and canvas.frames_rendered == rendered and canvas.views == 2
    np.testing.assert_array_equal(late.picture, kernel_picture(canvas))


def test_frames_are_rate_limited_and_merge(viewed, monkeypatch):
    fig, line, browser = viewed
    canvas = fig.canvas
    monkeypatch.setattr(canvas_module, "MIN_INTERVAL", 3600.0)
    sent = len(browser.frames)
    for step in range(20):
        line.set_ydata([0, step / 20])
        canvas.request("frame")
    assert len(browser.frames) == sent and canvas.pending == "frame"  # held back, merged into one
    monkeypatch.setattr(canvas_module, "MIN_INTERVAL", 0.0)
    canvas.request("frame")
    assert len(browser.frames) == sent + 1 and canvas.pending is None
    np.testing.assert_array_equal(browser.picture, kernel_picture(canvas))


def test_unconfirmed_frames_are_bounded_and_an_answer_releases_them(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    for step in range(3 * canvas_module.WINDOW):
        line.set_ydata([step / 50, 1 - step / 50])
        canvas.request("frame")
    assert canvas.pushed - canvas.acked == canvas_module.WINDOW  # the rest waits for the browser
    assert canvas.pending == "frame" and any(f["ask"] for f in browser.frames)  # and it was asked
    sent = len(browser.frames)
    browser.answer()  # confirms the frame that asked, and every frame before it
    assert len(browser.frames) > sent and canvas.pending is None  # the waiting change went out
    assert canvas.pushed - canvas.acked <= canvas_module.WINDOW
    np.testing.assert_array_equal(browser.picture, kernel_picture(canvas))


def test_a_new_view_voids_the_frames_in_flight(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    for step in range(3 * canvas_module.WINDOW):  # the old view stopped answering (e.g. a closed tab)
        line.set_ydata([step / 50, 1 - step / 50])
        canvas.request("frame")
    assert canvas.pending == "frame"
    browser.say(type="view", device_pixel_ratio=1)  # the page was reloaded
    assert browser.frames[-1]["whole"] and canvas.pending is None


def test_frames_use_the_apps_blit(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    painted = []
    canvas.paint_frame = lambda: painted.append(1) or True
    canvas.request("frame")
    assert painted == [1]
    canvas.paint_frame = lambda: False  # no background yet: the whole figure is drawn instead
    line.set_ydata([1, 0])
    canvas.request("frame")
    np.testing.assert_array_equal(browser.picture, kernel_picture(canvas))


def test_a_closed_view_stops_the_frames(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    browser.say(type="closing")
    sent = len(browser.frames)
    canvas.request("full")
    assert len(browser.frames) == sent and not canvas.view


def test_a_higher_pixel_ratio_renders_more_pixels(live, monkeypatch):
    monkeypatch.setattr(canvas_module, "MIN_INTERVAL", 0.0)
    fig, line, browser = live
    width = int(fig.bbox.width)
    browser.say(type="view", device_pixel_ratio=2)
    assert browser.picture.shape[1] == 2 * width  # a sharp picture on a high-density screen


def test_an_error_while_rendering_is_reported_and_the_canvas_keeps_working(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    errors = []
    canvas.report_error = errors.append
    canvas.prepare = lambda: 1 / 0
    line.set_ydata([1, 0])
    canvas.request("frame")  # must not raise into the widget's message handler or the timer
    assert isinstance(errors[0], ZeroDivisionError) and canvas.pending is None
    canvas.prepare = None
    sent = len(browser.frames)
    canvas.request("full")
    assert len(browser.frames) == sent + 1
    np.testing.assert_array_equal(browser.picture, kernel_picture(canvas))


def test_mouse_events_reach_matplotlib_handlers_in_data_coordinates(viewed):
    fig, line, browser = viewed
    canvas = fig.canvas
    assert canvas._listening == []  # the browser sends no mouse events nobody handles
    seen = []
    canvas.mpl_connect("motion_notify_event", lambda e: seen.append(("move", e.xdata, e.ydata, e.button)))
    canvas.mpl_connect("button_press_event", lambda e: seen.append(("press", e.xdata, e.ydata, e.button)))
    assert sorted(canvas._listening) == ["button_press", "motion_notify"]
    ax = line.axes
    x, y = ax.transData.transform((0.25, 0.75))  # display pixels, y upwards
    top = fig.bbox.height - y  # the browser counts y from the top
    browser.say(type="motion_notify", x=x, y=top, button=0, buttons=1, modifiers=[])
    browser.say(type="button_press", x=x, y=top, button=2, buttons=2, modifiers=["shift"])
    (move, press) = seen
    assert move[0] == "move" and move[1:3] == pytest.approx((0.25, 0.75), abs=1e-6)
    assert press[0] == "press" and press[3] == 3  # JavaScript's button 2 is matplotlib's RIGHT (3)
