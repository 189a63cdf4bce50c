"""The training monitor's views of the data and the network (monitor_panels.py lays them out).

    BoundaryPanel   2-D inputs: the model's prediction over the plane, its 0.5 boundary, the points
    FitPanel        1-D inputs: the model's curve over the data
    HiddenPanel     the points at their hidden activations, and the output unit's separating line there
    NetworkPanel    a small network: every weight (colour = sign, width = |w|), every neuron's output

Each view computes from the model in `update()` (in the thread that trains) and only pastes
pixels or sets line data when drawn, so frames can be blitted (see App.set_animated).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

import dlcourse as dl
from dlcourse import nn
from dlcourse.viz.network_diagram import NetworkDiagram
from dlcourse.viz.raster import RasterImage, colorize, composite, lookup_table, markers_layer, stretch_bilinear
from dlcourse.viz.style import CLASS_COLORS, COLORS, PROBABILITY_CMAP

ACTIVATIONS = (nn.Tanh, nn.ReLU, nn.Sigmoid, nn.Identity, nn.LeakyReLU, nn.ELU, nn.GELU)
BOUNDARY = np.array([0, 0, 0, 255], dtype=np.uint8)


def labels_of(monitor):
    """Integer class labels of the monitor's points, or None for regression."""
    if not monitor.is_classification:
        return None
    return np.asarray(monitor.y).reshape(len(monitor.X), -1)[:, 0].astype(int)


def point_colors(monitor):
    """A colour per point: its class's, or black for regression."""
    labels = labels_of(monitor)
    if labels is None:
        return [COLORS["black"]] * len(monitor.X)
    return [CLASS_COLORS[c % len(CLASS_COLORS)] for c in labels]


class BoundaryPanel:
    """The data over a picture of the model's prediction; black pixels mark the decision boundary."""

    def __init__(self, monitor, ax, resolution):
        self.monitor, self.ax = monitor, ax
        X = monitor.X
        (x0, y0), (x1, y1) = X.min(axis=0), X.max(axis=0)
        mx, my = 0.15 * (x1 - x0) + 1e-3, 0.15 * (y1 - y0) + 1e-3
        self.extent = (x0 - mx, x1 + mx, y0 - my, y1 + my)
        gx = np.linspace(self.extent[0], self.extent[1], resolution)
        gy = np.linspace(self.extent[2], self.extent[3], resolution)
        self.grid_points = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)  # (R*R, 2), rows from the bottom
        self.resolution = resolution
        self.picture = np.full((resolution, resolution), 0.5)  # P(class 1), or the predicted class
        self.classes = int(labels_of(monitor).max()) + 1 if monitor.is_classification else 0
        self.table = lookup_table(PROBABILITY_CMAP)
        if self.classes > 2:
            self.table = lookup_table(ListedColormap(CLASS_COLORS[: self.classes]), size=self.classes)
        self.boundary_pixels = 0
        self._layer_key, self._layer = None, None
        self.image = RasterImage(ax, self.extent, self._render, zorder=2)
        ax.add_artist(self.image)
        ax.set_xlim(self.extent[:2])
        ax.set_ylim(self.extent[2:])
        ax.grid(False)
        ax.set_title("decision boundary")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")

    def update(self):
        R = self.resolution
        proba = self.monitor.probabilities(self.grid_points)  # (R*R, C)
        if proba.shape[1] == 1:
            self.picture = proba[:, 0].reshape(R, R)  # P(class 1)
        else:  # several classes: the predicted class
            self.picture = proba.argmax(axis=1).reshape(R, R).astype(float)
        self.image.stale = True

    def _render(self, width, height):
        values = self.picture[::-1]  # the picture's rows go up, the screen's down
        if self.classes > 2:
            rows = (np.arange(height) * self.resolution) // height
            cols = (np.arange(width) * self.resolution) // width
            index = values[np.ix_(rows, cols)]
            rgba = colorize(2 * index / max(self.classes - 1, 1) - 1, self.table)
            edge = (index[:, 1:] != index[:, :-1])[:-1] | (index[1:] != index[:-1])[:, :-1]
        else:
            values = np.nan_to_num(stretch_bilinear(values, height, width), nan=0.5)
            rgba = colorize(2 * values - 1, self.table)
            above = values > 0.5
            edge = (above[:, 1:] != above[:, :-1])[:-1] | (above[1:] != above[:-1])[:, :-1]
        rgba[..., :3] = (255 - 0.45 * (255 - rgba[..., :3].astype(np.int16))).astype(np.uint8)  # a lighter tint
        rgba[:-1, :-1][edge] = BOUNDARY
        self.boundary_pixels = int(edge.sum())
        key = (width, height)
        if key != self._layer_key:
            X = self.monitor.X
            left, right, bottom, top = self.extent
            pixels = np.stack([(X[:, 0] - left) / (right - left) * width, (top - X[:, 1]) / (top - bottom) * height], 1)
            self._layer_key = key
            self._layer = markers_layer(width, height, pixels, point_colors(self.monitor), ["white"] * len(X), 4.0)
        return composite(rgba, self._layer)

    @property
    def artists(self):
        return [self.image]


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

    @property
    def artists(self):
        return [self.curve]


