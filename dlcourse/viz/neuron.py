"""Two playgrounds for the first chapters: one neuron's knobs, and the perceptron learning rule.

    from dlcourse.viz.neuron import neuron_playground, perceptron_playground
    neuron_playground()                   # sliders w1, w2, b, an activation menu → output over the plane
    perceptron_playground("xor")          # drag the boundary, then step / play the learning rule

The maths lives in `dlcourse.perceptron` (plain NumPy); these apps only draw it.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib import patheffects
from matplotlib.colors import ListedColormap

from dlcourse import data
from dlcourse.perceptron import ACTIVATIONS, decision_boundary, neuron, perceptron_predict, train_perceptron
from dlcourse.viz.app import App
from dlcourse.viz.style import CLASS_COLORS, COLORS, course_style, new_figure

_STYLE = {"description_width": "70px"}
_WIDE = widgets.Layout(width="280px")


def _slider(description, value, low=-3.0, high=3.0, step=0.05):
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               style=_STYLE, layout=_WIDE, readout_format=".2f")  # fmt: skip


def _signed(value: float) -> str:
    return f"({value:+.2f})" if value < 0 else f"{value:.2f}"


class NeuronPlayground(App):
    """One neuron, output = f(w1·x1 + w2·x2 + b): its output over the input plane, and f itself."""

    def __init__(self, w1=0.5, w2=0.8, b=-1.0, activation="sigmoid", x1=1.0, x2=0.5, extent=(-3.0, 3.0, -3.0, 3.0),
                 resolution=121):  # fmt: skip
        super().__init__(title="A single neuron: output = f(w1·x1 + w2·x2 + b)")
        self.extent = tuple(float(v) for v in extent)
        xs = np.linspace(self.extent[0], self.extent[1], resolution)
        ys = np.linspace(self.extent[2], self.extent[3], resolution)
        self.grid = np.stack(np.meshgrid(xs, ys), axis=-1)  # (resolution, resolution, 2): every input point
        self.z_axis = np.linspace(-6.0, 6.0, 241)
        self.figure, (self.ax, self.ax_f) = new_figure(1, 2, figsize=(9.6, 4.0))
        with course_style():
            self.image = self.ax.imshow(np.zeros((2, 2)), origin="lower", extent=self.extent, cmap="cividis",
                                        aspect="auto", interpolation="bilinear")  # fmt: skip
            self.figure.colorbar(self.image, ax=self.ax, label="neuron output")
            outlined = [patheffects.withStroke(linewidth=4, foreground="white")]  # visible on dark and light
            (self.boundary,) = self.ax.plot([], [], "-", color="black", lw=2, path_effects=outlined,
                                            label="w·x + b = 0")  # fmt: skip
            # w is black in every chapter (the perceptron playground keeps orange for an update of w)
            self.weight_arrow = self.ax.quiver([0.0], [0.0], [1.0], [0.0], angles="xy", scale_units="xy", scale=1,
                                               color="black", width=0.012, path_effects=outlined)  # fmt: skip
            # clip_on=False: an input on the edge of the plane (x2 = 3) is drawn whole, not cut in half
            (self.point,) = self.ax.plot([], [], "o", color="white", markeredgecolor="black", markersize=10,
                                         label="input (x1, x2)", clip_on=False, zorder=5)  # fmt: skip
            self.ax.set(xlabel="input x1", ylabel="input x2", title="output over the input plane (arrow: w)")
            self.ax.legend(loc="upper left", fontsize=7, framealpha=0.8, frameon=True)
            (self.curve,) = self.ax_f.plot([], [], color=COLORS["blue"])
            (self.z_line,) = self.ax_f.plot([], [], "--", color="0.5", lw=1)
            (self.z_point,) = self.ax_f.plot([], [], "o", color=COLORS["vermillion"], markersize=8)
            self.ax_f.set(xlabel="weighted sum z = w·x + b", ylabel="output f(z)")
            self.figure.tight_layout()
        # what a slider move changes: redrawn alone (blitting) while limits, colours and titles stay
        self.set_animated([self.image, self.boundary, self.weight_arrow, self.point, self.curve, self.z_line,
                           self.z_point])  # fmt: skip
        slider = self.add_control
        slider("w1", _slider("weight w1", w1), self.update)
        slider("w2", _slider("weight w2", w2), self.update)
        slider("b", _slider("bias b", b), self.update)
        slider("activation", widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation",
                                              style=_STYLE, layout=_WIDE), self.update)  # fmt: skip
        slider("x1", _slider("input x1", x1, *self.extent[:2]), self.update)
        slider("x2", _slider("input x2", x2, *self.extent[2:]), self.update)
        self.update()

    @property
    def weights(self):
        c = self.controls
        return np.array([c["w1"].value, c["w2"].value]), float(c["b"].value)

    @property
    def inputs(self) -> np.ndarray:
        return np.array([self.controls["x1"].value, self.controls["x2"].value])

    @property
    def z(self) -> float:
        """The weighted sum w·x + b at the chosen input."""
        w, b = self.weights
        return float(self.inputs @ w + b)

    @property
    def output_value(self) -> float:
        """The neuron's output f(w·x + b) at the chosen input."""
        w, b = self.weights
        return float(neuron(self.inputs, w, b, self.controls["activation"].value))

    def update(self, change=None):
        """Recompute the output surface, the boundary, the activation curve and the status line."""
        (w, b), name = self.weights, self.controls["activation"].value
        surface = neuron(self.grid, w, b, name)  # (resolution, resolution)
        self.image.set_data(surface)
        low, high = float(surface.min()), float(surface.max())
        if name in ("step", "sigmoid"):
            low, high = 0.0, 1.0  # fixed scales where the range is known: colours keep their meaning
        elif name == "tanh":
            low, high = -1.0, 1.0
        self.image.set_clim(low, high if high > low else low + 1.0)
        self.boundary.set_data(*decision_boundary(w, b, self.extent))
        self.weight_arrow.set_UVC([w[0]], [w[1]])
        self.weight_arrow.set_visible(bool(w.any()))
        x1, x2 = self.inputs
        self.point.set_data([x1], [x2])
        z, f = self.z, self.output_value
        lo, hi = min(-6.0, z - 1.0), max(6.0, z + 1.0)  # keep the current z in view
        zs = np.linspace(lo, hi, 241)
        fz = ACTIVATIONS[name](zs)
        self.curve.set_data(zs, fz)
        self.z_line.set_data([z, z], [min(fz.min(), f) - 0.1, max(fz.max(), f) + 0.1])
        self.z_point.set_data([z], [f])
        limits = ((lo, hi), (min(fz.min(), -0.1) - 0.1, max(fz.max(), 1.0) + 0.1))
        self.ax_f.set_xlim(limits[0])
        self.ax_f.set_ylim(limits[1])
        self.ax_f.set_title(f"activation: {name}")
        text = (
            f"z = {w[0]:.2f}·{_signed(x1)} + {w[1]:.2f}·{_signed(x2)} + {_signed(b)} = {z:.2f}  →  {name}(z) = {f:.3f}"
        )
        if not w.any():
            text += f"  ·  w1 = w2 = 0: the inputs are ignored, no boundary — the output is {name}(b) everywhere"
        self.message(text, level="warning" if not w.any() else "info")
        self.show((name, low, high, limits))


