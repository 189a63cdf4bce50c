"""Two apps for chapter 04: what each loss charges for a prediction, and how an outlier drags a line fit.

    from dlcourse.viz.losses import loss_explorer, outlier_fit
    loss_explorer()     # MSE/MAE/Huber vs the prediction, BCE/hinge vs the score, cross-entropy vs p(true class)
    outlier_fit()       # move (or drag) one outlier: the MSE, MAE and Huber lines refit live

The maths is plain NumPy (`regression_losses`, `classification_losses`, `fit_line`) so that notebooks
and tests use the very functions the apps draw.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlcourse.viz.app import App
from dlcourse.viz.style import COLORS, course_style, new_figure

LOSS_COLORS = {"mse": COLORS["vermillion"], "mae": COLORS["blue"], "huber": COLORS["green"]}
LOSS_LABELS = {"mse": "MSE", "mae": "MAE", "huber": "Huber"}
_CURVES = {  # name → (label, colour, line style) in the loss explorer
    "mse": ("MSE", COLORS["vermillion"], "-"),
    "mae": ("MAE", COLORS["blue"], "--"),
    "huber": ("Huber", COLORS["green"], "-"),
    "bce": ("BCE (log loss)", COLORS["vermillion"], "-"),
    "hinge": ("hinge", COLORS["blue"], "-"),
    "zero_one": ("0-1 (errors)", COLORS["black"], ":"),
}
_STYLE = {"description_width": "95px"}
_WIDE = widgets.Layout(width="290px")


def _slider(description, value, low, high, step=0.01, log=False):
    common = dict(value=value, description=description, style=_STYLE, layout=_WIDE, readout_format=".3g")
    if log:  # FloatLogSlider takes exponents of 10 as its limits
        return widgets.FloatLogSlider(min=np.log10(low), max=np.log10(high), step=0.01, **common)
    return widgets.FloatSlider(min=low, max=high, step=step, **common)


# ---------------------------------------------------------------------------------------- the maths
def regression_losses(prediction, target, delta: float = 1.0) -> dict:
    """Per-element losses of d = prediction - target: MSE d², MAE |d|, Huber ½d² (|d| ≤ δ) or δ(|d| - ½δ)."""
    if not delta > 0:
        raise ValueError(f"the Huber delta must be positive, got {delta}")
    d = np.asarray(prediction, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    size = np.abs(d)
    huber = np.where(size <= delta, 0.5 * d * d, delta * (size - 0.5 * delta))
    return {"mse": d * d, "mae": size, "huber": huber}


def classification_losses(score, label: int) -> dict:
    """Per-element losses of a raw score s for a 0/1 label (y = ±1): BCE log(1 + e^{-ys}), hinge max(0, 1 - ys), 0-1."""
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, got {label!r}")
    margin = (2 * label - 1) * np.asarray(score, dtype=np.float64)  # y·s with y = ±1: > 0 means "right side"
    return {
        "bce": np.logaddexp(0.0, -margin),  # = -log σ(y·s), finite for any score
        "hinge": np.maximum(0.0, 1.0 - margin),
        "zero_one": (margin <= 0).astype(np.float64),
    }


def _weighted_line(x, y, w):
    """Weighted least squares for y ≈ a·x + b, solved from the 2×2 normal equations; batched over y's rows."""
    sw, swx, swy = w.sum(-1), (w * x).sum(-1), (w * y).sum(-1)
    swxx, swxy = (w * x * x).sum(-1), (w * x * y).sum(-1)
    det = sw * swxx - swx * swx
    slope = (sw * swxy - swx * swy) / det
    return slope, (swy - slope * swx) / sw


