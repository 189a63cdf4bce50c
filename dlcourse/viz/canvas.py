"""The live canvas of an app: a matplotlib canvas that is also a widget, pushing frames to the browser.

    figure = Figure(figsize=(6, 4))
    canvas = live_canvas(figure)          # an ipywidget showing the figure; the app puts it in its layout
    canvas.request("frame")               # "frame": only the animated artists changed; "full": everything

Apps make this canvas themselves (see style.new_figure), whatever `%matplotlib` says, so that
ordinary plots stay inline images and only the apps are live.

The kernel half is here; the browser half is live_canvas.js (an anywidget module: plain JavaScript
that the anywidget extension loads, no build step). Why not ipympl's canvas? Its browser half
re-encodes the whole canvas as a PNG data URL after every frame (`toDataURL`, to save the picture with
the notebook) and draws each frame twice; with it every app stayed at 13-19 frames per second on the
course's 2-core machine, 22-29 with this one (benchmarks/browser_fps.py, README "Performance"). And it
keeps only the newest picture it has not shown, which forces whole frames to heal the gaps.

How a frame travels:

1. The app changes its artists and calls `request("frame")` (it blits: see App.set_animated) or
   `request("full")`. Requests merge: a frame starts at most every MIN_INTERVAL (counted from the start
   of the previous one's drawing). Asked from a widget message's handler, the drawing is left to the
   kernel's event loop, so that the kernel answers the message at once and the browser can send the
   next slider value while this frame is drawn.
2. The kernel draws, compares the picture with the one it sent before, and sends only the box of
   pixels that changed, unchanged ones transparent, as a PNG written for speed (rows unfiltered,
   fastest zlib level: several times faster than Pillow's default, and for the flat colours and
   transparent areas of a difference about as small). In a kernel one worker thread encodes and
   sends (zlib releases the GIL): the next frame's training and drawing overlap the encoding.
3. The browser draws every frame, in order, at its place (so no frame may be skipped, and none is).
   A new view asks for a whole frame. Without a view (nbval, nbconvert) nothing is rendered at all.
4. Flow control: at most WINDOW frames may be unconfirmed. Now and then (every ASK_EVERY, or when
   half the window is unconfirmed) a frame asks the browser to answer once it has drawn it; the
   answer confirms every frame before it. Answers are sparse on purpose: each message to the kernel
   costs the page work of its own.

(The transport matters as much: jupyter_config/ keeps JupyterLab from re-rendering the kernel's
busy/idle status for widget messages, and turns Nagle's algorithm off on the kernel websocket.)
"""

from __future__ import annotations

import asyncio
import struct
import threading
import time
import zlib
from pathlib import Path

import numpy as np

# at most one frame per MIN_INTERVAL; at most WINDOW frames the browser has not confirmed; a frame
# asks for a confirmation every ASK_EVERY, and when half the window is unconfirmed (if none is awaited)
MIN_INTERVAL = 1 / 30
WINDOW = 6
ASK_EVERY = 0.2
# mouse events the browser can send, as matplotlib names them (without "_event")
MOUSE_EVENTS = ("button_press", "button_release", "motion_notify")


