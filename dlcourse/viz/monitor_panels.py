"""The panels of the training monitor, laid out in one figure; each makes its artists once, then updates data.

    loss        the loss per step (log scale when positive) and the training accuracy per epoch
    input       BoundaryPanel (2-D inputs) or FitPanel (1-D inputs), see monitor_views.py
    hidden      HiddenPanel: the points in a 2-unit hidden layer's space, with the output's line
    network     NetworkPanel for a small MLP: every weight and every neuron's output, or, for a
                bigger model, two histograms: the weights per layer and log10 |gradient| per layer

`Panels.update()` pushes the monitor's records and the model's state into the artists and says
whether an axis had to change (a full redraw) or a blitted frame is enough.
"""

from __future__ import annotations

import numpy as np

from dlcourse.viz.monitor_views import BoundaryPanel, FitPanel, HiddenPanel, NetworkPanel, small_network
from dlcourse.viz.style import COLORS, PALETTE

BINS = 30


def panel_kinds(monitor) -> list[str]:
    """Which panels the monitor shows, in order."""
    kinds = ["loss"]
    X = monitor.X
    if X is not None and X.ndim == 2 and X.shape[1] in (1, 2):
        kinds.append("input")
    if monitor.hidden is not None:
        kinds.append("hidden")
    kinds += ["network"] if small_network(monitor.model) else ["weights", "gradients"]
    return kinds