def _mae_line(x, y):
    """The exact least-absolute-deviations line: an optimal one passes through two data points, so try every pair."""
    i, j = np.triu_indices(x.size, k=1)
    keep = x[i] != x[j]  # a vertical pair defines no line y = a·x + b
    i, j = i[keep], j[keep]
    slopes = (y[..., j] - y[..., i]) / (x[j] - x[i])  # (..., P) one candidate line per pair
    intercepts = y[..., i] - slopes * x[i]
    residual = slopes[..., None] * x  # (..., P, n); in place from here: big temporaries cost more than the maths
    residual += intercepts[..., None]
    residual -= y[..., None, :]
    cost = np.abs(residual, out=residual).sum(-1)  # (..., P) each candidate's total absolute error
    best = np.argmin(cost, axis=-1)[..., None]
    return np.take_along_axis(slopes, best, -1)[..., 0], np.take_along_axis(intercepts, best, -1)[..., 0]


def fit_line(x, y, loss: str = "mse", delta: float = 1.0, iterations: int = 100, tol: float = 1e-10):
    """(slope, intercept) minimising the mean loss of a·x + b - y; y may be (..., n) for many fits at once.

    MSE: closed form. MAE: exact, over all lines through two points. Huber: iteratively reweighted
    least squares — each pass a weighted MSE fit with weights min(1, δ/|r|) — from the MSE line,
    until the parameters move less than `tol`.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or y.shape[-1:] != x.shape or x.size < 2 or np.ptp(x) == 0:
        raise ValueError(
            f"fit_line needs x of shape (n,), n ≥ 2 distinct values, and y (..., n); got {x.shape}, {y.shape}"
        )
    if loss == "mae":
        return _mae_line(x, y)
    if loss not in ("mse", "huber"):
        raise ValueError(f"unknown loss {loss!r}: choose 'mse', 'mae' or 'huber'")
    if not delta > 0:
        raise ValueError(f"the Huber delta must be positive, got {delta}")
    slope, intercept = _weighted_line(x, y, np.ones_like(y))
    for _ in range(iterations if loss == "huber" else 0):
        residual = np.expand_dims(slope, -1) * x + np.expand_dims(intercept, -1) - y  # (..., n)
        weights = np.minimum(1.0, delta / np.maximum(np.abs(residual), 1e-12))  # ψ(r)/r: far points count less
        new_slope, new_intercept = _weighted_line(x, y, weights)
        moved = np.max(np.abs(new_slope - slope) + np.abs(new_intercept - intercept))
        slope, intercept = new_slope, new_intercept
        if moved < tol:
            break
    return slope, intercept


def line_data(n: int = 20, seed: int = 0):
    """A noisy line y = 0.5·x + 1 + N(0, 0.3²) with x spread over [0, 10]: the outlier app's clean data."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 10.0, size=n))
    return x, 0.5 * x + 1.0 + 0.3 * rng.standard_normal(n)


