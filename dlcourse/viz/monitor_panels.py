"""The panels of the training monitor: each one makes its artists once and then only updates their data."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

import dlcourse as dl
from dlcourse.viz.style import CLASS_COLORS, COLORS, PALETTE, PROBABILITY_CMAP

BINS = 30


class Panels:
    """All panels of one `TrainingMonitor`, laid out on the axes it was given (in this order)."""

    def __init__(self, monitor, axes, resolution):
        self.monitor = monitor
        axes = list(axes)
        self.loss_ax = axes.pop(0)
        self.loss_line = self.loss_ax.plot([], [], color=COLORS["blue"], lw=1.2, label="loss (per step)")[0]
        self.acc_ax = self.loss_ax.twinx()
        self.acc_line = self.acc_ax.plot([], [], "o-", color=COLORS["orange"], ms=3, lw=1, label="accuracy")[0]
        self.acc_ax.set_ylim(-0.02, 1.02)
        self.acc_ax.set_ylabel("training accuracy", color=COLORS["orange"])
        self.acc_ax.grid(False)
        self.acc_ax.set_visible(monitor.is_classification)
        self.loss_ax.set_xlabel("step")
        self.loss_ax.set_ylabel("loss")
        self.loss_ax.set_title("loss")
        X = monitor.X
        self.input_panel = None
        if X is not None and X.ndim == 2 and X.shape[1] == 2:
            self.input_panel = BoundaryPanel(monitor, axes.pop(0), resolution)
        elif X is not None and X.ndim == 2 and X.shape[1] == 1:
            self.input_panel = FitPanel(monitor, axes.pop(0), resolution)
        self.hidden_panel = HiddenPanel(monitor, axes.pop(0)) if monitor.hidden is not None else None
        self.weights_ax, self.grads_ax = axes.pop(0), axes.pop(0)
        for ax in axes:  # unused cells of the grid
            ax.set_visible(False)
        named = [(n, p) for n, p in monitor.model.named_parameters() if p.ndim >= 2] or list(
            monitor.model.named_parameters()
        )
        self.weight_params = named[:6]  # more layers than colours would be unreadable
        edges = np.linspace(-1, 1, BINS + 1)
        self.weight_stairs = [
            self.weights_ax.stairs(np.zeros(BINS), edges, color=PALETTE[i % 7], label=name, lw=1.4)
            for i, (name, _) in enumerate(self.weight_params)
        ]
        self.grad_stairs = [
            self.grads_ax.stairs(np.zeros(BINS), edges, color=PALETTE[i % 7], label=name, lw=1.4)
            for i, (name, _) in enumerate(self.weight_params)
        ]
        self.weights_ax.set_title("weights per layer")
        self.weights_ax.set_xlabel("weight value")
        self.weights_ax.legend(loc="upper right")
        self.grads_ax.set_title("gradient sizes per layer")
        self.grads_ax.set_xlabel("log10 |gradient|")
        self.grads_ax.legend(loc="upper right")

    def update(self):
        m = self.monitor
        self.loss_line.set_data(m.steps, m.losses)
        finite = np.asarray([v for v in m.losses if np.isfinite(v)])
        self.loss_ax.set_xlim(0, max(10, len(m.losses)))
        if finite.size:
            low, high = finite.min(), finite.max()
            self.loss_ax.set_yscale("log" if low > 0 else "linear")
            pad = (high - low) * 0.05 + 1e-12
            self.loss_ax.set_ylim(low / 1.5 if low > 0 else low - pad, high * 1.5 if low > 0 else high + pad)
        self.acc_line.set_data(m.epoch_steps[: len(m.accuracies)], m.accuracies)
        self.loss_ax.set_title(_loss_title(m), fontsize=9)
        if self.input_panel is not None:
            self.input_panel.update()
        if self.hidden_panel is not None:
            self.hidden_panel.update()
        self._histograms()

    def _histograms(self):
        weights = [p.data.ravel() for _, p in self.weight_params]
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
            grads = [
                np.log10(np.abs(p.grad.ravel())) if p.grad is not None else np.array([]) for _, p in self.weight_params
            ]
        present = [g[np.isfinite(g)] for g in grads if g.size]
        if present and any(g.size for g in present):
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


def _loss_title(m):
    if not m.losses:
        return "loss (not trained yet)"
    text = f"loss {m.losses[-1]:.3g} ({m.epochs_done} epochs)"
    if m.accuracies:
        text += f", accuracy {m.accuracies[-1]:.0%}"
    return text


class BoundaryPanel:
    """The data over a picture of the model's prediction; the 0.5 contour is the decision boundary."""

    def __init__(self, monitor, ax, resolution):
        self.monitor, self.ax = monitor, ax
        X, y = monitor.X, monitor.y
        (x0, y0), (x1, y1) = X.min(axis=0), X.max(axis=0)
        mx, my = 0.15 * (x1 - x0) + 1e-3, 0.15 * (y1 - y0) + 1e-3
        self.extent = (x0 - mx, x1 + mx, y0 - my, y1 + my)
        gx = np.linspace(self.extent[0], self.extent[1], resolution)
        gy = np.linspace(self.extent[2], self.extent[3], resolution)
        self.gx, self.gy = gx, gy
        self.grid_points = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)  # (R*R, 2)
        self.image = ax.imshow(np.full((resolution, resolution), 0.5), origin="lower", extent=self.extent,
                               cmap=PROBABILITY_CMAP, vmin=0, vmax=1, alpha=0.45, aspect="auto")  # fmt: skip
        self.boundary = None
        labels = np.asarray(y).reshape(len(X), -1)[:, 0].astype(int) if monitor.is_classification else None
        colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in labels] if labels is not None else COLORS["black"]
        self.points = ax.scatter(X[:, 0], X[:, 1], c=colors, edgecolors="white", s=28, zorder=3)
        self.classes = int(labels.max()) + 1 if labels is not None else 0
        ax.set_xlim(self.extent[:2])
        ax.set_ylim(self.extent[2:])
        ax.set_title("decision boundary")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")

    def update(self):
        R = len(self.gx)
        proba = self.monitor.probabilities(self.grid_points)  # (R*R, C)
        if proba.shape[1] == 1:
            picture = proba[:, 0].reshape(R, R)  # P(class 1)
        else:  # several classes: colour by the predicted class
            if self.image.get_cmap().name != "classes":
                cmap = ListedColormap(CLASS_COLORS[: proba.shape[1]], name="classes")
                self.image.set_cmap(cmap)
                self.image.set_clim(-0.5, proba.shape[1] - 0.5)
            picture = proba.argmax(axis=1).reshape(R, R).astype(float)
        self.image.set_data(picture)
        if self.boundary is not None:
            self.boundary.remove()
            self.boundary = None
        if proba.shape[1] == 1 and np.isfinite(picture).all() and picture.min() < 0.5 < picture.max():
            self.boundary = self.ax.contour(self.gx, self.gy, picture, levels=[0.5], colors="black", linewidths=1.5)


