"""The live canvas: frames are rendered only when the browser asks, and sent as fast, exact PNG differences."""

from __future__ import annotations

import importlib.util
import io
import json

import numpy as np
import pytest
from PIL import Image

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


def test_a_frame_is_rendered_ahead_and_sent_when_the_browser_asks(live):
    fig, line, browser = live
    canvas = fig.canvas
    canvas.request("full")  # rendered at once (while the browser is busy), then a nudge
    canvas.request("frame")
    canvas.request("full")
    assert canvas.frames_rendered == 1 and browser.events.count("draw") == 1 and browser.pictures == []
    canvas.handle_event({"type": "draw"})  # the browser is free and asks: the ready frame goes out...
    assert len(browser.pictures) == 1 and canvas.frames_sent == 1
    assert canvas.frames_rendered == 2 and canvas.ready is not None  # ...and the later changes are rendered next
    picture = decode(browser.pictures[0])
    assert picture.shape == (150, 200, 4) and (picture[..., 3] == 255).all()  # a whole first picture
    canvas.handle_event({"type": "draw"})
    assert len(browser.pictures) == 2 and canvas.ready is None and canvas.pending is None


def test_a_browser_that_asks_early_gets_the_next_change_at_once(live):
    fig, line, browser = live
    canvas = fig.canvas
    canvas.request("full")
    canvas.handle_event({"type": "draw"})
    canvas.handle_event({"type": "draw"})  # asks again with nothing new: it waits, nothing is sent
    assert len(browser.pictures) == 1 and canvas.browser_waiting
    line.set_ydata([1, 0])
    canvas.request("full")  # rendered and sent immediately, without a nudge
    assert len(browser.pictures) == 2 and browser.events.count("draw") == 1
    diff = decode(browser.pictures[1])
    changed = diff[..., 3] > 0
    assert 0 < changed.mean() < 0.5  # only the pixels of the moved line, the rest transparent


def test_frames_use_the_apps_blit_and_without_a_browser_one_frame_at_most_is_rendered(live):
    fig, line, browser = live
    canvas = fig.canvas
    painted = []
    canvas.paint_frame = lambda: painted.append(1) or True
    canvas.request("full")
    for _ in range(50):  # an animation with no browser attached (nbval, nbconvert): no work at all
        canvas.request("frame")
    assert canvas.frames_rendered == 1 and canvas.frames_sent == 0 and painted == []
    canvas.handle_event({"type": "draw"})
    canvas.handle_event({"type": "draw"})
    assert painted == [1] and canvas.frames_sent == 2  # the 50 requests became one blitted frame


def test_a_lost_nudge_is_repeated_and_a_new_view_gets_a_whole_picture(live, monkeypatch):
    import dlcourse.viz.canvas as canvas_module

    fig, line, browser = live
    canvas = fig.canvas
    canvas.request("full")
    canvas.request("full")
    assert browser.events.count("draw") == 1
    monkeypatch.setattr(canvas_module, "NUDGE_AGAIN", 0.0)  # no answer in time: the frame goes out unasked
    canvas.request("full")
    assert browser.events.count("draw") == 2 and len(browser.pictures) == 1
    rendered = canvas.frames_rendered
    canvas.handle_event({"type": "refresh"})  # a view (re)appears: the rendered frame is void, a new one made
    assert canvas.frames_rendered == rendered + 1
    canvas.handle_event({"type": "draw"})
    assert (decode(browser.pictures[-1])[..., 3] == 255).all()  # whole, not a difference


def test_an_error_while_rendering_is_reported_and_the_browser_still_gets_a_picture(live):
    fig, line, browser = live
    canvas = fig.canvas
    errors = []
    canvas.report_error = errors.append
    canvas.prepare = lambda: 1 / 0
    canvas.request("frame")
    canvas.handle_event({"type": "draw"})
    assert isinstance(errors[0], ZeroDivisionError) and len(browser.pictures) == 1