# ---------------------------------------------------------------------------------------- app 1: curves
class LossExplorer(App):
    """Three panels: regression losses vs the prediction, binary losses vs the score, −log p of the true class."""

    def __init__(self, target=0.0, prediction=1.5, delta=1.0, label=1, score=0.5, classes=10, p_true=0.3):
        super().__init__(title="Loss explorer: what each loss charges for a prediction")
        self.figure, (self.ax_reg, self.ax_cls, self.ax_ce) = new_figure(1, 3, figsize=(12.0, 3.8))
        with course_style():
            self.curves, self.dots = {}, {}
            for name, (label_text, color, style) in _CURVES.items():
                ax = self.ax_reg if name in LOSS_LABELS else self.ax_cls
                self.curves[name] = ax.plot([], [], style, color=color, label=label_text)[0]
                self.dots[name] = ax.plot([], [], "o", color=color, markeredgecolor="white", zorder=5)[0]
            self.target_line = self.ax_reg.axvline(target, color="0.4", ls="--", lw=1)
            self.delta_lines = [self.ax_reg.axvline(0, color=COLORS["green"], ls=":", lw=1) for _ in range(2)]
            self.ax_reg.set(xlabel="prediction ŷ", ylabel="loss", xlim=(-6, 6), ylim=(0, 6),
                            title="regression (target: dashed)")  # fmt: skip
            self.ax_cls.set(xlabel="score s (σ(s) = predicted P(class 1))", xlim=(-4, 4), ylim=(0, 4.5),
                            title="binary classification (label: see control)")  # fmt: skip
            self.ax_cls.axvline(0, color="0.4", ls="--", lw=1)
            self.p = np.linspace(1e-3, 1.0, 400)
            (self.curves["ce"],) = self.ax_ce.plot(self.p, -np.log(self.p), color=COLORS["purple"], label="−ln p")
            (self.dots["ce"],) = self.ax_ce.plot([], [], "o", color=COLORS["purple"], markeredgecolor="white")
            self.uniform_line = self.ax_ce.axhline(np.log(classes), color="0.4", ls="--", lw=1)
            self.uniform_dot = self.ax_ce.plot([], [], "s", color="0.4", label="uniform guess 1/K")[0]
            self.ax_ce.set(xlabel="p = predicted probability of the true class", ylabel="cross-entropy",
                           ylim=(0, 7), xlim=(0, 1), title="categorical cross-entropy")  # fmt: skip
            for ax in self.figure.axes:
                ax.legend(loc="upper right")
            self.figure.tight_layout()
        # fixed limits and titles: a control change only moves these, so a live frame is a cheap blit
        self.set_animated([*self.curves.values(), *self.dots.values(), self.target_line, *self.delta_lines,
                           self.uniform_line, self.uniform_dot])  # fmt: skip
        add = self.add_control
        add("target", _slider("target t", target, -2.0, 2.0), self.update)
        add("prediction", _slider("prediction ŷ", prediction, -4.0, 4.0), self.update)
        add("delta", _slider("Huber δ", delta, 0.01, 10.0, log=True), self.update)
        add("label", widgets.ToggleButtons(options=[0, 1], value=label, description="label y",
                                           style={**_STYLE, "button_width": "50px"}), self.update)  # fmt: skip
        add("score", _slider("score s", score, -4.0, 4.0), self.update)
        add("classes", widgets.IntSlider(value=classes, min=2, max=100, description="classes K", style=_STYLE,
                                         layout=_WIDE), self.update)  # fmt: skip
        add("p_true", _slider("p(true class)", p_true, 0.0, 1.0, step=0.001), self.update)
        self.update()

    def values(self) -> dict:
        """Every loss at the controls' current settings (what the dots mark)."""
        c = self.controls
        out = regression_losses(c["prediction"].value, c["target"].value, c["delta"].value)
        out.update(classification_losses(c["score"].value, c["label"].value))
        out = {name: float(value) for name, value in out.items()}
        out["ce"] = float(-np.log(max(c["p_true"].value, 1e-12)))  # p = 0 would be an infinite surprise
        return out

    def update(self, change=None):
        c, values = self.controls, self.values()
        t, yhat, delta = c["target"].value, c["prediction"].value, c["delta"].value
        grid = np.linspace(-6.0, 6.0, 481)  # the whole (fixed) x-range, wherever the target is
        for name, curve in regression_losses(grid, t, delta).items():
            self.curves[name].set_data(grid, curve)
            self.dots[name].set_data([yhat], [values[name]])
        self.target_line.set_xdata([t, t])
        for line, edge in zip(self.delta_lines, (t - delta, t + delta)):
            line.set_xdata([edge, edge])
        scores, s, label = np.linspace(-4.0, 4.0, 401), c["score"].value, c["label"].value
        for name, curve in classification_losses(scores, label).items():
            self.curves[name].set_data(scores, curve)
            self.dots[name].set_data([s], [values[name]])
        k, p = c["classes"].value, c["p_true"].value
        self.uniform_line.set_ydata([np.log(k)] * 2)
        self.uniform_dot.set_data([1.0 / k], [np.log(k)])
        self.dots["ce"].set_data([max(p, 1e-3)], [min(values["ce"], 7.0)])
        text = (f"MSE {values['mse']:.3g} · MAE {values['mae']:.3g} · Huber {values['huber']:.3g}   |   "
                f"BCE {values['bce']:.3g} · hinge {values['hinge']:.3g} (σ(s) = {1 / (1 + np.exp(-s)):.2f})   |   "
                f"CE {values['ce']:.3g}, uniform over {k}: ln {k} = {np.log(k):.3g}")  # fmt: skip
        if p <= 0:
            text += "   — p = 0: an infinite surprise (clipped to 1e-12)"
        self.message(text, level="warning" if p <= 0 else "info")
        self.redraw_frame()


