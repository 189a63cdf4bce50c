"""One look for every figure of the course: a colour-blind-safe palette and a figure factory.

The palette is Okabe & Ito's (2008): eight colours that stay distinguishable under the common
forms of colour blindness and in greyscale print. Use the names, not hex codes, in apps:

    from dlcourse.viz.style import COLORS, new_figure
    fig, ax = new_figure()                       # a figure in the course style, not shown yet
    ax.plot(x, y, color=COLORS["blue"])
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
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
    """True when figures are live ipympl widgets (`%matplotlib widget`), False for Agg/inline/nbconvert."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or "widget" in backend


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(6.4, 4.2), **subplot_kw):
    """(figure, axes) in the course style, created without being displayed.

    Under ipympl the figure's canvas is an ipywidget that an app places in its layout; otherwise it
    is a plain matplotlib Figure with an Agg canvas that no pyplot state keeps alive (an app that is
    rebuilt many times does not leak figures, nor trigger "more than 20 figures" warnings).
    """
    with course_style():
        if is_widget_backend():
            with plt.ioff():  # made now, shown only when the app is displayed
                fig = plt.figure(figsize=figsize)
            canvas = fig.canvas
            # ipympl's chrome (header "Figure 1", toolbar, footer) costs space and means little in an app
            for name, value in (("header_visible", False), ("footer_visible", False), ("toolbar_position", "left")):
                if hasattr(canvas, name):
                    setattr(canvas, name, value)
            if hasattr(canvas, "resizable"):
                canvas.resizable = False
            # ipympl 0.10 copies a figure drawn before the browser connected into `_data_url` as bare
            # base64 (no "data:image/png;base64," prefix); the browser then fails to size the canvas
            # and shows nothing. Images sent as binary messages work from the start, so skip the copy.
            if hasattr(canvas, "syncing_data_url"):
                canvas.syncing_data_url = False
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            fig = Figure(figsize=figsize)
            FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=True, subplot_kw=subplot_kw or None)
    return fig, axes
