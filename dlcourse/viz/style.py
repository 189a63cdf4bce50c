"""One look for every figure of the course: a colour-blind-safe palette and a figure factory.

The palette is Okabe & Ito's (2008): eight colours that stay distinguishable under the common
forms of colour blindness and in greyscale print. Use the names, not hex codes, in apps:

    from dlcourse.viz.style import COLORS, new_figure
    fig, ax = new_figure()                       # a figure in the course style, not shown yet
    ax.plot(x, y, color=COLORS["blue"])
"""

from __future__ import annotations

import importlib.util
import os
import sys

import matplotlib
from matplotlib.colors import LinearSegmentedColormap

# Okabe–Ito, in the order matplotlib cycles through them (black last: it is the "reference" colour)
COLORS = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = list(COLORS.values())

# A fixed colour per optimizer, so that "Adam is purple" in every chapter.
OPTIMIZER_COLORS = {
    "sgd": COLORS["black"],
    "momentum": COLORS["blue"],
    "nesterov": COLORS["sky"],
    "adagrad": COLORS["green"],
    "rmsprop": COLORS["orange"],
    "adam": COLORS["vermillion"],
    "adamw": COLORS["purple"],
}

# Two classes: blue vs orange (the safest pair); more classes take the palette in order.
CLASS_COLORS = [COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["purple"], COLORS["sky"], COLORS["yellow"]]

# Colour maps: a perceptually uniform, colour-blind-safe sequential one (loss surfaces, images), and
# P(class 1) for decision boundaries: class 0's blue, through white (undecided), to class 1's orange.
SEQUENTIAL_CMAP = "cividis"
PROBABILITY_CMAP = LinearSegmentedColormap.from_list("class_probability", [CLASS_COLORS[0], "#FFFFFF", CLASS_COLORS[1]])

STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "lines.linewidth": 1.8,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "image.cmap": SEQUENTIAL_CMAP,
}


def apply_style() -> None:
    """Use the course style for every figure made from now on (notebooks call this once)."""
    matplotlib.rcParams.update(STYLE)


def course_style():
    """A context manager: the course style inside a `with` block only (apps use this)."""
    return matplotlib.rc_context(STYLE)


def is_widget_backend() -> bool:
    """True when pyplot's figures are ipympl widgets (`%matplotlib widget`); apps do not depend on it."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or "widget" in backend


def apps_are_live() -> bool:
    """True when apps draw on a live canvas (canvas.py): inside a Jupyter kernel, with anywidget installed.

    The global backend does not matter: with `%matplotlib inline` ordinary plots are images and the
    apps are still live. Elsewhere (scripts, tests under Agg) apps show a PNG picture instead; so do
    they when the environment variable DLCOURSE_STATIC_APPS=1 is set (e.g. to build a static book).
    """
    if os.environ.get("DLCOURSE_STATIC_APPS", "") not in ("", "0"):
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    return importlib.util.find_spec("anywidget") is not None


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(6.4, 4.2), live: bool | None = None, **subplot_kw):
    """(figure, axes) in the course style, created without being displayed.

    `live` (default: `apps_are_live()`): the figure gets a live canvas (dlcourse.viz.canvas), an
    ipywidget that an app places in its layout; otherwise a plain Agg canvas. Neither is registered
    with pyplot, so `plt.show()`/`%matplotlib inline` never display them twice, and an app rebuilt many
    times leaks no figures (nor triggers "more than 20 figures" warnings).
    """
    from matplotlib.figure import Figure

    with course_style():
        fig = Figure(figsize=figsize)
        if apps_are_live() if live is None else live:
            from dlcourse.viz.canvas import live_canvas

            live_canvas(fig)
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=True, subplot_kw=subplot_kw or None)
    return fig, axes