def neuron_playground(**options) -> NeuronPlayground:
    """The single-neuron app (options: w1, w2, b, activation, x1, x2, extent, resolution)."""
    return NeuronPlayground(**options)


# ---------------------------------------------------------------------------------------------- perceptron
DATASETS = {  # name → (loader, extent of the plot, class names)
    "apples_oranges": (lambda: data.apples_oranges(n=40, seed=0), (0.0, 2.1, 0.0, 2.1), ("apple", "orange")),
    "and": (data.and_, (-0.5, 1.5, -0.5, 1.5), ("0", "1")),
    "or": (data.or_, (-0.5, 1.5, -0.5, 1.5), ("0", "1")),
    "xor": (data.xor, (-0.5, 1.5, -0.5, 1.5), ("0", "1")),
}
_DATASET_CHOICES = [("apples vs oranges", "apples_oranges"), ("AND", "and"), ("OR", "or"), ("XOR", "xor")]


class PerceptronPlayground(App):
    """Data, the boundary w·x + b = 0 and the learning rule applied one training point at a time."""

    def __init__(self, dataset="apples_oranges", w1=0.5, w2=0.8, b=-1.0, lr=0.5, epochs=20, resolution=101):
        super().__init__(title="The perceptron: drag the boundary, then let the learning rule move it")
        self.epochs, self.resolution = int(epochs), int(resolution)
        self._build_figure()
        add = self.add_control
        add("dataset", widgets.Dropdown(options=_DATASET_CHOICES, value=dataset, description="data", style=_STYLE,
                                        layout=_WIDE), self._on_dataset)  # fmt: skip
        add("lr", widgets.FloatLogSlider(value=lr, min=-2, max=1, description="learning rate η", style=_STYLE,
                                         layout=_WIDE, readout_format=".2g"), self.retrain)  # fmt: skip
        self.add_button("reset", "back to step 0", self.reset, icon="undo")
        add("w1", _slider("w1", w1), self.retrain)
        add("w2", _slider("w2", w2), self.retrain)
        add("b", _slider("b", b), self.retrain)
        step_slider = widgets.IntSlider(value=0, min=0, max=1, description="step", style=_STYLE, layout=_WIDE)
        add("step", step_slider, self._on_step)
        self.add_player("play", step_slider, interval_ms=250)
        self.add_button("next", "next point", self.next_step, icon="step-forward")
        self.add_button("next_mistake", "next mistake", self.next_mistake, icon="fast-forward")
        self._load(dataset)
        self.retrain()

    # ------------------------------------------------------------------ figure
    def _build_figure(self):
        self.figure, (self.ax, self.ax_acc) = new_figure(1, 2, figsize=(11.0, 4.3))
        ax = self.ax
        with course_style():
            light = ListedColormap([CLASS_COLORS[0], CLASS_COLORS[1]])
            self.regions = ax.imshow(np.zeros((2, 2)), origin="lower", cmap=light, alpha=0.18, vmin=0, vmax=1,
                                     aspect="auto", interpolation="nearest")  # fmt: skip
            self.class_points = [ax.plot([], [], marker, color=CLASS_COLORS[k], markeredgecolor="white", ms=8)[0]
                                 for k, marker in enumerate("os")]  # fmt: skip
            (self.wrong,) = ax.plot([], [], "x", color="black", ms=7, mew=1.5, label="misclassified")
            (self.highlight,) = ax.plot([], [], "o", mfc="none", mec=COLORS["vermillion"], ms=18, mew=2.5,
                                        label="point just used")  # fmt: skip
            (self.old_boundary,) = ax.plot([], [], "--", color="0.45", lw=1.4, label="boundary before")
            (self.boundary,) = ax.plot([], [], "-", color="black", lw=2.2, label="boundary w·x + b = 0")
            arrow = dict(angles="xy", scale_units="xy", scale=1, width=0.011, zorder=6)
            self.old_weight_arrow = ax.quiver([0.0], [0.0], [0.0], [0.0], color="0.6", label="weights before", **arrow)
            self.weight_arrow = ax.quiver([0.0], [0.0], [0.0], [0.0], color="black", label="weights w", **arrow)
            self.update_arrow = ax.quiver([0.0], [0.0], [0.0], [0.0], color=COLORS["vermillion"],
                                          label="update η(y − ŷ)x", **arrow)  # fmt: skip
            self.ax_acc.axhline(1.0, color="0.6", lw=1, ls=":")
            (self.acc_line,) = self.ax_acc.plot([], [], color=COLORS["blue"], lw=1.5)
            (self.acc_point,) = self.ax_acc.plot([], [], "o", color=COLORS["vermillion"], ms=8)
            self.ax_acc.set(xlabel="step (one training point each)", ylabel="training accuracy", ylim=(0, 1.05),
                            title="accuracy after each step")  # fmt: skip
            self.figure.tight_layout()
        self.set_animated([self.regions, self.wrong, self.highlight, self.old_boundary, self.boundary,
                           self.old_weight_arrow, self.weight_arrow, self.update_arrow, self.acc_point])  # fmt: skip

    def _load(self, name):
        loader, self.extent, self.class_names = DATASETS[name]
        self.X, self.y = loader()
        x0, x1, y0, y1 = self.extent
        xs, ys = np.linspace(x0, x1, self.resolution), np.linspace(y0, y1, self.resolution)
        self.grid = np.stack(np.meshgrid(xs, ys), axis=-1)  # (resolution, resolution, 2)
        self.anchor = np.array([(x0 + x1) / 2, (y0 + y1) / 2])  # where the weight arrow starts
        for k, line in enumerate(self.class_points):
            line.set_data(self.X[self.y == k, 0], self.X[self.y == k, 1])
            line.set_label(self.class_names[k])
        self.regions.set_extent(self.extent)
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.ax.set_xlabel("x1 = weight" if name == "apples_oranges" else "x1")
        self.ax.set_ylabel("x2 = size" if name == "apples_oranges" else "x2")
        self.ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)  # outside: never hides a point
        self.figure.tight_layout()

    # ------------------------------------------------------------------ callbacks
    def retrain(self, change=None):
        """Run the learning rule from the slider weights; the step slider then walks through it from 0."""
        c = self.controls
        w, b = np.array([c["w1"].value, c["w2"].value]), float(c["b"].value)
        self.run = train_perceptron(self.X, self.y, w=w, b=b, lr=c["lr"].value, epochs=self.epochs)
        all_weights = np.vstack([self.run.w_initial] + [s.w_after for s in self.run.steps])  # (steps + 1, 2)
        largest = max(float(np.abs(all_weights).max()), 1e-9)
        self.arrow_scale = 0.3 * (self.extent[1] - self.extent[0]) / largest  # one scale for the whole run
        accuracy = [float(np.mean(perceptron_predict(self.X, w, b) == self.y))]
        accuracy += [s.accuracy_after for s in self.run.steps]
        self.acc_line.set_data(np.arange(len(accuracy)), accuracy)
        self.ax_acc.set_xlim(0, max(1, len(accuracy) - 1))
        with self.hold_updates():
            c["step"].max = max(1, len(self.run.steps))
            c["step"].value = 0
        self.show_step(0, full=True)

    def _on_dataset(self, change):
        self._load(change["new"])
        self.retrain()

    def _on_step(self, change):
        self.show_step(change["new"])

    def next_step(self):
        """Apply the learning rule to the next training point (the 'next point' button)."""
        slider = self.controls["step"]
        slider.value = min(slider.value + 1, slider.max)

    def next_mistake(self):
        """Jump to the next step where the rule changed the weights (the 'next mistake' button)."""
        slider, steps = self.controls["step"], self.run.steps
        later = [k for k in range(slider.value + 1, len(steps) + 1) if steps[k - 1].mistake]
        slider.value = later[0] if later else len(steps)

    def reset(self):
        self.controls["step"].value = 0

    def show_step(self, k: int, full: bool = False):
        """Draw the weights after `k` updates, and what update k did (point, old boundary, arrow)."""
        k = min(k, len(self.run.steps))
        w, b = self.run.weights_at(k)
        self.current_weights = (w, b)
        predicted = perceptron_predict(self.grid, w, b)  # (resolution, resolution) of 0/1
        self.regions.set_data(predicted)
        wrong = perceptron_predict(self.X, w, b) != self.y
        self.wrong.set_data(self.X[wrong, 0], self.X[wrong, 1])
        self.boundary.set_data(*decision_boundary(w, b, self.extent))
        tail = self.anchor
        self.weight_arrow.set_offsets([tail])
        self.weight_arrow.set_UVC([self.arrow_scale * w[0]], [self.arrow_scale * w[1]])
        self.weight_arrow.set_visible(bool(w.any()))  # a zero-length arrow would still draw a dot
        accuracy, n_right = 1.0 - float(np.mean(wrong)), int(np.sum(~wrong))
        self.acc_point.set_data([k], [accuracy])
        step = self.run.steps[k - 1] if k > 0 else None
        if step is None:
            self.highlight.set_data([], [])
            self.old_boundary.set_data([], [])
            self.update_arrow.set_visible(False)
            self.old_weight_arrow.set_visible(False)
            text = f"starting weights w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f}: {n_right}/{len(self.y)} right"
            text += " — press play or 'next point' to run the learning rule"
        else:
            x = self.X[step.index]
            self.highlight.set_data([x[0]], [x[1]])
            self.old_boundary.set_data(*decision_boundary(step.w_before, step.b_before, self.extent))
            delta = step.w_after - step.w_before
            self.update_arrow.set_offsets([tail + self.arrow_scale * step.w_before])
            self.update_arrow.set_UVC([self.arrow_scale * delta[0]], [self.arrow_scale * delta[1]])
            self.update_arrow.set_visible(step.mistake)
            self.old_weight_arrow.set_offsets([tail])
            self.old_weight_arrow.set_UVC([self.arrow_scale * step.w_before[0]], [self.arrow_scale * step.w_before[1]])
            self.old_weight_arrow.set_visible(step.mistake and bool(step.w_before.any()))
            said, truth = self.class_names[step.prediction], self.class_names[step.target]
            text = f"step {k}/{len(self.run.steps)} · epoch {step.epoch + 1} · point ({x[0]:.2f}, {x[1]:.2f}): "
            if step.mistake:
                sign = "+" if step.target > step.prediction else "−"
                text += f"predicted {said}, truly {truth} → w {sign}= η·x, b {sign}= η"
            else:
                text += f"predicted {said}, correct → no change"
            text += f" · w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f} · {n_right}/{len(self.y)} right"
        if k == len(self.run.steps) and k > 0:
            if self.run.converged:
                text += f" · converged: a whole epoch without a mistake (epoch {self.run.epochs})"
            else:
                text += f" · not converged after {self.run.epochs} epochs"
        if not w.any():
            text += f" · w1 = w2 = 0: no boundary line, every point is called {self.class_names[int(b >= 0)]!r}"
        self.message(text, level="warning" if not w.any() else "info")
        if full:
            self.redraw()
        else:
            self.redraw_frame()  # an animation frame: only the moving artists are redrawn


def perceptron_playground(dataset="apples_oranges", **options) -> PerceptronPlayground:
    """The perceptron app: dataset "apples_oranges", "and", "or" or "xor" (options: w1, w2, b, lr, epochs)."""
    return PerceptronPlayground(dataset, **options)