def linear_head(model, hidden):
    """(w, b) of the output unit when `model` = `hidden` followed by Linear(2, 1) (and maybe a sigmoid), else None.

    Then the output is 0.5 (or its logit 0) exactly on the line w₁h₁ + w₂h₂ + b = 0 of the hidden space.
    """
    if not isinstance(model, nn.Sequential) or not isinstance(hidden, nn.Sequential):
        return None
    modules, prefix = list(model), list(hidden)
    if len(prefix) >= len(modules) or any(a is not b for a, b in zip(prefix, modules)):
        return None
    head = modules[len(prefix) :]
    if not isinstance(head[0], nn.Linear) or head[0].weight.shape != (1, 2):
        return None
    if len(head) > 2 or (len(head) == 2 and not isinstance(head[1], nn.Sigmoid)):
        return None
    return head[0]


class HiddenPanel:
    """The data as the hidden layer sees it, and the line where the output unit is undecided (P = 0.5)."""

    def __init__(self, monitor, ax):
        self.monitor, self.ax = monitor, ax
        self.points = ax.scatter(np.zeros(len(monitor.X)), np.zeros(len(monitor.X)), c=point_colors(monitor),
                                 edgecolors="white", s=40, zorder=3)  # fmt: skip
        self.head = monitor.head if monitor.head is not None else linear_head(monitor.model, monitor.hidden)
        self.line = ax.plot([], [], "--", color=COLORS["black"], lw=1.6, zorder=4, label="output: P = 0.5")[0]
        self.limits = None
        ax.set_title("hidden-layer feature space")
        ax.set_xlabel("hidden unit 1")
        ax.set_ylabel("hidden unit 2")
        if self.head is not None:
            ax.legend(loc="lower right", fontsize=7)

    def features(self) -> np.ndarray:
        with dl.no_grad():
            h = self.monitor.hidden(dl.tensor(np.asarray(self.monitor.X, dtype=np.float32)))
        h = np.asarray(h.data if isinstance(h, dl.Tensor) else h, dtype=np.float64).reshape(len(self.monitor.X), -1)
        if h.shape[1] < 2:
            h = np.concatenate([h, np.zeros((len(h), 2 - h.shape[1]))], axis=1)
        return h[:, :2]  # (N, 2)

    def update(self) -> bool:
        """New positions and separating line; True when the view had to grow (a full redraw)."""
        h = self.features()
        self.points.set_offsets(h)
        grown = self._fit_limits(h)
        if self.head is not None:
            self.line.set_data(*separating_line(self.head, self.ax.get_xlim(), self.ax.get_ylim()))
        return grown

    def _fit_limits(self, h) -> bool:
        """Grow the view (by a margin) when points leave it; shrink it only when they fill a quarter of it."""
        finite = h[np.isfinite(h).all(axis=1)]
        if not finite.size:
            return False
        low, high = finite.min(axis=0), finite.max(axis=0)
        if self.limits is not None:
            (x0, x1), (y0, y1) = self.limits
            inside = low[0] >= x0 and low[1] >= y0 and high[0] <= x1 and high[1] <= y1
            big_enough = (high - low).min() > 0.25 * min(x1 - x0, y1 - y0)
            if inside and big_enough:
                return False
        pad = 0.25 * (high - low) + 0.1
        # outwards to whole multiples of a round unit: points that drift a little stay inside (a full
        # redraw of the monitor costs ~130 ms, a blitted frame ~10 ms)
        unit = 10.0 ** np.floor(np.log10(float((high - low + 2 * pad).max()))) / 2
        low, high = np.floor((low - pad) / unit) * unit, np.ceil((high + pad) / unit) * unit
        limits = ((float(low[0]), float(high[0])), (float(low[1]), float(high[1])))
        if limits == self.limits:
            return False
        self.limits = limits
        self.ax.set_xlim(self.limits[0])
        self.ax.set_ylim(self.limits[1])
        return True

    @property
    def artists(self):
        return [self.points, self.line]


