"""The universal-approximation apps of chapter 11: widen a network and watch it fit; build bumps by hand.

    from dlcourse.viz.universal import width_explorer, bump_builder
    width_explorer("bumpy")     # hidden-units slider: the one-hidden-layer net is retrained on the target
    bump_builder("sine")        # two steep sigmoids make a bump; a row of bumps makes any curve

The maths lives in plain functions (`sigmoid`, `bump`, `sum_of_bumps`, `bump_approximation`,
`bump_network`, `make_shallow`, `fit_steps`); the apps only draw them.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection

from dlcourse import nn, optim
from dlcourse.grad_mode import no_grad
from dlcourse.tensor import tensor
from dlcourse.viz.app import App
from dlcourse.viz.fitting import train_steps
from dlcourse.viz.limits import steady_log_limits
from dlcourse.viz.style import COLORS, course_style, new_figure

DOMAIN = (-3.0, 3.0)
TARGETS = {
    "sine": lambda x: np.sin(x),
    "step": lambda x: np.where(x >= 0, 1.0, 0.0),
    "|x|": lambda x: np.abs(x),
    "bumpy": lambda x: np.sin(3 * x) + 0.5 * np.cos(5 * x) * np.exp(-(x**2) / 4),
}
_STYLE = {"description_width": "100px"}
_WIDE = widgets.Layout(width="300px")


def target_function(name):
    """One of TARGETS by name, or any callable f(x) → y, as a function of NumPy arrays."""
    if callable(name):
        return name
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}: choose one of {list(TARGETS)} or pass a function f(x)")
    return TARGETS[name]


# ---------------------------------------------------------------------------------------------- bumps
def sigmoid(z):
    """σ(z) = 1 / (1 + e⁻ᶻ), computed from e^(−|z|) ≤ 1 so that a huge |z| cannot overflow."""
    z = np.asarray(z, dtype=np.float64)
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))  # for z < 0: eᶻ / (1 + eᶻ), the same value


def bump(x, a, b, steepness):
    """σ(s(x − a)) − σ(s(x − b)): ≈ 1 between a and b, ≈ 0 outside; the edges sharpen as s grows."""
    return sigmoid(steepness * (x - a)) - sigmoid(steepness * (x - b))


def sum_of_bumps(x, edges, heights, steepness):
    """f̂(x) = Σᵢ hᵢ · bump(x, eᵢ, eᵢ₊₁, s): bump i spans edges[i]..edges[i+1] at height heights[i]."""
    x = np.asarray(x, dtype=np.float64)
    edges, heights = np.asarray(edges, dtype=np.float64), np.asarray(heights, dtype=np.float64)
    if len(edges) != len(heights) + 1:
        raise ValueError(f"n bumps need n + 1 edges: got {len(edges)} edges for {len(heights)} heights")
    total = np.zeros_like(x)
    for a, b, h in zip(edges[:-1], edges[1:], heights):
        total += h * bump(x, a, b, steepness)
    return total


def bump_layout(n_bumps: int, domain=DOMAIN):
    """(centres, edges) of n equal bumps whose centres are n evenly spaced points of the domain, ends included."""
    lo, hi = domain
    centres = np.linspace(lo, hi, n_bumps) if n_bumps > 1 else np.array([(lo + hi) / 2])
    width = (hi - lo) / max(n_bumps - 1, 1)
    return centres, np.append(centres - width / 2, centres[-1] + width / 2)


def bump_approximation(f, n_bumps: int, x, steepness: float, domain=DOMAIN):
    """The constructive approximation: one bump per centre, as high as f there; evaluated at x."""
    if n_bumps == 0:
        return np.zeros_like(np.asarray(x, dtype=np.float64))
    centres, edges = bump_layout(n_bumps, domain)
    return sum_of_bumps(x, edges, f(centres), steepness)


def bump_network(edges, heights, steepness) -> nn.Sequential:
    """The same f̂ as `sum_of_bumps`, as an MLP 1 → 2n sigmoid units → 1 (weights set, not trained).

    Hidden unit 2i is σ(s·x − s·eᵢ), unit 2i+1 is σ(s·x − s·eᵢ₊₁); the output weights are +hᵢ and −hᵢ."""
    edges, heights = np.asarray(edges, dtype=np.float64), np.asarray(heights, dtype=np.float64)
    n = len(heights)
    hidden, output = nn.Linear(1, 2 * n, dtype=np.float64), nn.Linear(2 * n, 1, dtype=np.float64)
    hidden.weight.data[...] = steepness  # (2n, 1): every unit has the same steepness
    hidden.bias.data[0::2], hidden.bias.data[1::2] = -steepness * edges[:-1], -steepness * edges[1:]
    output.weight.data[0, 0::2], output.weight.data[0, 1::2] = heights, -heights  # (1, 2n)
    output.bias.data[...] = 0.0
    return nn.Sequential(hidden, nn.Sigmoid(), output)


# ---------------------------------------------------------------------------------------------- training
def make_shallow(hidden: int, seed: int = 0) -> nn.Sequential:
    """ŷ = Σᵢ vᵢ tanh(wᵢx + bᵢ) + c: one hidden layer of `hidden` tanh units (0 units: ŷ = c, a constant)."""
    if hidden == 0:
        model = nn.Sequential(nn.Linear(1, 1, seed=seed))
        model[0].weight.data[...] = 0.0
        model[0].weight.requires_grad = False  # no hidden unit, no path from x: only the bias c learns
        return model
    return nn.Sequential(nn.Linear(1, hidden, seed=seed), nn.Tanh(), nn.Linear(hidden, 1, seed=seed + 1))


# full-batch MSE steps, shared with the regression-fit app of chapter 07 (chapter 11 calls it fit_steps)
fit_steps = train_steps


def unit_contributions(model, x) -> np.ndarray:
    """(hidden, len(x)): what each hidden unit adds to the output, vᵢ · tanh(wᵢx + bᵢ)."""
    if len(model) == 1:
        return np.zeros((0, len(x)))
    with no_grad():
        activity = np.asarray(model[1](model[0](tensor(np.asarray(x, np.float32).reshape(-1, 1)))).data)  # (N, H)
    return (activity * np.asarray(model[2].weight.data)).T  # (H, N): column i scaled by vᵢ


# ---------------------------------------------------------------------------------------------- apps
class WidthExplorer(App):
    """A one-hidden-layer tanh network trained on a 1-D target; the hidden-units slider retrains it."""

    def __init__(self, target="bumpy", hidden=8, lr=0.02, steps_per_frame=25, frames=60, auto_frames=8, seed=0):
        super().__init__(title="Universal approximation: how wide must the hidden layer be?")
        self.seed, self.lr, self.steps_per_frame, self.auto_frames = seed, lr, int(steps_per_frame), int(auto_frames)
        self.x = np.linspace(*DOMAIN, 200, dtype=np.float32)[:, None]  # (200, 1): the target is known everywhere
        self.figure, (self.ax, self.ax_units, self.ax_loss) = new_figure(1, 3, figsize=(12.0, 3.7))
        with course_style():
            (self.target_line,) = self.ax.plot([], [], "--", color="0.45", lw=1.5, label="target f(x)")
            (self.fit_line,) = self.ax.plot([], [], color=COLORS["blue"], lw=2.0, label="network f̂(x)")
            self.ax.set(xlabel="x", xlim=DOMAIN, title="target and network")
            self.ax.legend(loc="upper left", fontsize=7)
            self.units = LineCollection([], colors=COLORS["orange"], linewidths=1.0, alpha=0.6)
            self.ax_units.add_collection(self.units)
            self.ax_units.set(xlabel="x", xlim=DOMAIN, title="each unit's share vᵢ·tanh(wᵢx + bᵢ)")
            (self.loss_line,) = self.ax_loss.plot([], [], color=COLORS["blue"])
            self.ax_loss.set(xlabel="Adam step", ylabel="MSE (log scale)", yscale="log",
                             xlim=(0, int(steps_per_frame) * int(frames)), title="training loss")  # fmt: skip
            self.figure.tight_layout()
        # a training frame moves these only (blitting); the y axes change in jumps (see _draw)
        self.set_animated([self.fit_line, self.units, self.loss_line])
        add = self.add_control
        add("target", widgets.Dropdown(options=list(TARGETS), value=target, description="target", style=_STYLE,
                                       layout=_WIDE), self.restart)  # fmt: skip
        add("hidden", widgets.IntSlider(value=hidden, min=0, max=64, description="hidden units", style=_STYLE,
                                        layout=_WIDE), self.restart)  # fmt: skip
        frame = widgets.IntSlider(value=0, min=0, max=int(frames), description="frame", style=_STYLE, layout=_WIDE)
        add("frame", frame, lambda change: self.train_to(change["new"]))
        self.add_player("train", frame, interval_ms=40)
        self.add_button("reset", "reset training", lambda: self.restart(), icon="undo")
        self.restart()

    def restart(self, change=None):
        """A fresh network for the chosen width, trained for `auto_frames` frames right away."""
        c = self.controls
        self.f = target_function(c["target"].value)
        self.y = self.f(self.x).astype(np.float32)  # (200, 1)
        self._new_model()
        self.target_line.set_data(self.x.ravel(), self.y.ravel())
        spread = float(self.y.max() - self.y.min()) or 1.0
        self.ax.set_ylim(self.y.min() - 0.25 * spread, self.y.max() + 0.25 * spread)
        with self.hold_updates():
            c["frame"].value = min(self.auto_frames, c["frame"].max)
        self.train_to(c["frame"].value)

    def _new_model(self):
        self.model = make_shallow(self.controls["hidden"].value, seed=self.seed)
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = optim.Adam(trainable, lr=self.lr)
        self.losses, self.frames_done = [], 0
        self._units_limit = self._loss_limits = None  # the axes' limits for this model (see _draw)

    def train_to(self, frame: int):
        """Train until `frame` · steps_per_frame Adam steps are done (going back trains again from 0)."""
        if frame < self.frames_done:
            self._new_model()
        while self.frames_done < frame and (not self.losses or np.isfinite(self.losses[-1])):
            self.losses += fit_steps(self.model, self.optimizer, self.x, self.y, self.steps_per_frame)
            self.frames_done += 1
        self._draw()

    @property
    def mse(self) -> float:
        """The network's MSE on the target right now."""
        return float(np.mean((self.predictions() - self.y.ravel()) ** 2))

    def predictions(self) -> np.ndarray:
        with no_grad(), np.errstate(all="ignore"):
            return np.asarray(self.model(tensor(self.x)).data).ravel()

    def _draw(self):
        self.fit_line.set_data(self.x.ravel(), self.predictions())
        shares = unit_contributions(self.model, self.x.ravel())  # (H, 200)
        self.units.set_segments([np.column_stack([self.x.ravel(), share]) for share in shares])
        # limits that move rarely, so that most frames blit (a full redraw of the three panels is ~150 ms):
        # the units' axis in powers of two, shrinking only when 4× too wide; the loss axis in decades
        needed = float(np.abs(shares).max()) * 1.1 if shares.size and np.isfinite(shares).all() else 1.0
        needed = float(2 ** np.ceil(np.log2(max(needed, 0.1))))
        if self._units_limit is None or needed > self._units_limit or 4 * needed <= self._units_limit:
            self._units_limit = needed
        limit = self._units_limit
        self.ax_units.set_ylim(-limit, limit)
        self.loss_line.set_data(np.arange(1, len(self.losses) + 1), self.losses)
        finite = [v for v in self.losses if np.isfinite(v) and v > 0]
        if finite:
            self._loss_limits = steady_log_limits(self._loss_limits, min(finite), max(finite), margin=2)
            self.ax_loss.set_ylim(self._loss_limits)
        hidden = self.controls["hidden"].value
        error = np.max(np.abs(self.predictions() - self.y.ravel()))
        parameters = f"{3 * hidden + 1} parameter{'s' if hidden else ''}"  # hidden·(w, b, v) + the output bias
        text = f"{hidden} hidden units ({parameters}) after {len(self.losses)} Adam steps: MSE {self.mse:.4f}, "
        text += f"max error {error:.3f}"
        level = "info"
        if hidden == 0:
            text += " — 0 hidden units: nothing depends on x, the best the network can do is the mean of f"
            level = "warning"
        elif self.controls["target"].value == "step":
            text += " — the step jumps: no continuous f̂ gets the max error below 0.5 there, but the MSE keeps falling"
        self.message(text, level)
        self.show((self.controls["target"].value, self.ax.get_ylim(), limit, self.ax_loss.get_ylim()))