class FitPanel:
    """1-D inputs: the data and the model's curve over them (regression, or a 1-D classifier's output)."""

    def __init__(self, monitor, ax, resolution):
        self.monitor, self.ax = monitor, ax
        x, y = monitor.X[:, 0], np.asarray(monitor.y).reshape(len(monitor.X), -1)[:, 0]
        pad = 0.05 * (x.max() - x.min()) + 1e-3
        self.xs = np.linspace(x.min() - pad, x.max() + pad, resolution)
        ax.scatter(x, y, s=14, color=COLORS["blue"], alpha=0.7, label="data")
        self.curve = ax.plot([], [], color=COLORS["vermillion"], lw=2, label="model")[0]
        ax.set_xlim(self.xs[0], self.xs[-1])
        span = y.max() - y.min() + 1e-3
        ax.set_ylim(y.min() - 0.2 * span, y.max() + 0.2 * span)
        ax.set_title("model vs data")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(loc="upper left")

    def update(self):
        self.curve.set_data(self.xs, self.monitor.outputs(self.xs[:, None])[:, 0])


class HiddenPanel:
    """The data as the hidden layer sees it: each point at its (first two) hidden activations."""

    def __init__(self, monitor, ax):
        self.monitor, self.ax = monitor, ax
        y = monitor.y
        labels = np.asarray(y).reshape(len(monitor.X), -1)[:, 0].astype(int) if monitor.is_classification else None
        colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in labels] if labels is not None else COLORS["black"]
        self.points = ax.scatter(np.zeros(len(monitor.X)), np.zeros(len(monitor.X)), c=colors,
                                 edgecolors="white", s=40, zorder=3)  # fmt: skip
        ax.set_title("hidden-layer feature space")
        ax.set_xlabel("hidden unit 1")
        ax.set_ylabel("hidden unit 2")

    def features(self) -> np.ndarray:
        hidden = self.monitor.hidden
        with dl.no_grad():
            h = hidden(dl.tensor(np.asarray(self.monitor.X, dtype=np.float32)))
        h = np.asarray(h.data if isinstance(h, dl.Tensor) else h, dtype=np.float64).reshape(len(self.monitor.X), -1)
        if h.shape[1] < 2:
            h = np.concatenate([h, np.zeros((len(h), 2 - h.shape[1]))], axis=1)
        return h[:, :2]  # (N, 2)

    def update(self):
        h = self.features()
        self.points.set_offsets(h)
        finite = h[np.isfinite(h).all(axis=1)]
        if finite.size:
            low, high = finite.min(axis=0), finite.max(axis=0)
            pad = 0.1 * (high - low) + 0.05
            self.ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
            self.ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
