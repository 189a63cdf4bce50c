"""Two apps for chapter 03: an activation explorer, and gradient magnitude through a deep stack.

    from dlcourse.viz.activations import activation_explorer, gradient_depth_explorer
    activation_explorer("sigmoid")        # f(x) and f'(x) side by side; softmax: bars + a temperature slider
    gradient_depth_explorer("sigmoid")    # ‖∂L/∂W‖ of every layer of a deep stack, on a log scale

The numbers come from the library (`nn.functional`, autograd): f' is what `backward()` computes.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import AutoLocator, ScalarFormatter

import dlcourse as dl
from dlcourse import nn
from dlcourse.nn import functional as F
from dlcourse.viz.app import App
from dlcourse.viz.limits import steady_log_limits
from dlcourse.viz.style import COLORS, course_style, new_figure

ELEMENTWISE = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")
ACTIVATIONS = (*ELEMENTWISE, "softmax")
SOFTMAX_LOGITS = np.array([2.0, 1.0, 0.2, -1.0])  # the small logit vector the softmax view shows
SATURATED = 0.01  # |f'(x)| below this counts as "saturated": almost no gradient gets through
_STYLE = {"description_width": "90px"}


def apply_activation(name: str, x, slope: float = 0.01):
    """f(x) for an elementwise activation by name, on a Tensor (so that autograd can differentiate it)."""
    functions = {"linear": lambda t: t, "sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu,
                 "leaky_relu": lambda t: F.leaky_relu(t, slope), "elu": F.elu, "gelu": F.gelu}  # fmt: skip
    if name not in functions:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ELEMENTWISE)}")
    return functions[name](x)


def activation_and_derivative(name: str, x, slope: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """(f(x), f'(x)) elementwise; f' by autograd: the gradient of Σ f(x) with respect to each x."""
    x = dl.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    y = apply_activation(name, x, slope)
    y.sum().backward()  # ∂(Σᵢ f(xᵢ))/∂xⱼ = f'(xⱼ): each output depends on its own input only
    return np.asarray(y.data), np.asarray(x.grad)


def softmax_with_temperature(logits, temperature: float) -> np.ndarray:
    """softmax(z / T) = exp(zᵢ/T) / Σⱼ exp(zⱼ/T); T → 0 gives argmax (one-hot), T → ∞ the uniform split."""
    z = np.asarray(logits, dtype=np.float64)
    if temperature <= 0:  # the limit T → 0⁺: all probability on the largest logit (ties share it)
        top = (z == z.max(axis=-1, keepdims=True)).astype(np.float64)
        return top / top.sum(axis=-1, keepdims=True)
    return np.asarray(F.softmax(dl.tensor(z / temperature), dim=-1).data)


def _initialise(layer: nn.Linear, activation: str, init: str, slope: float, rng) -> None:
    """Re-draw a layer's weight: "default" keeps PyTorch's, "recommended" picks Xavier or He for `activation`."""
    if init == "recommended":
        init = "he" if activation in ("relu", "leaky_relu", "elu", "gelu") else "xavier"
    gain = nn.init.calculate_gain(activation if activation in ("sigmoid", "tanh") else "linear")
    if init == "xavier":
        nn.init.xavier_normal_(layer.weight, gain=gain, seed=rng)
    elif init == "he":
        a = slope if activation == "leaky_relu" else 0.0
        nn.init.kaiming_normal_(layer.weight, a=a, nonlinearity="leaky_relu", seed=rng)
    elif init != "default":
        raise ValueError(f"unknown init {init!r}; choose 'recommended', 'default', 'xavier' or 'he'")


def layer_gradient_norms(activation: str, depth: int, width: int = 32, batch: int = 64,
                         init: str = "recommended", slope: float = 0.01, seed: int = 0) -> np.ndarray:  # fmt: skip
    """‖∂L/∂Wₗ‖ for each hidden layer l = 1 … depth of [Linear → activation] × depth → Linear(width, 1).

    L = MSE between the output and random targets, on a batch of random N(0, 1) inputs; float64 so
    that tiny gradients (1e-30) are measured, not rounded to 0. Layer 1 is the one nearest the input.
    """
    if depth < 0:
        raise ValueError(f"depth must be ≥ 0, got {depth}")
    rng = np.random.default_rng(seed)
    hidden = []
    for _ in range(depth):
        layer = nn.Linear(width, width, dtype=np.float64, seed=rng)
        _initialise(layer, activation, init, slope, rng)
        hidden.append(layer)
    head = nn.Linear(width, 1, dtype=np.float64, seed=rng)
    h = dl.tensor(rng.standard_normal((batch, width)))  # (batch, width)
    for layer in hidden:
        h = apply_activation(activation, layer(h), slope)
    loss = F.mse_loss(head(h), rng.standard_normal((batch, 1)))
    loss.backward()
    return np.array([np.linalg.norm(layer.weight.grad) for layer in hidden])


class ActivationExplorer(App):
    """An activation f and its derivative f' side by side, with a probe point; softmax as bars."""

    def __init__(self, activation: str = "sigmoid", slope: float = 0.1, temperature: float = 1.0, x0: float = 1.0,
                 x_range=(-6.0, 6.0)):  # fmt: skip
        super().__init__(title="Activation functions and their derivatives")
        self.x = np.linspace(*x_range, 601)
        self.figure, (self.ax_f, self.ax_df) = new_figure(1, 2, figsize=(9.6, 3.8))
        n = len(SOFTMAX_LOGITS)
        with course_style():
            (self.f_line,) = self.ax_f.plot([], [], color=COLORS["blue"], label="f(x)")
            (self.tangent,) = self.ax_f.plot([], [], "--", color=COLORS["vermillion"], lw=1.2, label="tangent at x₀")
            (self.f_point,) = self.ax_f.plot([], [], "o", color=COLORS["vermillion"])
            (self.df_line,) = self.ax_df.plot([], [], color=COLORS["orange"], label="f'(x)")
            (self.df_point,) = self.ax_df.plot([], [], "o", color=COLORS["vermillion"])
            self.saturation = None  # the shaded region where |f'| < SATURATED (redrawn on every update)
            self.logit_bars = self.ax_f.bar(np.arange(n), SOFTMAX_LOGITS, color=COLORS["sky"])
            self.prob_bars = self.ax_df.bar(np.arange(n), np.full(n, 1 / n), color=COLORS["green"])
            self.ax_f.legend(loc="upper left")
            self.ax_f.set(title="f(x)", xlabel="x")  # placeholders, so that tight_layout leaves room for titles
            self.ax_df.set(title="f'(x)", xlabel="x")
            # the numbers at the probe (or the temperature): a text that changes with every slider move
            self.probe_text = self.ax_df.text(0.02, 0.97, "", transform=self.ax_df.transAxes, va="top", fontsize=9,
                                              bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))  # fmt: skip
            self.figure.tight_layout()
        # what the x₀ and T sliders move, redrawn alone (blitting); the curves change with the activation only
        self.set_animated([self.tangent, self.f_point, self.df_point, self.probe_text, *self.prob_bars])
        self._static = None  # (activation, slope) whose curves, limits and shading are drawn
        menu = widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation", style=_STYLE)
        self.add_control("activation", menu, self.update)
        slope_slider = widgets.FloatSlider(
            slope, min=0.0, max=1.0, step=0.01, description="leaky slope α", style=_STYLE
        )
        self.add_control("slope", slope_slider, self.update)
        t_slider = widgets.FloatSlider(
            temperature, min=0.0, max=5.0, step=0.05, description="temperature T", style=_STYLE
        )
        self.add_control("temperature", t_slider, self.update)
        x0_slider = widgets.FloatSlider(
            x0, min=x_range[0], max=x_range[1], step=0.1, description="probe x₀", style=_STYLE
        )
        self.add_control("x0", x0_slider, self.update)
        self.update()

    def update(self, change=None):
        name = self.controls["activation"].value
        is_softmax = name == "softmax"
        self.controls["slope"].disabled = name != "leaky_relu"
        self.controls["temperature"].disabled = not is_softmax
        self.controls["x0"].disabled = is_softmax
        key = ("softmax",) if is_softmax else (name, self.controls["slope"].value)
        if key != self._static:  # a new activation: curves, limits, shading, titles
            self._static = key
            for artist in (self.f_line, self.tangent, self.f_point, self.df_line, self.df_point):
                artist.set_visible(not is_softmax)
            for bar in (*self.logit_bars, *self.prob_bars):
                bar.set_visible(is_softmax)
            self.ax_f.get_legend().set_visible(not is_softmax)
            if self.saturation is not None:
                self.saturation.remove()
                self.saturation = None
            self._draw_softmax_axes() if is_softmax else self._draw_curves(name)
        if is_softmax:
            self._show_softmax()
        else:
            self._show_probe(name)
        self.show(key)

    def _draw_curves(self, name):
        """f and f' of the activation, the limits and the shaded flat region (not per probe move)."""
        slope = self.controls["slope"].value
        y, dy = activation_and_derivative(name, self.x, slope)
        self.f_line.set_data(self.x, y)
        self.df_line.set_data(self.x, dy)
        for ax in (self.ax_f, self.ax_df):  # undo the softmax view's class labels
            ax.xaxis.set_major_locator(AutoLocator())
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.set_xlabel("x")
        low, high = min(y.min(), -1.0), max(y.max(), 1.0)
        pad = 0.08 * (high - low)
        self.ax_f.set(xlim=(self.x[0], self.x[-1]), ylim=(low - pad, high + pad), title=f"{name}(x)")
        self.ax_df.set(xlim=(self.x[0], self.x[-1]), ylim=(min(dy.min(), 0) - 0.1, max(dy.max(), 1) + 0.1),
                       title=f"derivative {name}'(x)")  # fmt: skip
        flat = np.abs(dy) < SATURATED
        self.saturation = self.ax_df.fill_between(self.x, -10, 10, where=flat, color=COLORS["vermillion"], alpha=0.12,
                                                  lw=0, label=f"flat: |f'| < {SATURATED}")  # fmt: skip
        self.ax_df.legend(handles=[self.df_line, self.saturation], loc="upper right", fontsize=8, frameon=False)
        if name == "leaky_relu" and slope == 0:
            self.message("slope α = 0: Leaky ReLU is plain ReLU — negative inputs get no gradient, so units can die",
                         level="warning")  # fmt: skip
        elif name == "relu":
            self.message("relu: slope exactly 1 for x > 0 and exactly 0 for x < 0 — a unit whose inputs all land "
                         "on the left gets no gradient at all (a 'dead' unit)")  # fmt: skip
        elif flat.any():
            self.message(f"{name}: largest slope {dy.max():.3g}; |f'| < {SATURATED} on {flat.mean():.0%} of "
                         f"[{self.x[0]:g}, {self.x[-1]:g}] (shaded): little gradient passes there")  # fmt: skip
        else:
            self.message(f"{name}: largest slope {dy.max():.3g}; the gradient never vanishes on this range")

    def _show_probe(self, name):
        """The probe x₀: its point on f and f', the tangent there, and the numbers."""
        slope, x0 = self.controls["slope"].value, self.controls["x0"].value
        (f0,), (df0,) = (a for a in activation_and_derivative(name, np.array([x0]), slope))
        self.tangent.set_data(self.x, f0 + df0 * (self.x - x0))  # the line with slope f'(x₀) through (x₀, f(x₀))
        self.f_point.set_data([x0], [f0])
        self.df_point.set_data([x0], [df0])
        self.probe_text.set_text(f"f'(x₀ = {x0:.1f}) = {df0:.3g}")

    def _draw_softmax_axes(self):
        n = len(SOFTMAX_LOGITS)
        labels = [f"class {i}" for i in range(n)]
        for ax in (self.ax_f, self.ax_df):
            ax.set_xticks(np.arange(n), labels)
            ax.set_xlim(-0.6, n - 0.4)
        self.ax_f.set(ylim=(SOFTMAX_LOGITS.min() - 0.5, SOFTMAX_LOGITS.max() + 0.5), title="logits z", xlabel="")
        self.ax_df.set(ylim=(0, 1.05), title="softmax(z / T)", xlabel="")
        if self.ax_df.get_legend() is not None:
            self.ax_df.get_legend().remove()

    def _show_softmax(self):
        temperature = self.controls["temperature"].value
        probabilities = softmax_with_temperature(SOFTMAX_LOGITS, temperature)
        for bar, p in zip(self.prob_bars, probabilities):
            bar.set_height(p)
        n = len(SOFTMAX_LOGITS)
        self.probe_text.set_text(f"T = {temperature:.2f}")
        entropy = -np.sum(probabilities * np.log(np.where(probabilities > 0, probabilities, 1)))
        if temperature == 0:
            self.message("T = 0: softmax becomes argmax — all probability on the largest logit, and no gradient",
                         level="warning")  # fmt: skip
        else:
            self.message(f"largest probability {probabilities.max():.2f}, entropy {entropy:.2f} nats "
                         f"(uniform: {np.log(n):.2f}); low T sharpens, high T flattens")  # fmt: skip