def make_axes(figure, kinds):
    """The panels' axes: one row of up to four (the network wider), else two rows of three."""
    if len(kinds) <= 4:
        widths = [1.35 if kind == "network" else 1.0 for kind in kinds]
        grid = figure.add_gridspec(1, len(kinds), width_ratios=widths, wspace=0.38)
        return [figure.add_subplot(grid[0, i]) for i in range(len(kinds))]
    grid = figure.add_gridspec(2, 3, wspace=0.38, hspace=0.5)
    axes = [figure.add_subplot(grid[i // 3, i % 3]) for i in range(len(kinds))]
    return axes


def figure_size(kinds):
    """At most 10 inches wide: what JupyterLab's output area shows without a scroll bar."""
    if len(kinds) <= 4:
        return (min(10.0, 2.3 * (len(kinds) + (0.35 if "network" in kinds else 0))), 3.0)
    return (9.6, 6.0)


class Panels:
    """All panels of one `TrainingMonitor`."""

    def __init__(self, monitor, figure, kinds, resolution):
        self.monitor = monitor
        axes = dict(zip(kinds, make_axes(figure, kinds)))
        self.loss_ax = ax = axes["loss"]
        self.loss_line = ax.plot([], [], color=COLORS["blue"], lw=1.2, label="loss (per step)")[0]
        self.acc_ax = ax.twinx()
        self.acc_line = self.acc_ax.plot([], [], "o-", color=COLORS["orange"], ms=3, lw=1, label="accuracy")[0]
        self.acc_ax.set_ylim(-0.02, 1.02)
        self.acc_ax.tick_params(axis="y", colors=COLORS["orange"])  # the accuracy's axis, in its colour
        self.acc_ax.grid(False)
        self.acc_ax.set_visible(monitor.is_classification)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        # the title: the latest loss and accuracy (an animated text, so that a frame can update it)
        self.loss_text = ax.text(0.5, 1.03, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=9)
        self.loss_limits = None
        self.input_panel = self.hidden_panel = self.network_panel = None
        if "input" in axes:
            panel = BoundaryPanel if monitor.X.shape[1] == 2 else FitPanel
            self.input_panel = panel(monitor, axes["input"], resolution)
        if "hidden" in axes:
            self.hidden_panel = HiddenPanel(monitor, axes["hidden"])
        if "network" in axes:
            boundary = self.input_panel if isinstance(self.input_panel, BoundaryPanel) else None
            self.network_panel = NetworkPanel(monitor, axes["network"], small_network(monitor.model), boundary)
        self.histograms = Histograms(monitor, axes["weights"], axes["gradients"]) if "weights" in axes else None

    @property
    def animated(self):
        """The artists that change while training (redrawn alone in a blitted frame)."""
        artists = [self.loss_line, self.acc_line, self.loss_text]
        for panel in (self.input_panel, self.hidden_panel, self.network_panel, self.histograms):
            if panel is not None:
                artists += panel.artists
        return artists

    def update(self) -> bool:
        """New data for every panel; True when an axis changed (the figure must be redrawn in full)."""
        m = self.monitor
        self.loss_line.set_data(m.steps, m.losses)
        self.acc_line.set_data(m.epoch_steps[: len(m.accuracies)], m.accuracies)
        self.loss_text.set_text(_loss_text(m))
        changed = self._loss_limits(m)
        for panel in (self.input_panel, self.network_panel):
            if panel is not None:
                panel.update()
        if self.hidden_panel is not None:
            changed |= self.hidden_panel.update()
        if self.histograms is not None:
            self.histograms.update()
            changed = True  # their axes follow the values
        return changed

    def _loss_limits(self, m) -> bool:
        """Loss axes that grow in jumps (steps: doubling; loss: a decade in log scale), so most frames blit.

        While the Play widget trains, the step axis spans the whole run it plays at once (the curve grows
        across it, and no doubling redraws the figure ~6 times, ~130 ms each); it never shrinks before
        the history is cleared.
        """
        finite = np.asarray([v for v in m.losses if np.isfinite(v)])
        steps = max(16, 2 ** int(np.ceil(np.log2(max(len(m.losses), 1)))))
        if m.losses and self.loss_limits is not None:
            steps = max(steps, self.loss_limits[0])  # keep the span until reset
        steps = max(steps, m.planned_steps)
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            if low > 0:
                low, high = 10 ** np.floor(np.log10(low)), 10 ** np.ceil(np.log10(high))
                scale = "log"
            else:
                pad = (high - low) * 0.1 + 1e-12
                low, high, scale = low - pad, high + pad, "linear"
        else:
            low, high, scale = 0.0, 1.0, "linear"
        limits = (steps, low, high, scale)
        if limits == self.loss_limits:
            return False
        self.loss_limits = limits
        self.loss_ax.set_yscale(scale)
        self.loss_ax.set_xlim(0, steps)
        self.loss_ax.set_ylim(low, high)
        return True


def _loss_text(m):
    if not m.losses:
        return "not trained yet"
    text = f"loss {m.losses[-1]:.3g} ({m.epochs_done} epochs)"
    if m.accuracies:
        text += f", accuracy {m.accuracies[-1]:.0%}"
    return text


class Histograms:
    """A bigger model: per layer, a histogram of the weights and one of log10 |gradient|."""

    def __init__(self, monitor, weights_ax, grads_ax):
        self.weights_ax, self.grads_ax = weights_ax, grads_ax
        named = [(n, p) for n, p in monitor.model.named_parameters() if p.ndim >= 2] or list(
            monitor.model.named_parameters()
        )
        self.params = named[:6]  # more layers than colours would be unreadable
        edges = np.linspace(-1, 1, BINS + 1)
        self.weight_stairs = [weights_ax.stairs(np.zeros(BINS), edges, color=PALETTE[i % 7], label=name, lw=1.4)
                              for i, (name, _) in enumerate(self.params)]  # fmt: skip
        self.grad_stairs = [grads_ax.stairs(np.zeros(BINS), edges, color=PALETTE[i % 7], label=name, lw=1.4)
                            for i, (name, _) in enumerate(self.params)]  # fmt: skip
        weights_ax.set_title("weights per layer")
        weights_ax.set_xlabel("weight value")
        weights_ax.legend(loc="upper right")
        grads_ax.set_title("gradient sizes per layer")
        grads_ax.set_xlabel("log10 |gradient|")
        grads_ax.legend(loc="upper right")

    @property
    def artists(self):
        return [*self.weight_stairs, *self.grad_stairs]

    def update(self):
        weights = [p.data.ravel() for _, p in self.params]
        reach = max([float(np.abs(w).max()) for w in weights if w.size] + [1e-3]) * 1.05
        edges = np.linspace(-reach, reach, BINS + 1)
        top = 1e-3
        for stairs, w in zip(self.weight_stairs, weights):
            counts = np.histogram(w, bins=edges)[0] / max(1, w.size)  # fractions: layers of any size compare
            stairs.set_data(counts, edges)
            top = max(top, counts.max())
        self.weights_ax.set_xlim(-reach, reach)
        self.weights_ax.set_ylim(0, top * 1.1)
        with np.errstate(divide="ignore"):  # exact zeros (dead ReLUs) have no size to show: dropped below
            grads = [np.log10(np.abs(np.ravel(p.grad))) if p.grad is not None else np.array([]) for _, p in self.params]
        present = [g[np.isfinite(g)] for g in grads if g.size]
        if not present or not any(g.size for g in present):
            return
        joined = np.concatenate(present)
        low, high = float(joined.min()), float(joined.max())
        low, high = max(low, high - 12), high + 1e-6  # 12 decades are plenty to see vanishing gradients
        edges = np.linspace(low, high + (1 if high - low < 1e-6 else 0), BINS + 1)
        top = 1e-3
        for stairs, g in zip(self.grad_stairs, grads):
            g = g[np.isfinite(g)]
            counts = np.histogram(np.clip(g, low, high), bins=edges)[0] / max(1, g.size)
            stairs.set_data(counts, edges)
            top = max(top, counts.max() if counts.size else 0)
        self.grads_ax.set_xlim(edges[0], edges[-1])
        self.grads_ax.set_ylim(0, top * 1.1)
