"""In a real Jupyter kernel with `%matplotlib inline`: plots are PNG images, apps are live canvases (anywidget)
that also carry a PNG for renderers without widgets (nbconvert, GitHub)."""

from __future__ import annotations

import importlib.util

import nbformat
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("anywidget") is None, reason="anywidget is not installed")

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def executed():
    from nbclient import NotebookClient

    cells = [
        "%matplotlib inline\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
        "from dlcourse.viz import activation_explorer",
        # a plot and an app in the same cell: making the app must not close or swallow the plot
        "plt.plot([0, 1], [1, 0])\napp = activation_explorer('tanh')\napp",
        "print(matplotlib.get_backend(), type(app.figure.canvas).__name__, app.live)",
        "fig, ax = plt.subplots()\nax.plot([0, 1])\nplt.show()",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False).execute()
    return nb


def outputs_with(cell, mime):
    return [o for o in cell.outputs if mime in o.get("data", {})]


def test_static_plots_are_images_and_the_backend_stays_inline(executed):
    plot_cell, info_cell, static_cell = executed.cells[1], executed.cells[2], executed.cells[3]
    assert len(outputs_with(static_cell, "image/png")) == 1 and not outputs_with(static_cell, WIDGET)
    backend, canvas, live = info_cell.outputs[0]["text"].split()
    assert "inline" in backend and canvas == "LiveCanvas" and live == "True"
    # the plot made before the app in the same cell is still shown, as an image
    images = [o for o in outputs_with(plot_cell, "image/png") if WIDGET not in o["data"]]
    assert len(images) == 1


def test_the_app_is_a_widget_with_a_png_fallback_that_nbconvert_shows(executed):
    from nbconvert import HTMLExporter

    app_outputs = outputs_with(executed.cells[1], WIDGET)
    assert len(app_outputs) == 1
    assert app_outputs[0]["data"]["image/png"]  # the static picture travels with the widget
    html, _ = HTMLExporter().from_notebook_node(executed)
    assert html.count("data:image/png;base64") >= 3  # plot, app (no widget state saved), static plot
    assert "Error displaying widget" not in html