class GradientDepthExplorer(App):
    """Per-layer gradient norms of a deep stack, log scale: watch them vanish (or not) as depth grows."""

    def __init__(self, activation: str = "sigmoid", depth: int = 20, compare: str = "relu", init: str = "recommended",
                 width: int = 32, max_depth: int = 60, seed: int = 0):  # fmt: skip
        super().__init__(title="Gradient magnitude through depth")
        self.width, self.seed = width, seed
        self.figure, self.ax = new_figure(figsize=(7.5, 4.0))
        with course_style():
            (self.line,) = self.ax.semilogy([], [], "o-", color=COLORS["vermillion"], ms=3, label=activation)
            (self.compare_line,) = self.ax.semilogy([], [], "s--", color=COLORS["blue"], ms=3, alpha=0.7)
            self.ax.set(xlabel="layer (1 = nearest the input)", ylabel="‖∂L/∂W‖ (log scale)", title="layers")
            self.info = self.ax.text(0.02, 0.97, "", transform=self.ax.transAxes, va="top", fontsize=9,
                                     bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))  # fmt: skip
            self.figure.tight_layout()
        self.set_animated([self.line, self.compare_line, self.info])  # a depth move redraws only these
        self._cache = {}  # (activation, depth, init) → norms: dragging the depth back and forth is instant
        self._y_limits = self._x_limit = None
        menu = widgets.Dropdown(options=ELEMENTWISE, value=activation, description="activation", style=_STYLE)
        self.add_control("activation", menu, self.update)
        depth_slider = widgets.IntSlider(depth, min=0, max=max_depth, description="depth", style=_STYLE)
        self.add_control("depth", depth_slider, self.update)
        others = ("none", *ELEMENTWISE)
        compare_menu = widgets.Dropdown(options=others, value=compare, description="compare with", style=_STYLE)
        self.add_control("compare", compare_menu, self.update)
        inits = ("recommended", "default", "xavier", "he")
        self.add_control(
            "init", widgets.Dropdown(options=inits, value=init, description="init", style=_STYLE), self.update
        )
        self.norms, self.compare_norms = np.array([]), np.array([])
        self.update()

    def _norms(self, activation, depth):
        key = (activation, depth, self.controls["init"].value)
        if key not in self._cache:
            self._cache[key] = layer_gradient_norms(activation, depth, self.width, init=key[2], seed=self.seed)
        return self._cache[key]

    def update(self, change=None):
        name, depth, other = (self.controls[k].value for k in ("activation", "depth", "compare"))
        if depth == 0:
            self.norms, self.compare_norms = np.array([]), np.array([])
            for line in (self.line, self.compare_line):
                line.set_data([], [])
            self.ax.set_title("no hidden layers")
            self.message("depth 0: no hidden layers, so nothing to pass the gradient through — choose depth ≥ 1",
                         level="warning")  # fmt: skip
            self.redraw()
            return
        layers = np.arange(1, depth + 1)
        self.norms = self._norms(name, depth)
        self.compare_norms = self._norms(other, depth) if other != "none" else np.array([])
        # log scale: an exact zero (every unit dead) cannot be drawn; it is reported instead
        self.line.set_data(layers, np.where(self.norms > 0, self.norms, np.nan))
        self.line.set_label(name)
        shown = self.compare_norms if other != "none" else np.full(depth, np.nan)
        self.compare_line.set_data(layers, np.where(shown > 0, shown, np.nan))
        self.compare_line.set_label(other)
        self.compare_line.set_visible(other != "none")
        values = np.concatenate([self.norms, self.compare_norms])
        values = values[np.isfinite(values) & (values > 0)]
        # limits in jumps (x: tens of layers, y: whole decades) that shrink only when far too wide, so
        # that dragging the depth back and forth mostly blits (a full redraw of a log axis is ~35 ms)
        if values.size:
            self._y_limits = steady_log_limits(self._y_limits, values.min(), values.max(), slack=12)
        y_limits = self._y_limits or self.ax.get_ylim()
        needed = 10 * int(np.ceil(depth / 10)) + 0.5
        if self._x_limit is None or needed > self._x_limit or needed < self._x_limit - 20:
            self._x_limit = needed
        x_limit = self._x_limit
        self.ax.set_ylim(y_limits)
        self.ax.set_xlim(0.5, x_limit)
        self.ax.set_title(f"width {self.width}, init: {self.controls['init'].value}")
        self.info.set_text(f"{depth} layers")
        self.ax.legend(loc="lower right")
        self.message(*self._summary(name, other))
        self.show((name, other, self.controls["init"].value, y_limits, x_limit))

    def _summary(self, name, other):
        first, last = self.norms[0], self.norms[-1]
        if not np.isfinite(self.norms).all():
            return f"{name}: the gradients overflowed (inf/NaN) — this init makes the signal explode", "error"
        if last == 0 or first == 0:
            return f"{name}: some layers get exactly zero gradient — every unit there is dead", "warning"
        text = f"{name}: first layer {first:.1e}, last layer {last:.1e} (ratio {first / last:.1e})"
        if other != "none" and self.compare_norms.size and self.compare_norms[0] > 0:
            text += f"; first layer {name}/{other} = {first / self.compare_norms[0]:.1e}"
        return text, "warning" if first / last < 1e-3 else "info"


def activation_explorer(activation: str = "sigmoid", **kwargs) -> ActivationExplorer:
    """An `ActivationExplorer` (display it as the last line of a cell)."""
    return ActivationExplorer(activation, **kwargs)


def gradient_depth_explorer(activation: str = "sigmoid", depth: int = 20, **kwargs) -> GradientDepthExplorer:
    """A `GradientDepthExplorer` (display it as the last line of a cell)."""
    return GradientDepthExplorer(activation, depth, **kwargs)
