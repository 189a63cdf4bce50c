"""The loss-landscape explorer: six optimizers racing on the same surface, animated side by side.

    from dlcourse.viz import landscape_explorer
    app = landscape_explorer("bowl", start=(-4.5, 2.0))
    app                                    # contours + paths, loss curves; sliders, play, click to move the start

Left: the surface (contours, or a 3-D view) with every optimizer's path from the same start.
Right: each optimizer's loss gap f - f_min per step (log scale). Hyperparameter sliders rerun all
paths (dlcourse optimizers, gradients from dlcourse autograd); the step slider / play button only
moves along the paths already computed, so an animation frame is a few `set_data` calls.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlcourse.viz.app import App
from dlcourse.viz.style import COLORS, OPTIMIZER_COLORS, course_style, new_figure
from dlcourse.viz.surfaces import get_surface
from dlcourse.viz.trajectories import LABELS, OPTIMIZERS, run_trajectories

SURFACE_CHOICES = [
    ("ill-conditioned bowl", "bowl"),
    ("Rosenbrock valley", "rosenbrock"),
    ("saddle point", "saddle"),
    ("Himmelblau (4 minima)", "himmelblau"),
    ("real model: line fit (w, b)", "linear"),
    ("real model: tiny MLP slice", "mlp"),
]
_DROP = dict(style={"description_width": "90px"}, layout=widgets.Layout(width="300px"))
_SLIDER = dict(continuous_update=False, style={"description_width": "90px"}, layout=widgets.Layout(width="300px"))


class LandscapeExplorer(App):
    """Contours of a loss surface with optimizer trajectories; see `landscape_explorer`."""

    def __init__(self, surface="bowl", optimizers=OPTIMIZERS, start=None, steps=None, lr=None, adaptive_lr=None,
                 momentum=0.9, betas=(0.9, 0.999), noise=0.0, condition=10.0, resolution=201, seed=0):  # fmt: skip
        super().__init__(title="Loss landscape: optimizers from the same start")
        self.seed, self.resolution = seed, resolution
        self._surfaces = {}  # name → Surface, so switching back is instant (the MLP slice trains once)
        self.surface = self._get_surface(surface, condition)
        self.start = np.asarray(self.surface.start if start is None else start, dtype=np.float64)
        self.trajectories = {}
        self._build_figure()
        s = self.surface
        add = self.add_control
        add("surface", widgets.Dropdown(options=SURFACE_CHOICES, value=s.name, description="surface", **_DROP),
            self._on_surface)  # fmt: skip
        add("condition", widgets.FloatLogSlider(value=condition, min=0, max=2.5, description="condition κ",
                                                 disabled=s.name != "bowl", **_SLIDER), self._on_condition)  # fmt: skip
        add("optimizers", widgets.SelectMultiple(options=[(LABELS[n], n) for n in OPTIMIZERS], value=tuple(optimizers),
                                                  rows=6, description="optimizers", **_DROP), self.update)  # fmt: skip
        add("lr", widgets.FloatLogSlider(value=lr or s.lr, min=-4, max=2, description="lr (SGD-type)",
                                         readout_format=".2g", **_SLIDER), self.update)  # fmt: skip
        add("adaptive_lr", widgets.FloatLogSlider(value=adaptive_lr or s.adaptive_lr, min=-3, max=1,
                                                  description="lr (adaptive)", readout_format=".2g", **_SLIDER),
            self.update)  # fmt: skip
        add("momentum", widgets.FloatSlider(value=momentum, min=0, max=0.99, step=0.01, description="momentum",
                                            **_SLIDER), self.update)  # fmt: skip
        add("beta1", widgets.FloatSlider(value=betas[0], min=0, max=0.99, step=0.01, description="Adam β₁",
                                         **_SLIDER), self.update)  # fmt: skip
        add("beta2", widgets.FloatSlider(value=betas[1], min=0.9, max=0.9999, step=0.0001, description="Adam β₂",
                                         readout_format=".4f", **_SLIDER), self.update)  # fmt: skip
        add("noise", widgets.FloatSlider(value=noise, min=0, max=10, step=0.1, description="gradient noise σ",
                                         **_SLIDER), self.update)  # fmt: skip
        add("steps", widgets.IntSlider(value=steps or s.steps, min=1, max=1000, description="steps", **_SLIDER),
            self.update)  # fmt: skip
        add("view", widgets.ToggleButtons(options=["contour", "3-D"], value="contour", description="view",
                                          style={"button_width": "70px"}), self._on_view)  # fmt: skip
        frame_slider = widgets.IntSlider(value=self.controls["steps"].value, min=0, max=self.controls["steps"].value,
                                         description="step", style=_SLIDER["style"])  # fmt: skip
        add("step", frame_slider, self._on_frame)
        self.add_player("play", frame_slider, interval_ms=40)
        self.add_button("reset_start", "reset start", self.reset_start, icon="undo")
        self.figure.canvas.mpl_connect("button_press_event", self.safe(self.on_click))
        self._draw_surface()
        self.update()

    # ------------------------------------------------------------------ figure
    def _build_figure(self):
        self.figure, (self.ax, self.ax_loss) = new_figure(1, 2, figsize=(9.6, 4.3))
        with course_style():
            self.figure.subplots_adjust(left=0.07, right=0.84, bottom=0.12, top=0.9, wspace=0.25)
            self.ax3d = self.figure.add_subplot(1, 2, 1, projection="3d")
            self.ax3d.set_visible(False)
            self.background = self.ax.imshow(np.zeros((2, 2)), origin="lower", cmap="Greys", alpha=0.45,
                                             aspect="auto", interpolation="bilinear")  # fmt: skip
            self.contours = None
            self.start_marker = self.ax.plot([], [], "X", color="white", markeredgecolor="black", markersize=11,
                                             zorder=5, label="start (click)")[0]  # fmt: skip
            # above the paths (6) and below their heads (7): a path that ends on a minimum leaves its star visible
            self.minima_marker = self.ax.plot([], [], "*", color=COLORS["yellow"], markeredgecolor="black",
                                              markersize=14, zorder=6.5, label="minimum")[0]  # fmt: skip
            self.lines, self.heads, self.loss_lines, self.lines3d = {}, {}, {}, {}
            for name in OPTIMIZERS:
                color = OPTIMIZER_COLORS[name]
                self.lines[name] = self.ax.plot([], [], "-", color=color, lw=1.6, label=LABELS[name], zorder=6)[0]
                self.heads[name] = self.ax.plot([], [], "o", color=color, markeredgecolor="white", zorder=7)[0]
                self.loss_lines[name] = self.ax_loss.plot([], [], "-", color=color, label=LABELS[name])[0]
                self.lines3d[name] = self.ax3d.plot([], [], [], "-", color=color, lw=1.6, zorder=10)[0]
            self.set_animated([*self.lines.values(), *self.heads.values(), *self.loss_lines.values(),
                               *self.lines3d.values(), self.start_marker])  # fmt: skip
            self.warning = self.ax.text(0.02, 0.02, "", transform=self.ax.transAxes, va="bottom", fontsize=8,
                                        color=COLORS["vermillion"], fontweight="bold", zorder=8,
                                        bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"))  # fmt: skip
            self.ax_loss.set_yscale("log")
            self.ax_loss.set_xlabel("step")
            self.ax_loss.set_ylabel("loss − min (log scale)")
            self.ax_loss.set_title("loss per step")
        self._surface3d = None
        self._background_key = None  # what the non-animated part of the figure shows (see update)

    def _get_surface(self, name, condition=10.0):
        if name == "bowl":
            return get_surface("bowl", condition=condition)  # cheap, and κ changes it
        if name not in self._surfaces:
            self._surfaces[name] = get_surface(name)
        return self._surfaces[name]

    def _height(self, z):
        """What the picture shows as height: the loss, or log10(1 + loss - min) for steep surfaces."""
        return np.log10(1.0 + np.maximum(z - self.z_min, 0.0)) if self.surface.log_levels else z

    def _draw_surface(self):
        """Background image, contour lines, labels and limits for the current surface (not per frame)."""
        s = self.surface
        xs, ys = s.axes_grid(None if s.name == "mlp" else self.resolution)
        self.grid = s.grid(xs, ys)  # (len(ys), len(xs))
        self.z_min = float(np.nanmin(self.grid))
        heights = self._height(self.grid)
        self.background.set_data(heights)
        self.background.set_extent(s.extent)
        self.z_top = float(np.nanmax(heights))
        self.background.set_clim(np.nanmin(heights), np.nanpercentile(heights, 98))
        if self.contours is not None:
            self.contours.remove()
        with course_style():
            self.contours = self.ax.contour(xs, ys, heights, levels=18, colors="0.45", linewidths=0.6, zorder=2)
        self.ax.set_xlim(s.extent[:2])
        self.ax.set_ylim(s.extent[2:])
        self.ax.set_xlabel(s.labels[0])
        self.ax.set_ylabel(s.labels[1])
        self.ax.set_title(s.title)
        minima = np.array(s.minima, dtype=float).reshape(-1, 2)
        self.minima_marker.set_data(minima[:, 0], minima[:, 1])
        self.minima_marker.set_label("minimum" if len(minima) == 1 else "minima")
        self._surface3d_stale = True
        self._background_key = None  # the next update redraws everything
        if self.controls["view"].value == "3-D":
            self._draw_surface3d()

    def _draw_surface3d(self):
        s, step = self.surface, max(1, self.grid.shape[0] // 40)  # ~40×40 facets keep 3-D redraws quick
        xs, ys = s.axes_grid(self.grid.shape[0])
        X, Y = np.meshgrid(xs[::step], ys[::step])
        if self._surface3d is not None:
            self._surface3d.remove()
        with course_style():
            self._surface3d = self.ax3d.plot_surface(X, Y, self._height(self.grid[::step, ::step]), cmap="cividis",
                                                     alpha=0.6, linewidth=0, antialiased=False)  # fmt: skip
        self.ax3d.set_xlabel(s.labels[0])
        self.ax3d.set_ylabel(s.labels[1])
        self.ax3d.set_title(s.title)
        self._surface3d_stale = False

    # ------------------------------------------------------------------ control callbacks
    def update(self, change=None):
        """Rerun every selected optimizer with the sliders' settings and show the paths up to `step`."""
        c = self.controls
        self.trajectories = run_trajectories(
            self.surface, c["optimizers"].value, start=self.start, steps=c["steps"].value, lr=c["lr"].value,
            adaptive_lr=c["adaptive_lr"].value, momentum=c["momentum"].value,
            betas=(c["beta1"].value, c["beta2"].value), noise=c["noise"].value, seed=self.seed,
        )  # fmt: skip
        self._frame_max(c["steps"].value)
        self.start_marker.set_data([self.start[0]], [self.start[1]])
        self.loss_floor = min([self.z_min] + [t.losses.min() for t in self.trajectories.values() if t.losses.size])
        diverged = [f"{LABELS[n]} at step {t.diverged_at}" for n, t in self.trajectories.items() if t.diverged_at]
        text = ("diverged: " + ", ".join(diverged) + "\n→ try a smaller learning rate") if diverged else ""
        self.message(text.replace("\n", " "), level="warning")
        labels = {n: LABELS[n] + (" (diverged)" if t.diverged_at else "") for n, t in self.trajectories.items()}
        gaps = np.concatenate([self._gap(t.losses) for t in self.trajectories.values()] + [[1e-12]])
        # whole decades, so that most slider moves keep the same limits (see below)
        low = 10.0 ** np.floor(np.log10(max(gaps.min(), gaps.max() * 1e-12, 1e-12)))
        high = 10.0 ** np.ceil(np.log10(max(gaps.max(), 1e-11) * 1.5))
        key = (tuple(labels.items()), text, low, high, c["steps"].value)
        if key == self._background_key:  # only the lines moved: a blitted frame is enough
            self.show_frame(c["step"].value)
            return
        self._background_key = key
        for name, label in labels.items():
            self.lines[name].set_label(label)
            self.loss_lines[name].set_label(label)
        shown = [self.loss_lines[n] for n in self.trajectories] + [self.start_marker, self.minima_marker]
        # one legend, outside the plots, serves both panels
        self.ax_loss.legend(handles=shown, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7)
        self.ax_loss.set_xlim(0, max(1, c["steps"].value))
        self.ax_loss.set_ylim(low, high)
        self.warning.set_text(text)
        self.show_frame(c["step"].value, full=True)

    def show_frame(self, step: int, full: bool = False):
        """Draw each path from the start to `step` (an animation frame: `set_data` calls and a blit)."""
        for name in OPTIMIZERS:
            run = self.trajectories.get(name)
            if run is None:
                for artist in (self.lines[name], self.heads[name], self.loss_lines[name]):
                    artist.set_data([], [])
                self.lines3d[name].set_data_3d([], [], [])
                continue
            path = run.upto(step)  # (k, 2)
            self.lines[name].set_data(path[:, 0], path[:, 1])
            self.heads[name].set_data(path[-1:, 0], path[-1:, 1])
            self.loss_lines[name].set_data(np.arange(len(path)), self._gap(run.losses[: len(path)]))
            if self.ax3d.get_visible():
                self.lines3d[name].set_data_3d(*self._inside_box(path, run.losses[: len(path)]))
        if full:
            self.redraw()
        else:
            self.redraw_frame()

    def _inside_box(self, path, losses):
        """3-D lines are not clipped by matplotlib: hide (NaN) the points outside the drawn box."""
        x0, x1, y0, y1 = self.surface.extent
        z = self._height(losses)
        outside = (path[:, 0] < x0) | (path[:, 0] > x1) | (path[:, 1] < y0) | (path[:, 1] > y1)
        outside |= z > self.z_top
        x, y = path[:, 0].copy(), path[:, 1].copy()
        x[outside] = y[outside] = z[outside] = np.nan
        return x, y, z

    def _gap(self, losses):
        """loss − (lowest loss seen), kept > 0 for the log axis."""
        return losses - self.loss_floor + 1e-12

    def _frame_max(self, steps):
        slider = self.controls["step"]
        at_end = slider.value == slider.max
        with self.hold_updates():
            slider.max = steps
            if at_end or slider.value > steps:  # a finished animation stays finished with more steps
                slider.value = steps

    def _on_frame(self, change):
        self.show_frame(change["new"])

    def _on_surface(self, change):
        self.surface = self._get_surface(change["new"], self.controls["condition"].value)
        self.start = np.asarray(self.surface.start, dtype=np.float64)
        with self.hold_updates():  # the new surface's defaults, then one recompute
            self.controls["condition"].disabled = self.surface.name != "bowl"
            self.controls["lr"].value = self.surface.lr
            self.controls["adaptive_lr"].value = self.surface.adaptive_lr
            self.controls["steps"].value = self.surface.steps
        self._draw_surface()
        self.update()

    def _on_condition(self, change):
        if self.surface.name == "bowl":
            self.surface = self._get_surface("bowl", change["new"])
            self._draw_surface()
            self.update()

    def _on_view(self, change):
        three_d = change["new"] == "3-D"
        self.ax.set_visible(not three_d)
        self.ax3d.set_visible(three_d)
        if three_d and self._surface3d_stale:
            self._draw_surface3d()
        self.show_frame(self.controls["step"].value, full=True)

    def on_click(self, event):
        """A left click inside the contour plot moves the start point there and reruns the optimizers."""
        toolbar = getattr(self.figure.canvas, "toolbar", None)
        if event.inaxes is not self.ax or event.xdata is None or getattr(event, "button", 1) != 1:
            return
        if toolbar is not None and getattr(toolbar, "mode", ""):  # panning/zooming, not choosing a start
            return
        self.start = np.array([event.xdata, event.ydata], dtype=np.float64)
        self.update()

    def reset_start(self):
        """Back to the surface's default start point."""
        self.start = np.asarray(self.surface.start, dtype=np.float64)
        self.update()

    def final_losses(self) -> dict:
        """Each optimizer's loss at its last step (inf if it diverged): handy for asserting in notebooks."""
        return {n: (np.inf if t.diverged_at else float(t.losses[-1])) for n, t in self.trajectories.items()}


def landscape_explorer(surface="bowl", optimizers=OPTIMIZERS, start=None, steps=None, **options) -> LandscapeExplorer:
    """The loss-landscape explorer app (display it by leaving it last in a cell).

    surface: "bowl", "rosenbrock", "saddle", "himmelblau", "linear" (a line fit's MSE over (w, b)) or
    "mlp" (a trained tiny MLP's loss on a filter-normalised 2-D slice). Options: lr, adaptive_lr,
    momentum, betas, noise, condition, resolution, seed.
    """
    return LandscapeExplorer(surface, optimizers, start=start, steps=steps, **options)
