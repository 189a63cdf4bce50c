"""The live canvas of an app: an ipympl canvas that sends frames as fast as the browser can show them.

    figure = Figure(figsize=(6, 4))
    canvas = live_canvas(figure)          # an ipywidget showing the figure; the app puts it in its layout
    canvas.request("frame")               # "frame": only the animated artists changed; "full": everything

Apps make this canvas themselves (see style.new_figure), whatever `%matplotlib` says, so that
ordinary plots stay inline images and only the apps are live.

Why not ipympl's canvas as it is? Two things limit an animation's frame rate there:

1. Pacing. ipympl sends a frame ("binary" message) whenever the kernel draws, and the browser keeps
   only the newest one it has not shown yet; frames are *differences* to the previous one, so a frame
   dropped that way leaves stale pixels, and a kernel that draws faster than the browser can show
   piles up messages. A browser that asks for every frame fixes both but doubles the messages, and
   every message to the kernel costs the page work of its own (JupyterLab re-renders its kernel
   status on each reply): measured in headless Chromium, ~110 ms of browser CPU per frame against
   ~35 ms when frames are only pushed (benchmarks/browser_fps.py prints these). So frames
   are pushed, at most one per MIN_INTERVAL (changes in between merge into the next frame), with
   sparse acknowledgements: every PROBE_EVERY the kernel asks "draw", and the browser's answer
   confirms every frame sent before; at most WINDOW unconfirmed frames are on their way. A whole
   frame follows a difference frame within HEAL_AFTER, and SETTLE after the last one, so a dropped
   difference never lasts. Without a browser view (nbval, nbconvert) nothing is rendered at all.
2. Encoding. Every frame is a PNG of the figure (a difference frame only down to the last changed row
   and column: ipympl pastes it at the top-left corner). Pillow's encoder tries five row filters per
   row at its default level (about 40 ms for a 1100×460 picture on a small machine); this one writes
   rows unfiltered with the fastest zlib level, which is several times faster and, for the flat
   colours and transparent (unchanged) areas of a difference picture, about as small.
"""

from __future__ import annotations

import asyncio
import importlib
import struct
import sys
import threading
import time
import zlib

import numpy as np

# Pacing (see the module docstring): at most one frame per MIN_INTERVAL, at most WINDOW frames sent
# that the browser has not confirmed, a question ("draw") at most every PROBE_EVERY, repeated when it
# is not answered within PROBE_LOST; a whole frame HEAL_AFTER a difference frame at the latest, and
# SETTLE after the last frame of an animation.
MIN_INTERVAL = 1 / 30
WINDOW = 4
PROBE_EVERY = 0.2
PROBE_LOST = 1.0
HEAL_AFTER = 1.0
SETTLE = 0.25


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


def import_ipympl():
    """ipympl's backend module, imported WITHOUT switching pyplot to it.

    `import ipympl` calls `matplotlib.use("module://ipympl.backend_nbagg")` when matplotlib is loaded,
    which makes every later plot a widget and closes the figures of the running cell (pyplot's
    switch_backend closes all figures). Apps must leave `%matplotlib inline` alone, so that call is
    made a no-op for the duration of the import.
    """
    import matplotlib

    if "ipympl.backend_nbagg" not in sys.modules:
        use = matplotlib.use
        matplotlib.use = lambda *args, **kwargs: None
        try:
            importlib.import_module("ipympl.backend_nbagg")
        finally:
            matplotlib.use = use
    return sys.modules["ipympl.backend_nbagg"]


