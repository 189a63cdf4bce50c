"""The live canvas of an app: an ipympl canvas that sends a frame only when the browser can take it.

    figure = Figure(figsize=(6, 4))
    canvas = live_canvas(figure)          # an ipywidget showing the figure; the app puts it in its layout
    canvas.request("frame")               # "frame": only the animated artists changed; "full": everything

Apps make this canvas themselves (see style.new_figure), whatever `%matplotlib` says, so that
ordinary plots stay inline images and only the apps are live.

Why not ipympl's canvas as it is? Two things limit an animation's frame rate there:

1. Pacing. ipympl sends a frame ("binary" message) whenever the kernel draws, and the browser keeps
   only the newest one it has not shown yet. Frames are *differences* to the previous one, so a frame
   dropped that way leaves stale pixels; and a kernel that draws faster than the browser shows only
   queues messages. Here the browser pulls: the kernel renders a frame and says "draw" (a tiny
   message); the browser, when it is free, answers "draw" and gets that frame, and the kernel renders
   the next one (if anything changed) while the browser shows this one. One frame is in flight at a
   time, rendering overlaps the round trip, changes in between merge into the next frame, and without
   a browser (nbval, nbconvert) at most one frame is ever rendered.
2. Encoding. Every frame is a PNG of the whole figure. Pillow's encoder tries five row filters per
   row at its default level (about 40 ms for a 1100×460 picture on a small machine); this one writes
   rows unfiltered with the fastest zlib level, which is several times faster and, for the flat
   colours and transparent (unchanged) areas of a difference picture, about as small.
"""

from __future__ import annotations

import importlib
import struct
import sys
import threading
import time
import zlib

import numpy as np

NUDGE_AGAIN = 0.5  # seconds without an answer after which "draw" is sent again


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
        """ipympl's canvas, rendering on the browser's request (see the module docstring)."""

        def __init__(self, figure, *args, **kwargs):
            super().__init__(figure, *args, **kwargs)
            self.syncing_data_url = False  # ipympl 0.10 would otherwise sync a malformed data URL (see style.py)
            self.pending = None  # None, "frame" or "full": what has changed since the last rendered frame
            self.ready = None  # a rendered frame (PNG bytes) that waits for the browser to ask
            self.browser_waiting = False  # the browser asked for a picture and we had none: send the next one
            self.nudged_at = None  # when we sent "draw" (perf_counter), None once the browser answered
            self.paint_frame = None  # the app's blitting function: restore the background, draw animated artists
            self.prepare = None  # the app's last-moment update; True when it needs a full draw
            self.report_error = None  # the app's error display (a comm handler's exception is otherwise lost)
            # JupyterLab ≥ 4.4 sends widget messages to a kernel *subshell*: they are handled in another
            # thread than timers and cells. The app shares its lock here so that the two never draw (or
            # train) at the same time.
            self.lock = threading.RLock()
            self.frames_sent = self.frames_rendered = 0

        # -------------------------------------------------------------- the protocol
        def request(self, kind: str = "full") -> None:
            """Ask for a new picture: "frame" (animated artists only) or "full" (everything)."""
            with self.lock:
                self._request(kind)

        def _request(self, kind: str) -> None:
            self.pending = "full" if "full" in (kind, self.pending) else "frame"
            if self.browser_waiting:
                self._deliver(self.render())
                return
            self._nudge()
            if self.ready is None:
                self.ready = self.render()  # rendered now, while the browser still shows the previous one

        def _nudge(self) -> None:
            """Tell the browser there is a frame: it answers "draw" when it is free."""
            now = time.perf_counter()
            if self.nudged_at is not None and now - self.nudged_at > NUDGE_AGAIN:
                # No answer: the nudge was lost (sent before the browser's view existed), or the browser
                # ignored it because it waits for a picture after a request of its own that we never
                # saw. Any picture ends such a wait, so send the frame unasked.
                if self.ready is not None:
                    frame, self.ready = self.ready, None
                    self._deliver(frame)
                self.nudged_at = None
            if self.nudged_at is None:
                self.nudged_at = now
                self.send_event("draw")

        def draw_idle(self):
            self.request("full")

        def handle_event(self, event):
            with self.lock:
                return super().handle_event(event)

        def handle_draw(self, event):
            """The browser asks for a picture: send the rendered one (and render the next), or remember it waits."""
            self.nudged_at = None
            if self.ready is not None:
                frame, self.ready = self.ready, None
                self._deliver(frame)
                if self.pending is not None:  # more changes came in: render them now, send on the next ask
                    self._nudge()  # first: the browser answers once it has shown this frame, we render meanwhile
                    self.ready = self.render()
            elif self.pending is not None:
                self._deliver(self.render())
            else:
                self.browser_waiting = True  # nothing new yet: the next change is rendered and sent at once

        def handle_refresh(self, event):
            # a new (or resized) view in the browser needs a whole picture; whatever was in flight is void
            self._force_full = True
            self.ready, self.nudged_at = None, None
            super().handle_refresh(event)

        def render_and_send(self) -> None:
            """Send what is ready and render and send what is pending, now (progress during a long loop)."""
            with self.lock:
                self._render_and_send()

        def _render_and_send(self) -> None:
            if self.ready is not None:
                frame, self.ready = self.ready, None
                self._deliver(frame)
            self.pending = self.pending or "full"
            self._deliver(self.render())

        def render(self) -> bytes | None:
            """Render what is pending (a full draw, or the app's blit); the picture to send (a PNG of the changes)."""
            kind, self.pending = self.pending or "full", None
            try:
                if self.prepare is not None and self.prepare():
                    kind = "full"
                # a frame: the app pastes its saved background and draws its animated artists (False: it
                # has no background yet); otherwise the whole figure is drawn
                if not (kind == "frame" and self.paint_frame is not None and self.paint_frame()):
                    _agg_draw(self)
            except Exception as error:  # noqa: BLE001 - the browser must get a picture all the same
                if self.report_error is None:
                    raise
                self.report_error(error)
            self._png_is_old = True
            self.frames_rendered += 1
            return self.get_diff_image()

        def _deliver(self, frame) -> None:
            self.browser_waiting = False
            if frame is not None:
                self.send_binary(frame)
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
            picture = buffer if full else np.where(buffer != self._last_buff, buffer, np.uint32(0))
            self._last_buff = buffer.copy()
            self._force_full = self._png_is_old = False
            return png_bytes(np.ascontiguousarray(picture).view(np.uint8).reshape(*buffer.shape, 4))

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
