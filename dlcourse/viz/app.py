"""`App`: the small base class every widget of the course is built on.

An app is a matplotlib figure plus ipywidgets controls. Subclasses do three things:

    class Parabola(App):
        def __init__(self):
            super().__init__(title="y = a·x²")
            self.figure, ax = new_figure()
            self.x = np.linspace(-2, 2, 101)
            (self.line,) = ax.plot(self.x, self.x**2)
            self.add_control("a", widgets.FloatSlider(value=1.0, min=-2, max=2), on_change=self.update)

        def update(self, change=None):            # plain method: tests call it or set a control's value
            self.line.set_ydata(self.controls["a"].value * self.x**2)
            self.redraw()

    app = Parabola()
    app                                           # last line of a cell: shows the widget

What the base class guarantees:
- live (in a Jupyter kernel, whatever `%matplotlib` says; see style.apps_are_live): the figure's own
  live canvas (canvas.py, a widget) sits in the layout, and `redraw()`/`redraw_frame()` ask it for a
  frame, rendered and pushed to the browser at a bounded rate; outside a kernel (scripts, tests under Agg)
  the same app shows a PNG of the figure, refreshed on every `redraw()` once the app is displayed;
- the display bundle carries the live widget AND a PNG picture of the figure, so that renderers
  without a widget frontend (GitHub, nbconvert) show the picture;
- every callback registered through `add_control`/`safe` reports exceptions in the app's output area
  (message + short traceback) instead of losing them, and the app stays usable;
- `message(text)` shows a one-line status ("diverged at step 12") under the figure.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import threading
import time
import traceback

import ipywidgets as widgets

from dlcourse.viz.style import apps_are_live

STATUS_INTERVAL = 0.25  # seconds between changes of the status line while a browser shows the app
_LEVEL_COLORS = {"info": "#333333", "warning": "#D55E00", "error": "#D55E00", "success": "#009E73"}


class App:
    """A figure, named controls, a status line and an output area for errors; subclasses add `update()`."""

    #: controls per row in the default layout
    controls_per_row = 3

    def __init__(self, title: str = ""):
        self.title = title
        self.figure = None  # a matplotlib Figure, set by the subclass
        self.controls: dict[str, widgets.Widget] = {}
        self.status = widgets.HTML(value="")  # one line: messages such as "diverged at step 12"
        self._status_value, self._status_shown, self._status_due = "", 0.0, False  # see message()
        self.output = widgets.Output()  # tracebacks of callbacks that raised
        self.errors: list[BaseException] = []  # the same exceptions, for tests and debugging
        # Widget callbacks may run in a kernel subshell's thread (JupyterLab ≥ 4.4), timers in the main
        # thread: every callback, and the live canvas's drawing, hold this lock (see canvas.py).
        self.lock = threading.RLock()
        self._widget = None
        self._image = None  # the PNG fallback shown without a widget frontend
        self._holding = 0  # > 0 inside hold_updates(): control callbacks are skipped
        self._animated = []  # artists redrawn alone by redraw_frame() (blitting), see set_animated
        self._background = None  # the figure without the animated artists, grabbed after each full draw

    @property
    def live(self) -> bool:
        """True when the figure is on a live canvas (an ipywidget), False for a PNG picture."""
        if self.figure is None:
            return apps_are_live()
        return isinstance(self.figure.canvas, widgets.DOMWidget)

    # ------------------------------------------------------------------ to override
    def update(self, change=None) -> None:
        """Recompute from the controls and redraw. Subclasses override; keep it a plain method."""
        self.redraw()

    def layout(self) -> widgets.Widget:
        """The ipywidgets layout shown for this app: the figure, the status line, the controls, errors."""
        controls = list(self.controls.values())
        rows = [
            widgets.HBox(controls[i : i + self.controls_per_row])
            for i in range(0, len(controls), self.controls_per_row)
        ]
        header = [widgets.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        return widgets.VBox([*header, self.figure_widget(), self.status, *rows, self.output])

    # ------------------------------------------------------------------ building blocks
    def add_control(self, name: str, control: widgets.Widget, on_change=None, names="value"):
        """Register `control` under `name`; `on_change(change)` runs (safely) whenever its value changes."""
        if name in self.controls:
            raise ValueError(f"this app already has a control named {name!r}")
        self.controls[name] = control
        if on_change is not None:
            handler = self.safe(on_change)

            def on_value(change):
                if not self._holding:
                    handler(change)

            control.observe(on_value, names=names)
        return control

    @contextlib.contextmanager
    def hold_updates(self):
        """Change several controls at once without running their callbacks (call `update()` after).

        with app.hold_updates():
            app.controls["lr"].value = 0.1
            app.controls["steps"].value = 50
        app.update()
        """
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1

    def add_button(self, name: str, description: str, on_click, icon: str = ""):
        """A Button registered as a control whose clicks run `on_click()` safely."""
        button = widgets.Button(description=description, icon=icon, layout=widgets.Layout(width="auto"))
        self.controls[name] = button
        handler = self.safe(on_click)
        button.on_click(lambda _button: handler())
        return button

    def add_player(self, name: str, slider: widgets.IntSlider, interval_ms: int = 60) -> widgets.Play:
        """A Play widget that animates `slider` (play/pause/stop in the browser, linked both ways)."""
        play = widgets.Play(
            value=slider.value, min=slider.min, max=slider.max, step=1, interval=interval_ms, description=name
        )
        # a kernel-side link: works headless (tests set play.value) and in the browser alike
        widgets.link((play, "value"), (slider, "value"))
        widgets.link((play, "max"), (slider, "max"))
        self.controls[name] = play
        return play

    def safe(self, fn):
        """`fn` wrapped so that an exception is shown in the output area (and kept in `.errors`), not lost."""

        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            with self.lock:
                try:
                    return fn(*args, **kwargs)
                except Exception as exc:  # noqa: BLE001 - a widget callback must never die silently
                    self.show_error(exc)
                    return None

        return guarded

    def show_error(self, exc: BaseException) -> None:
        """Put `exc` in the status line and its last few frames in the output area."""
        self.errors.append(exc)
        short = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4))
        self.output.append_stderr(short)
        self.message(f"{type(exc).__name__}: {exc}", level="error")

    def message(self, text: str, level: str = "info") -> None:
        """Show one line of text under the figure (empty text clears it); level: info/warning/error/success.

        While a browser shows the app, the line changes at most every STATUS_INTERVAL seconds (the
        newest text wins): each change costs the page a re-layout, and an animation changes it with
        every frame. Without a view it changes at once.
        """
        color = _LEVEL_COLORS.get(level, _LEVEL_COLORS["info"])
        self._status_value = f'<span style="color:{color}">{html.escape(text)}</span>' if text else ""
        canvas = None if self.figure is None else self.figure.canvas
        if not (self.live and getattr(canvas, "view", False) and canvas.loop is not None):
            self.status.value = self._status_value
            return
        wait = self._status_shown + STATUS_INTERVAL - time.perf_counter()
        if wait <= 0:
            self._show_status()
        elif not self._status_due:
            self._status_due = True
            canvas.loop.call_soon_threadsafe(canvas.loop.call_later, wait, self._show_status)

    def _show_status(self) -> None:
        self._status_due, self._status_shown = False, time.perf_counter()
        if self.status.value != self._status_value:
            self.status.value = self._status_value

    @property
    def message_text(self) -> str:
        """The status line as plain text (what a learner reads): the newest message."""
        value = self._status_value
        return html.unescape(value.split(">", 1)[1].rsplit("<", 1)[0]) if value else ""

    # ------------------------------------------------------------------ drawing and display
    def figure_widget(self) -> widgets.Widget:
        """The widget that shows the figure: the live canvas, else a PNG image."""
        if self.live:
            self._connect_canvas()
            return self.figure.canvas
        if self._image is None:
            self._image = widgets.Image(format="png", value=self.png())
        return self._image

    def redraw(self) -> None:
        """Show the artists' new data: a full frame when the browser is ready (live), or a fresh PNG."""
        if self.figure is None:
            return
        if self.live:
            self.figure.canvas.request("full")
        elif self._image is not None:  # only pay for PNG encoding once somebody can see it
            self._image.value = self.png()

    def draw_now(self) -> None:
        """Draw and send the figure at once: live, the picture reaches the browser even while the cell runs.

        (`redraw()` waits for the browser to ask, which it cannot while the kernel is busy, e.g. inside
        a long `fit`; use this for progress during a loop, at most a few times a second.)
        """
        if self.live:
            self.figure.canvas.render_and_send()
        else:
            self.redraw()

    def set_animated(self, artists) -> None:
        """Declare the artists that change on every animation frame (lines, markers, raster layers).

        Live, `redraw_frame()` then pastes a saved picture of everything else and draws only these
        (blitting): a frame costs a few milliseconds instead of a full redraw of axes, ticks and text.
        Anything else that changes (limits, titles, images) needs a full `redraw()`.
        """
        self._animated = list(artists)
        if not self.live:
            return  # Agg/PNG output draws everything each time; animated artists would be left out
        for artist in self._animated:
            artist.set_animated(True)
        self._background = None  # new artists: the next full draw saves a new background
        self._connect_canvas()

    def _connect_canvas(self) -> None:
        """Hand the live canvas this app's blitting, last-moment update, error display and lock (once)."""
        canvas = self.figure.canvas
        if getattr(canvas, "paint_frame", None) != self._paint_frame:
            canvas.mpl_connect("draw_event", self._on_full_draw)
            canvas.paint_frame = self._paint_frame
            canvas.prepare = self.prepare_frame
            canvas.report_error = self.show_error
            canvas.lock = self.lock

    def prepare_frame(self) -> bool:
        """Called live just before a frame is rendered (when the browser is ready for one).

        Apps whose state changes faster than frames can be shown override this to push their newest
        state into the artists only then (work for frames that nobody sees is skipped); return True
        when the change needs a full redraw rather than a blitted frame.
        """
        return False

    def _on_full_draw(self, event):
        """After a full draw: remember the background, then draw the animated artists on top."""
        canvas = self.figure.canvas
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        for artist in self._animated:
            if artist.get_visible() and artist.axes is not None and artist.axes.get_visible():
                artist.draw(event.renderer)

    def _paint_frame(self) -> bool:
        """Blit: paste the background, draw the animated artists (the canvas then sends them); False: no background."""
        if self._background is None:
            return False
        self.figure.canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible() and artist.axes is not None and artist.axes.get_visible():
                self.figure.draw_artist(artist)
        return True

    def show(self, background_key) -> None:
        """Show new artist data: a blitted frame if `background_key` is unchanged, else a full redraw.

        The key is whatever the non-animated part of the figure shows that may change (axis limits,
        titles, colour scales): equal keys mean only the animated artists moved.
        """
        if background_key == getattr(self, "_shown_key", object()) and self._background is not None:
            self.redraw_frame()
            return
        self._shown_key = background_key
        self.redraw()

    def redraw_frame(self) -> None:
        """Show new data of the animated artists only (blitting when live); falls back to `redraw()`."""
        if not self.live or self._background is None:
            self.redraw()
            return
        self.figure.canvas.request("frame")

    def png(self) -> bytes:
        """The figure as PNG bytes, animated artists included."""
        animated = [artist for artist in self._animated if artist.get_animated()]
        for artist in animated:
            artist.set_animated(False)
        try:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png")
        finally:
            for artist in animated:
                artist.set_animated(True)
        return buffer.getvalue()

    @property
    def widget(self) -> widgets.Widget:
        """The ipywidgets layout to display (built once)."""
        if self._widget is None:
            self._widget = self.layout()
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget for frontends with a widget manager, and a PNG for the rest (GitHub, nbconvert)."""
        bundle = self.widget._repr_mimebundle_()
        png = self._image.value if self._image is not None else self.png()
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
        bundle["text/plain"] = f"<{type(self).__name__}: {self.title}>"
        return bundle

    def _ipython_display_(self):
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)

    def __repr__(self):
        return f"<{type(self).__name__} {self.title!r} controls={list(self.controls)}>"