def loss_explorer(**options) -> LossExplorer:
    """The loss-curves app: options target, prediction, delta, label, score, classes, p_true."""
    return LossExplorer(**options)


# ---------------------------------------------------------------------------------------- app 2: outlier
class OutlierFit(App):
    """Clean points plus one outlier you move; the MSE, MAE and Huber lines refit on every move.

    Right panel: each fit's slope as a function of the outlier's height (at its current x) — the
    "influence curve": unbounded for MSE, flat for MAE once the outlier is off the line, bounded for Huber.
    """

    losses = ("mse", "mae", "huber")

    def __init__(self, outlier_x=8.0, outlier_y=12.0, delta=1.0, n=20, seed=0, y_range=(-20.0, 40.0)):
        super().__init__(title="Line fits under MSE, MAE and Huber: move the outlier (sliders, or drag it)")
        self.x_clean, self.y_clean = line_data(n, seed)
        self.y_range = tuple(float(v) for v in y_range)
        self.sweep = np.linspace(*self.y_range, 81)  # outlier heights for the influence curves
        self.clean = {name: fit_line(self.x_clean, self.y_clean, name, delta) for name in self.losses}
        self.fits, self._dragging, self._sweep_key = {}, False, None
        self.figure, (self.ax, self.ax_slope) = new_figure(1, 2, figsize=(10.5, 4.0))
        with course_style():
            self.ax.plot(self.x_clean, self.y_clean, "o", color="0.35", markersize=5, label="data")
            (self.outlier,) = self.ax.plot([], [], "*", color=COLORS["orange"], markersize=16,
                                           markeredgecolor="black", zorder=6, label="outlier (drag me)")  # fmt: skip
            self.lines, self.slope_curves, self.dots = {}, {}, {}
            for name in self.losses:
                color = LOSS_COLORS[name]
                style = "--" if name == "mae" else "-"  # MAE and Huber often coincide: keep both visible
                self.lines[name] = self.ax.plot([], [], style, color=color, lw=2, label=f"{LOSS_LABELS[name]} fit")[0]
                self.slope_curves[name] = self.ax_slope.plot([], [], "-", color=color, label=LOSS_LABELS[name])[0]
                self.dots[name] = self.ax_slope.plot([], [], "o", color=color, markeredgecolor="white", zorder=5)[0]
            self.ax.set(xlabel="x", ylabel="y", xlim=(-0.5, 10.5), title="fits with one outlier")
            self.ax.legend(loc="upper left", fontsize=7)
            without = self.clean["mse"][0]
            self.ax_slope.axhline(without, color="0.5", ls=":", lw=1, label="MSE slope without the outlier")
            self.ax_slope.set(xlabel="outlier height y", ylabel="fitted slope", xlim=self.y_range,
                              title="slope vs the outlier's height")  # fmt: skip
            self.ax_slope.legend(loc="upper left", fontsize=7)
            self.figure.tight_layout()
        self.set_animated([self.outlier, *self.lines.values(), *self.dots.values()])
        add = self.add_control
        add("outlier_y", _slider("outlier y", outlier_y, *self.y_range, step=0.1), self.update)
        add("outlier_x", _slider("outlier x", outlier_x, 0.0, 10.0, step=0.1), self.update)
        add("delta", _slider("Huber δ", delta, 0.01, 10.0, log=True), self.update)
        canvas = self.figure.canvas
        canvas.mpl_connect("button_press_event", self.safe(self.on_press))
        canvas.mpl_connect("motion_notify_event", self.safe(self.on_move))
        canvas.mpl_connect("button_release_event", self.safe(self.on_release))
        self.update()

    @property
    def points(self):
        """(x, y) of all points, the outlier last."""
        c = self.controls
        return np.append(self.x_clean, c["outlier_x"].value), np.append(self.y_clean, c["outlier_y"].value)

    def slope_change(self) -> dict:
        """How much the outlier changed each fit's slope (against the same fit without it)."""
        return {name: float(self.fits[name][0] - self.clean[name][0]) for name in self.losses}

    def _influence_curves(self, x_out, delta):
        """Each loss's slope for every outlier height in `sweep` (one batched fit per loss)."""
        x = np.append(self.x_clean, x_out)
        clean = np.broadcast_to(self.y_clean, (self.sweep.size, self.x_clean.size))  # (heights, n)
        ys = np.concatenate([clean, self.sweep[:, None]], axis=1)  # (heights, n + 1): the outlier last
        return {name: fit_line(x, ys, name, delta)[0] for name in self.losses}

    def update(self, change=None):
        c = self.controls
        x_out, y_out, delta = c["outlier_x"].value, c["outlier_y"].value, c["delta"].value
        x, y = self.points
        self.clean["huber"] = fit_line(self.x_clean, self.y_clean, "huber", delta)
        self.fits = {name: fit_line(x, y, name, delta) for name in self.losses}
        ends = np.array([-0.5, 10.5])
        for name, (slope, intercept) in self.fits.items():
            self.lines[name].set_data(ends, slope * ends + intercept)
            self.dots[name].set_data([y_out], [slope])
        self.outlier.set_data([x_out], [y_out])
        full = False
        if self._sweep_key != (x_out, delta):  # the influence curves depend on x and δ only
            self._sweep_key, full = (x_out, delta), True
            curves = self._influence_curves(x_out, delta)
            for name, slopes in curves.items():
                self.slope_curves[name].set_data(self.sweep, slopes)
            low, high = min(s.min() for s in curves.values()), max(s.max() for s in curves.values())
            self.ax_slope.set_ylim(low - 0.1 * (high - low) - 0.05, high + 0.1 * (high - low) + 0.05)
        # limits in steps of 5 around the data and the outlier: most moves keep them (a cheap, blitted frame)
        ylim = (min(self.y_clean.min() - 1, 5 * np.floor((y_out - 1) / 5)),
                max(self.y_clean.max() + 1, 5 * np.ceil((y_out + 1) / 5)))  # fmt: skip
        if ylim != self.ax.get_ylim():
            self.ax.set_ylim(*ylim)
            full = True
        change_text = " · ".join(f"{LOSS_LABELS[n]} {d:+.3f}" for n, d in self.slope_change().items())
        self.message(f"slope change caused by the outlier: {change_text}")
        self.redraw() if full else self.redraw_frame()

    # dragging: press on the left axes picks the outlier up, motion moves it, release drops it
    def _move_to(self, event):
        c = self.controls
        with self.hold_updates():
            c["outlier_x"].value = float(np.clip(event.xdata, c["outlier_x"].min, c["outlier_x"].max))
            c["outlier_y"].value = float(np.clip(event.ydata, c["outlier_y"].min, c["outlier_y"].max))
        self.update()

    def on_press(self, event):
        if event.inaxes is self.ax and event.xdata is not None and getattr(event, "button", 1) == 1:
            self._dragging = True
            self._move_to(event)

    def on_move(self, event):
        if self._dragging and event.inaxes is self.ax and event.xdata is not None:
            self._move_to(event)

    def on_release(self, event):
        self._dragging = False


def outlier_fit(**options) -> OutlierFit:
    """The outlier app: options outlier_x, outlier_y, delta, n, seed, y_range."""
    return OutlierFit(**options)