def _canvas_class():
    """The canvas class, made on first use: importing ipympl needs IPython and ipywidgets."""
    global _Canvas
    if _Canvas is not None:
        return _Canvas
    Canvas = import_ipympl().Canvas

    class PacedCanvas(Canvas):
        """ipympl's canvas, pushing frames at a bounded rate with sparse acknowledgements (module docstring)."""

        def __init__(self, figure, *args, **kwargs):
            super().__init__(figure, *args, **kwargs)
            self.syncing_data_url = False  # ipympl 0.10 would otherwise sync a malformed data URL (see style.py)
            self.pending = None  # None, "frame" or "full": what has changed since the last frame
            self.view = False  # a browser view is connected (frames without one are not rendered)
            self.browser_waiting = False  # the browser asked for a picture (its own "draw") and awaits one
            self.pushed = self.acked = 0  # frames sent; of those, how many the browser has surely received
            self.probe = None  # (frames sent when we asked "draw", when) while the browser has not answered
            self.last_push = self.last_full = self.last_probe = 0.0  # perf_counter times
            self.patched = False  # difference frames sent since the last whole one (one may have been lost)
            self.timer_due = None  # when a scheduled _pump will run
            self.paint_frame = None  # the app's blitting function: restore the background, draw animated artists
            self.prepare = None  # the app's last-moment update; True when it needs a full draw
            self.report_error = None  # the app's error display (a comm handler's exception is otherwise lost)
            # JupyterLab ≥ 4.4 sends widget messages to a kernel *subshell*: they are handled in another
            # thread than timers and cells. The app shares its lock here so that the two never draw (or
            # train) at the same time.
            self.lock = threading.RLock()
            try:  # timers run on the kernel's event loop (the thread that made the canvas)
                self.loop = asyncio.get_running_loop()
            except RuntimeError:
                self.loop = None  # no event loop (a script): throttled frames go out with the next request
            self.frames_sent = self.frames_rendered = 0

        # -------------------------------------------------------------- the protocol
        def request(self, kind: str = "full") -> None:
            """Ask for a new picture: "frame" (animated artists only) or "full" (everything)."""
            with self.lock:
                self.pending = "full" if "full" in (kind, self.pending) else "frame"
                self._pump()

        def draw_idle(self):
            self.request("full")

        def _pump(self) -> None:
            """Render and send the pending change now, or schedule it: rate and frames in flight are bounded."""
            if self.pending is None or not self.view:
                return
            now = time.perf_counter()
            if self.probe is not None and now - self.probe[1] > PROBE_LOST:
                self.probe = None  # no answer: the question was lost (e.g. sent before the view existed)
            if self.pushed - self.acked >= WINDOW and not self.browser_waiting:
                self._ask()  # enough frames on their way: wait for the browser to confirm it got them
                self._later(PROBE_LOST)
                return
            wait = MIN_INTERVAL - (now - self.last_push)
            if wait > 0 and not self.browser_waiting:
                self._later(wait)
                return
            heal = self.patched and now - self.last_full > HEAL_AFTER  # a lost difference frame stays ≤ 1 s
            self._deliver(self.render(whole=heal))
            self._ask()
            self._later(SETTLE)  # if nothing follows, one whole frame makes the final picture exact

        def _ask(self) -> None:
            """Ask the browser for a "draw": its answer confirms every frame sent before the question."""
            now = time.perf_counter()
            due = now - self.last_probe > PROBE_EVERY or self.pushed - self.acked >= WINDOW
            if self.probe is None and due:
                self.probe, self.last_probe = (self.pushed, now), now
                self.send_event("draw")

        def _later(self, delay: float) -> None:
            """Run _pump (or the settling whole frame) after `delay` seconds, on the kernel's event loop."""
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
                if self.pending is not None:
                    self._pump()
                elif self.patched and self.view:  # the animation may have stopped: end on an exact picture
                    quiet = time.perf_counter() - self.last_push
                    if quiet >= SETTLE * 0.9:
                        self._deliver(self.render(whole=True, redraw=False))
                    else:
                        self._later(SETTLE - quiet)

        def handle_event(self, event):
            with self.lock:
                return super().handle_event(event)

        def handle_draw(self, event):
            """The browser asks for a picture: the answer to our question, or its own request (e.g. after a resize)."""
            self.view = True
            if self.probe is not None:
                self.acked = max(self.acked, self.probe[0])  # it has received every frame sent before we asked
                self.probe = None
            self.browser_waiting = True  # it now waits for a picture: the next change goes out at once
            if self.pending is not None:
                self._pump()

        def handle_refresh(self, event):
            # a new (or resized) view in the browser needs a whole picture; what was in flight is void
            self.view, self._force_full = True, True
            self.acked, self.probe = self.pushed, None
            super().handle_refresh(event)

        def _handle_message(self, widget, content, buffers):
            if content.get("type") == "closing":  # the browser removed its view: stop sending
                with self.lock:
                    self.view = False
            super()._handle_message(widget, content, buffers)

        def render_and_send(self) -> None:
            """Render and send the figure now, whatever the pacing (progress pictures during a long loop)."""
            with self.lock:
                self.pending = self.pending or "full"
                self._deliver(self.render())

        def render(self, whole: bool = False, redraw: bool = True) -> bytes | None:
            """Render what is pending (a full draw, or the app's blit); the PNG to send (changes, or `whole`)."""
            kind, self.pending = self.pending or "full", None
            try:
                if redraw and self.prepare is not None and self.prepare():
                    kind = "full"
                # a frame: the app pastes its saved background and draws its animated artists (False: it
                # has no background yet); otherwise the whole figure is drawn
                if redraw and not (kind == "frame" and self.paint_frame is not None and self.paint_frame()):
                    _agg_draw(self)
            except Exception as error:  # noqa: BLE001 - the browser must get a picture all the same
                if self.report_error is None:
                    raise
                self.report_error(error)
            self._png_is_old = True
            self._force_full = self._force_full or whole
            self.frames_rendered += 1
            return self.get_diff_image()

        def _deliver(self, frame) -> None:
            if frame is None:
                return
            now = time.perf_counter()
            whole = self._current_image_mode == "full"
            self.patched = not whole  # a difference frame: if the browser dropped one, pixels are stale
            if whole:
                self.last_full = now
            self.send_binary(frame)
            self.browser_waiting = False
            self.last_push = now
            self.pushed += 1
            self.frames_sent += 1

        # -------------------------------------------------------------- faster pictures
        def get_diff_image(self):
            """The picture to send: the whole buffer, or only the pixels that changed (others transparent)."""
            if not self._png_is_old:
                return None
            pixels = np.asarray(self.get_renderer().buffer_rgba())
            buffer = pixels.view(np.uint32)[..., 0]  # one 32-bit number per pixel (RGBA: alpha in the top byte)
            see_through = (buffer < np.uint32(0xFF000000)).any()  # a difference cannot show transparent pixels
            full = self._force_full or buffer.shape != self._last_buff.shape or see_through
            self.set_image_mode("full" if full else "diff")
            if full:
                picture = buffer
            else:
                changed = buffer != self._last_buff
                picture = np.where(changed, buffer, np.uint32(0))
                # ipympl draws a difference at the canvas's top-left corner, so the rows below and the
                # columns right of the last changed pixel can be left out: a smaller PNG to encode,
                # send, decode and draw (half to 7/8 of the pixels remain in the course's apps)
                rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
                picture = picture[: rows[-1] + 1, : cols[-1] + 1] if len(rows) else picture[:1, :1]
            self._last_buff = buffer.copy()
            self._force_full = self._png_is_old = False
            return png_bytes(np.ascontiguousarray(picture).view(np.uint8).reshape(*picture.shape, 4))

    _Canvas = PacedCanvas
    return _Canvas


_Canvas = None


def _agg_draw(canvas) -> None:
    """Draw the whole figure into the canvas's buffer without sending it (Agg's draw, not WebAgg's)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg.draw(canvas)


def live_canvas(figure):
    """Attach a paced ipympl canvas (and its manager) to `figure`; the canvas is an ipywidget."""
    canvas = _canvas_class()(figure)
    import_ipympl().FigureManager(canvas, 0)  # not registered with pyplot: plt.show() and inline never see it
    # ipympl's chrome (header "Figure 1", toolbar, footer, resize handle) means little in an app
    canvas.header_visible = canvas.footer_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    return canvas