def separating_line(linear, xlim, ylim):
    """Points of w₁h₁ + w₂h₂ + b = 0 across the view (empty if the weights are both ~0)."""
    (w1, w2), b = np.asarray(linear.weight.data, dtype=float)[0], float(linear.bias.data[0])
    if abs(w2) >= abs(w1) and abs(w2) > 1e-12:
        xs = np.array(xlim)
        return xs, -(w1 * xs + b) / w2
    if abs(w1) > 1e-12:
        ys = np.array(ylim)
        return -(w2 * ys + b) / w1, ys
    return [], []


def small_network(model):
    """Sizes of the columns [inputs, hidden…, outputs] of an MLP small enough to draw weight by weight, or None."""
    if not isinstance(model, nn.Sequential):
        return None
    modules = list(model)
    linears = [m for m in modules if isinstance(m, nn.Linear)]
    # Linear, then at most one activation, repeated
    layered = all(
        isinstance(m, nn.Linear) or (isinstance(m, ACTIVATIONS) and i > 0 and isinstance(modules[i - 1], nn.Linear))
        for i, m in enumerate(modules)
    )
    if not linears or not layered:
        return None
    sizes = [linears[0].in_features] + [m.out_features for m in linears]
    chained = all(a.out_features == b.in_features for a, b in zip(linears, linears[1:]))
    return sizes if chained and len(linears) <= 7 and max(sizes) <= 8 else None


class NetworkPanel:
    """A small MLP weight by weight: the playground's diagram; each neuron's output over the plane when 2-D."""

    def __init__(self, monitor, ax, sizes, boundary):
        self.monitor, self.ax, self.boundary = monitor, ax, boundary
        labels = [f"x{i + 1}" for i in range(sizes[0])]
        self.diagram = NetworkDiagram(ax, sizes, labels=labels, min_columns=3, min_rows=3)
        self.linears = [m for m in monitor.model if isinstance(m, nn.Linear)]
        self.tile_points = None
        if boundary is not None:  # every neuron's output on a coarse grid of the input plane
            left, right, bottom, top = boundary.extent
            g = np.linspace(0, 1, 16)
            gx, gy = np.meshgrid(left + g * (right - left), bottom + g * (top - bottom))
            self.tile_points = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)  # (256, 2)
        ax.set_title("weights: orange +, blue −")

    def update(self):
        pictures = None
        if self.tile_points is not None:
            columns = stage_outputs(self.monitor.model, self.tile_points)
            columns[-1] = self.monitor.probabilities(self.tile_points)[:, :1] * 2 - 1  # the output as 2P - 1
            pictures = []
            for col, values in enumerate(columns):
                values = values.T.reshape(len(values.T), 16, 16)
                if col < len(columns) - 1:
                    values = (
                        values / np.maximum(np.abs(values).reshape(len(values), -1).max(axis=1), 1e-6)[:, None, None]
                    )
                pictures.append(np.clip(values, -1, 1))
        self.diagram.update([m.weight.data for m in self.linears], [m.bias.data for m in self.linears], pictures)

    @property
    def artists(self):
        return self.diagram.artists


def stage_outputs(model, X):
    """[X, each hidden layer's output (after its activation), the last layer's output] of an MLP, as arrays."""
    columns = [np.asarray(X, dtype=np.float64)]
    modules = list(model)
    h = dl.tensor(np.asarray(X, dtype=np.float32))
    with dl.no_grad():
        for i, module in enumerate(modules):
            h = module(h)
            follows = modules[i + 1] if i + 1 < len(modules) else None
            if isinstance(module, ACTIVATIONS) or not isinstance(follows, ACTIVATIONS):  # a layer ends here
                columns.append(np.asarray(h.data, dtype=np.float64))
    return columns
