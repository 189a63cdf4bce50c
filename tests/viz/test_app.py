"""The App machinery every widget is built on: controls, safe callbacks, messages, display, animation."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest

from dlcourse.viz import style
from dlcourse.viz.app import App
from dlcourse.viz.style import new_figure


class Parabola(App):
    """The smallest app: y = a·x², one slider."""

    def __init__(self):
        super().__init__(title="y = a·x²")
        self.figure, ax = new_figure()
        self.x = np.linspace(-2, 2, 41)
        (self.line,) = ax.plot(self.x, self.x**2)
        self.calls = 0
        self.add_control("a", widgets.FloatSlider(value=1.0, min=-5, max=5), on_change=self.update)

    def update(self, change=None):
        self.calls += 1
        a = self.controls["a"].value
        if a == 5.0:
            raise ValueError("a = 5 is not allowed in this test")
        self.line.set_ydata(a * self.x**2)
        self.redraw()


def test_setting_a_control_updates_the_artist_data():
    app = Parabola()
    before = app.line.get_ydata().copy()
    app.controls["a"].value = -2.0
    after = app.line.get_ydata()
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, -2.0 * app.x**2)


def test_an_exception_in_a_callback_lands_in_the_output_area_and_the_app_stays_usable():
    app = Parabola()
    app.controls["a"].value = 5.0  # raises inside the observer
    assert len(app.errors) == 1 and isinstance(app.errors[0], ValueError)
    shown = "".join(o.get("text", "") for o in app.output.outputs)
    assert "ValueError" in shown and "a = 5 is not allowed" in shown and "Traceback" in shown
    assert "ValueError" in app.message_text
    app.controls["a"].value = 3.0  # still works afterwards
    np.testing.assert_allclose(app.line.get_ydata(), 3.0 * app.x**2)


def test_hold_updates_runs_no_callback_until_released():
    app = Parabola()
    with app.hold_updates():
        app.controls["a"].value = 2.0
        app.controls["a"].value = 3.0
    assert app.calls == 0
    app.controls["a"].value = 4.0
    assert app.calls == 1


def test_duplicate_control_names_are_refused():
    app = Parabola()
    with pytest.raises(ValueError, match="already has a control named 'a'"):
        app.add_control("a", widgets.IntSlider())


def test_message_shows_plain_text_escaped():
    app = Parabola()
    app.message("diverged at step 3 <b>", level="warning")
    assert app.message_text == "diverged at step 3 <b>"
    assert "&lt;b&gt;" in app.status.value
    app.message("")
    assert app.message_text == "" and app.status.value == ""


def test_button_clicks_are_guarded_too():
    app = Parabola()
    clicked = []
    button = app.add_button("boom", "boom", lambda: clicked.append(1) or 1 / 0)
    button.click()
    assert clicked == [1] and isinstance(app.errors[-1], ZeroDivisionError)


def test_player_is_linked_to_its_slider_both_ways():
    app = Parabola()
    slider = widgets.IntSlider(value=0, min=0, max=10)
    play = app.add_player("play", slider)
    play.value = 7
    assert slider.value == 7
    slider.value = 2
    assert play.value == 2
    slider.max = 20
    assert play.max == 20


def test_static_display_bundle_has_widget_png_and_text():
    app = Parabola()
    assert not app.live  # tests run under Agg
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("<Parabola")
    import base64

    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    # outside a kernel the figure shows as a PNG image widget, refreshed by redraw()
    image = app.figure_widget()
    assert isinstance(image, widgets.Image)
    before = image.value
    app.controls["a"].value = -4.0
    assert image.value != before


def test_layout_contains_controls_figure_status_and_output():
    app = Parabola()
    layout = app.widget
    assert isinstance(layout, widgets.VBox)

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    found = list(walk(layout))
    assert app.controls["a"] in found and app.status in found and app.output in found
    assert app.figure_widget() in found


def test_animated_artists_stay_in_static_pngs():
    app = Parabola()
    app.set_animated([app.line])
    assert not app.line.get_animated()  # under Agg everything is drawn every time
    app.redraw_frame()  # falls back to a full redraw, without error


def test_widget_backend_detection(monkeypatch):
    assert style.is_widget_backend() is False
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "module://ipympl.backend_nbagg")
    assert style.is_widget_backend() is True
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "widget")
    assert style.is_widget_backend() is True
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    assert style.is_widget_backend() is False


def test_palette_is_okabe_ito_and_apply_style_uses_it():
    assert len(set(style.PALETTE)) == 8
    assert style.COLORS["orange"] == "#E69F00" and style.COLORS["blue"] == "#0072B2"
    assert len(set(style.OPTIMIZER_COLORS.values())) == len(style.OPTIMIZER_COLORS)
    with matplotlib.rc_context():
        style.apply_style()
        cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
        assert [c.lower() for c in cycle] == [c.lower() for c in style.PALETTE]


def test_new_figure_is_not_kept_by_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig, axes = new_figure(1, 2)
    assert len(axes) == 2 and fig.canvas is not None
    assert plt.get_fignums() == before


def test_importing_viz_does_not_import_ipywidgets():
    code = "import sys, dlcourse.viz; assert 'ipywidgets' not in sys.modules, 'ipywidgets imported'; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


def test_unknown_viz_attribute_is_a_clear_error():
    import dlcourse.viz

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dlcourse.viz.nope  # noqa: B018


def test_live_figures_are_widgets_outside_pyplot_that_send_nothing_without_a_view():
    if importlib.util.find_spec("anywidget") is None:
        pytest.skip("anywidget is not installed")
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig, ax = new_figure(live=True)
    assert isinstance(fig.canvas, widgets.DOMWidget)
    sent = []
    fig.canvas.send = lambda *args, **kwargs: sent.append(args)
    fig.canvas.draw_idle()  # nobody looks: nothing is rendered, nothing sent
    assert sent == [] and fig.canvas.frames_rendered == 0
    assert plt.get_fignums() == before  # not a pyplot figure: %matplotlib inline will not show it again


def test_apps_are_live_only_inside_a_kernel(monkeypatch):
    assert style.apps_are_live() is False  # pytest is no Jupyter kernel
    assert Parabola().live is False

    class Shell:
        kernel = object()

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert style.apps_are_live() is True  # whatever the matplotlib backend is (Agg here)
    app = Parabola()
    assert app.live and isinstance(app.figure_widget(), widgets.DOMWidget)
    monkeypatch.setenv("DLCOURSE_STATIC_APPS", "1")
    assert style.apps_are_live() is False


def test_the_status_line_changes_at_most_every_interval_while_a_browser_watches(monkeypatch):
    """Each status change costs the page a re-layout: while viewed, changes merge (the newest wins)."""
    import asyncio

    if importlib.util.find_spec("anywidget") is None:
        pytest.skip("anywidget is not installed")
    import dlcourse.viz.app as app_module

    async def scenario():
        monkeypatch.setattr(style, "apps_are_live", lambda: True)  # a live canvas, as in a kernel
        app = Parabola()
        assert app.live
        app.figure.canvas.send = lambda *args, **kwargs: None
        app.message("before the view")  # nobody watches: at once
        assert app.status.value.endswith("before the view</span>")
        app.figure.canvas._on_message(app.figure.canvas, {"type": "view", "device_pixel_ratio": 1}, [])
        for k in range(10):
            app.message(f"frame {k}")
        assert "frame 0" in app.status.value  # the first change shows, the others wait...
        assert app.message_text == "frame 9"  # ...but the app's own text is always the newest
        await asyncio.sleep(app_module.STATUS_INTERVAL + 0.1)
        assert app.status.value.endswith("frame 9</span>")  # ...and the newest follows

    # in a thread of its own: the main thread may hold another running loop (Playwright's, in a session
    # that ran the browser tests), and the canvas must find this one
    errors = []
    thread = threading.Thread(target=lambda: errors.extend(_raised(lambda: asyncio.run(scenario()))))
    thread.start()
    thread.join(timeout=30)
    assert not errors, errors[0]


def _raised(call) -> list:
    try:
        call()
    except BaseException as error:  # noqa: BLE001 - handed to the test's thread
        return [error]
    return []