def png_bytes(rgba: np.ndarray, level: int = 1) -> bytes:
    """A PNG file of an (h, w, 4) uint8 RGBA picture: rows unfiltered, zlib at `level` (1 = fastest)."""
    height, width, _ = rgba.shape
    rows = np.empty((height, width * 4 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "none" for every row
    rows[:, 1:] = rgba.reshape(height, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, deflate, no filter, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
        + (chunk(b"IEND", b""))
    )


def changed_box(old: np.ndarray, new: np.ndarray):
    """(top, left, picture): the smallest box of `new` holding every pixel that differs from `old`,
    unchanged pixels transparent (0); None when nothing changed. Both are (h, w) uint32 RGBA pixels."""
    changed = new != old
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    if len(rows) == 0:
        return None
    box = np.s_[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return int(rows[0]), int(cols[0]), np.where(changed[box], new[box], np.uint32(0))


def _canvas_class():
    """The canvas class, made on first use: anywidget needs ipywidgets (and a kernel to be useful)."""
    global _Canvas
    if _Canvas is not None:
        return _Canvas
    import anywidget
    import traitlets
    from matplotlib.backend_bases import MouseButton, MouseEvent
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_webagg_core import TimerAsyncio

    class LiveCanvas(anywidget.AnyWidget, FigureCanvasAgg):
        """A matplotlib Agg canvas that is an ipywidget: frames pushed as PNG differences (module docstring)."""

        _esm = Path(__file__).with_name("live_canvas.js")
        _size = traitlets.List([1, 1]).tag(sync=True)  # (width, height) in CSS pixels, for the first layout
        _listening = traitlets.List([]).tag(sync=True)  # mouse events the figure has handlers for
        _timer_cls = TimerAsyncio  # canvas.new_timer(): timers on the kernel's event loop

        def __init__(self, figure):
            anywidget.AnyWidget.__init__(self)
            FigureCanvasAgg.__init__(self, figure)
            self._size = [int(figure.bbox.width), int(figure.bbox.height)]
            self.pending = None  # None, "frame" or "full": what has changed since the last frame
            self.views = 0  # browser views showing this canvas (frames without one are not rendered)
            self.shown = None  # the last picture sent, as (h, w) uint32 pixels (None: the next goes whole)
            self.pushed = self.acked = 0  # frames sent; of those, how many the browser has surely drawn
            self.asked = 0  # the frame whose answer we await (0: none)
            self.last_frame = self.last_ask = 0.0  # perf_counter times: the last frame's start, the last question
            self.timer_due = None  # when a scheduled _pump will run
            self.paint_frame = None  # the app's blitting function: restore the background, draw animated artists
            self.prepare = None  # the app's last-moment update; True when it needs a full draw
            self.report_error = None  # the app's error display (a message handler's exception is otherwise lost)
            # JupyterLab ≥ 4.4 sends widget messages to a kernel *subshell*: they are handled in another
            # thread than timers and cells. The app shares its lock here so that the two never draw (or
            # train) at the same time.
            self.lock = threading.RLock()
            try:  # timers run on the kernel's event loop (the thread that made the canvas)
                self.loop = asyncio.get_running_loop()
            except RuntimeError:
                self.loop = None  # no event loop (a script): throttled frames go out with the next request
            self.loop_thread = threading.get_ident()
            self.frames_rendered = 0
            self.on_msg(self._on_message)

        @property
        def view(self) -> bool:
            """True while a browser shows this canvas."""
            return self.views > 0

        def mpl_connect(self, s, func):
            name = s.removesuffix("_event")
            if name in MOUSE_EVENTS and name not in self._listening:
                self._listening = [*self._listening, name]  # the browser now sends these
            return super().mpl_connect(s, func)

        # -------------------------------------------------------------- the protocol
        def request(self, kind: str = "full") -> None:
            """Ask for a new picture: "frame" (animated artists only) or "full" (everything)."""
            with self.lock:
                self.pending = "full" if "full" in (kind, self.pending) else "frame"
                if self.loop is not None and threading.get_ident() != self.loop_thread:
                    # a widget message's handler (a kernel subshell's thread): draw on the event loop, so
                    # that the handler returns and the kernel reports "idle" at once; the browser sends
                    # the next slider value meanwhile instead of waiting for the picture
                    self._later(0.0)
                else:
                    self._pump()

        def draw_idle(self, *args, **kwargs):
            self.request("full")

        def _pump(self) -> None:
            """Render and send the pending change now, or schedule it: rate and frames in flight are bounded."""
            if self.pending is None or not self.view or self.pushed - self.acked >= WINDOW:
                return  # nothing to do, nobody to show it to, or wait for the browser's answer (it pumps)
            now = time.perf_counter()
            wait = MIN_INTERVAL - (now - self.last_frame)
            if wait > 0:
                self._later(wait)
                return
            self.last_frame = now  # from the start of its drawing: a frame every MIN_INTERVAL, not after it
            self.render()
            self._push()

        def _later(self, delay: float) -> None:
            """Run _pump after `delay` seconds, on the kernel's event loop."""
            if self.loop is None:
                return
            due = time.perf_counter() + delay
            if self.timer_due is not None and self.timer_due <= due:
                return
            self.timer_due = due
            self.loop.call_soon_threadsafe(self.loop.call_later, delay, self._on_timer)

        def _on_timer(self) -> None:
            with self.lock:
                self.timer_due = None
                self._pump()

        def _on_message(self, widget, content, buffers) -> None:
            """A message from a browser view: a new view, a view gone, a frame shown, or a mouse event."""
            with self.lock:
                kind = content.get("type")
                if kind == "view":
                    self.views += 1
                    self.acked, self.asked = self.pushed, 0  # frames in flight went to the old views
                    self.shown = None  # the new view starts from a whole picture
                    if self._set_device_pixel_ratio(float(content.get("device_pixel_ratio", 1))):
                        self.pending = "full"  # a new resolution: everything is drawn again
                    self.pending = self.pending or ("resend" if self.frames_rendered else "full")
                    self._pump()
                elif kind == "closing":
                    self.views = max(0, self.views - 1)
                elif kind == "shown":
                    self.acked = max(self.acked, int(content["frame"]))
                    if self.asked <= self.acked:
                        self.asked = 0
                    self._pump()
                elif kind in MOUSE_EVENTS:
                    self._mouse(content)

        def _mouse(self, event) -> None:
            """Run the figure's handlers for a browser mouse event (x, y in device pixels from the top left)."""
            x, y = float(event["x"]), self.figure.bbox.height - float(event["y"])  # matplotlib counts y upwards
            modifiers = [str(key) for key in event.get("modifiers", [])]
            if event["type"] == "motion_notify":
                masks = {MouseButton.LEFT: 1, MouseButton.RIGHT: 2, MouseButton.MIDDLE: 4}
                buttons = {button for button, mask in masks.items() if int(event.get("buttons", 0)) & mask}
                MouseEvent("motion_notify_event", self, x, y, buttons=buttons, modifiers=modifiers)._process()
            else:  # JavaScript numbers buttons 0, 1, 2 (left, middle, right); matplotlib 1, 2, 3
                button = MouseButton(int(event.get("button", 0)) + 1)
                MouseEvent(event["type"] + "_event", self, x, y, button, modifiers=modifiers)._process()

        def render_and_send(self) -> None:
            """Render and send the figure now, whatever the pacing (progress pictures during a long loop)."""
            with self.lock:
                self.pending = self.pending or "full"
                self.render()
                self._push()

        def render(self) -> None:
            """Draw what is pending into the canvas's buffer: the app's blit for a "frame", else everything."""
            kind, self.pending = self.pending or "full", None
            if kind == "resend":  # a new view of an unchanged figure: send the picture again
                return
            try:
                if self.prepare is not None and self.prepare():
                    kind = "full"
                # a frame: the app pastes its saved background and draws its animated artists (False: it
                # has no background yet); otherwise the whole figure is drawn
                if not (kind == "frame" and self.paint_frame is not None and self.paint_frame()):
                    FigureCanvasAgg.draw(self)
            except Exception as error:  # noqa: BLE001 - the browser must get a picture all the same
                self._report(error)
            self.frames_rendered += 1

        def _push(self) -> None:
            """Send the buffer's picture: whole, or the box of pixels that changed since the last one."""
            pixels = np.asarray(self.get_renderer().buffer_rgba())
            picture = pixels.view(np.uint32)[..., 0]  # one 32-bit number per pixel (RGBA: alpha in the top byte)
            # a difference cannot show transparent pixels: a see-through figure always goes whole
            whole = (
                self.shown is None or picture.shape != self.shown.shape or bool((picture < np.uint32(0xFF000000)).any())
            )
            box = None if whole else changed_box(self.shown, picture)
            if not whole and box is None:
                return  # nothing changed: no frame
            self.shown = picture.copy()  # a copy: the next draw reuses the buffer
            top, left, part = (0, 0, self.shown) if whole else box
            now = time.perf_counter()
            self.pushed += 1
            ask = not self.asked and (now - self.last_ask >= ASK_EVERY or self.pushed - self.acked >= WINDOW // 2)
            if ask:
                self.asked, self.last_ask = self.pushed, now
            message = {"type": "frame", "frame": self.pushed, "x": left, "y": top, "whole": whole, "ask": ask}
            if self.loop is None:  # a script or a test: at once
                self._encode_and_send(message, part)
            else:  # in a kernel: zlib runs without the GIL, so the next frame's work overlaps the encoding
                _encoder().submit(self._encode_and_send, message, part)

        def _encode_and_send(self, message: dict, part: np.ndarray) -> None:
            """PNG-encode a frame's pixels ((h, w) uint32 RGBA) and send it (in order: one encoder thread)."""
            try:
                self.send(message, [png_bytes(np.ascontiguousarray(part).view(np.uint8).reshape(*part.shape, 4))])
            except Exception as error:  # noqa: BLE001 - a worker thread's exception would be lost
                self._report(error)

        def _report(self, error: Exception) -> None:
            """Show an error in the app (a callback's exception is otherwise lost); without an app, raise it."""
            if self.report_error is None:
                raise error
            self.report_error(error)

    _Canvas = LiveCanvas
    return _Canvas


_Canvas = None
_ENCODER = None


def _encoder():
    """The one thread that encodes and sends every live canvas's frames (in the order they were made)."""
    global _ENCODER
    if _ENCODER is None:
        from concurrent.futures import ThreadPoolExecutor

        _ENCODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dlcourse-frames")
    return _ENCODER


def live_canvas(figure):
    """Attach a live canvas to `figure` (not registered with pyplot: plt.show() and inline never see it)."""
    return _canvas_class()(figure)