def width_explorer(target="bumpy", **options) -> WidthExplorer:
    """The width app (target: "sine", "step", "|x|", "bumpy"; options: hidden, lr, steps_per_frame, frames,
    auto_frames, seed)."""
    return WidthExplorer(target, **options)


class BumpBuilder(App):
    """Left: two sigmoid units whose difference is a bump. Right: a row of such bumps approximating a target."""

    GRID = np.linspace(*DOMAIN, 601)  # where errors are measured (the chapter's exercise uses the same grid)

    def __init__(self, target="sine", steepness=10.0, left=-1.0, right=1.0, height=1.0, n_bumps=6):
        super().__init__(title="Build a bump from two sigmoids — then build a function from bumps")
        x = self.GRID
        self.figure, (self.ax, self.ax_sum) = new_figure(1, 2, figsize=(11.0, 3.9))
        with course_style():
            (self.rise_line,) = self.ax.plot(x, x * 0, "--", color=COLORS["sky"], label="σ(s(x − a))")
            (self.fall_line,) = self.ax.plot(x, x * 0, ":", color=COLORS["orange"], lw=2.0, label="σ(s(x − b))")
            (self.bump_line,) = self.ax.plot(x, x * 0, color=COLORS["blue"], lw=2.2, label="h·(difference)")
            self.ax.set(xlabel="x", ylim=(-2.2, 2.2), xlim=DOMAIN, title="one bump = two hidden units")
            self.ax.legend(loc="lower left", fontsize=7)
            (self.target_line,) = self.ax_sum.plot(x, x * 0, "--", color="0.45", lw=1.5, label="target f(x)")
            self.pieces = LineCollection([], colors=COLORS["orange"], linewidths=0.8, alpha=0.5)
            self.ax_sum.add_collection(self.pieces)
            (self.sum_line,) = self.ax_sum.plot(x, x * 0, color=COLORS["blue"], lw=2.0, label="sum of bumps")
            self.ax_sum.set(xlabel="x", xlim=DOMAIN, title="a bump at each of n evenly spaced points")
            self.ax_sum.legend(loc="upper left", fontsize=7)
            self.figure.tight_layout()
        # the sliders move these only (blitting); another target changes the right panel's limits
        self.set_animated([self.rise_line, self.fall_line, self.bump_line, self.target_line, self.pieces,
                           self.sum_line])  # fmt: skip
        add = self.add_control
        steep = widgets.FloatLogSlider(value=steepness, base=10, min=-0.5, max=3, description="steepness s",
                                       style=_STYLE, layout=_WIDE, readout_format=".3g")  # fmt: skip
        add("steepness", steep, self.update)
        for name, value, label in (("left", left, "left edge a"), ("right", right, "right edge b")):
            add(name, widgets.FloatSlider(value=value, min=-3, max=3, step=0.05, description=label, style=_STYLE,
                                          layout=_WIDE), self.update)  # fmt: skip
        add("height", widgets.FloatSlider(value=height, min=-2, max=2, step=0.05, description="height h",
                                          style=_STYLE, layout=_WIDE), self.update)  # fmt: skip
        add("target", widgets.Dropdown(options=list(TARGETS), value=target, description="target", style=_STYLE,
                                       layout=_WIDE), self.update)  # fmt: skip
        add("n_bumps", widgets.IntSlider(value=n_bumps, min=0, max=80, description="bumps n", style=_STYLE,
                                         layout=_WIDE), self.update)  # fmt: skip
        self.update()

    def max_error(self) -> float:
        """max |f − f̂| over the grid for the current target, number of bumps and steepness."""
        return float(np.max(np.abs(self.sum_line.get_ydata() - self.target_line.get_ydata())))

    def update(self, change=None):
        c, x = self.controls, self.GRID
        s, a, b, h, n = (c[k].value for k in ("steepness", "left", "right", "height", "n_bumps"))
        self.rise_line.set_ydata(sigmoid(s * (x - a)))
        self.fall_line.set_ydata(sigmoid(s * (x - b)))
        self.bump_line.set_ydata(h * bump(x, a, b, s))
        notes = [f"bump from a = {a:g} to b = {b:g}, height {h:g}"]
        if a > b:
            notes.append("a is right of b: the second sigmoid rises first, so the bump turns upside down")
        elif a == b:
            notes.append("a = b: the two sigmoids cancel exactly — a bump of width 0 is nothing")
        f = target_function(c["target"].value)
        y = f(x)
        self.target_line.set_ydata(y)
        approximation = bump_approximation(f, n, x, s)
        self.sum_line.set_ydata(approximation)
        if n:
            centres, edges = bump_layout(n)
            self.pieces.set_segments([np.column_stack([x, hi * bump(x, e0, e1, s)])
                                      for e0, e1, hi in zip(edges[:-1], edges[1:], f(centres))])  # fmt: skip
        else:
            self.pieces.set_segments([])
        spread = float(y.max() - y.min()) or 1.0
        self.ax_sum.set_ylim(y.min() - 0.3 * spread, y.max() + 0.3 * spread)
        level = "warning" if a >= b else "info"
        if n == 0:
            notes.append("no bumps: f̂ = 0 (raise n)")
        else:
            notes.append(f"{n} bumps = {2 * n} hidden units: max error {self.max_error():.3f}, "
                         f"MSE {np.mean((approximation - y) ** 2):.4f}")  # fmt: skip
            width = (DOMAIN[1] - DOMAIN[0]) / max(n - 1, 1)
            if s * width < 2:  # neighbours overlap so much that the sum is f smeared over ~4/s, whatever n is
                notes.append("bumps narrower than their soft edges: more bumps help less and less — raise s")
        self.message(" · ".join(notes), level)
        self.show(c["target"].value)


def bump_builder(target="sine", **options) -> BumpBuilder:
    """The bump app (target: "sine", "step", "|x|", "bumpy"; options: steepness, left, right, height, n_bumps)."""
    return BumpBuilder(target, **options)
