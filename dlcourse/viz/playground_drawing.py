"""The playground's figure: the network (every neuron's heatmap, every weight), the output, the losses.

    view = PlaygroundFigure(figure, run)        # artists made once for this network and data
    view.update(run)                             # new data for the artists; returns True if the
                                                 # axes must be redrawn in full (a limit changed)

Left, the network diagram (network_diagram.py): each neuron's output over the input plane
[-6, 6]², each connection by sign and |weight|. Right, the model's output over the plane with the
training points (white rim) and test points (black rim), and the train and test loss per epoch.
"""

from __future__ import annotations

import numpy as np

from dlcourse.data.playground import EXTENT, FEATURES
from dlcourse.viz.network_diagram import NetworkDiagram
from dlcourse.viz.raster import RasterImage, colorize, composite, lookup_table, markers_layer, stretch_bilinear
from dlcourse.viz.style import CLASS_COLORS, COLORS, PROBABILITY_CMAP


def plane_grid(resolution: int) -> np.ndarray:
    """Points of an R×R grid over the input plane [-6, 6]², row by row from the bottom: (R·R, 2)."""
    axis = np.linspace(*EXTENT, resolution)
    gx, gy = np.meshgrid(axis, axis)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def tile_pictures(outputs, resolution: int, sigmoid_hidden: bool, classification: bool):
    """Every neuron's output on the grid, scaled to [-1, 1] for the tile colours; one (n, R, R) per column.

    Inputs and hidden neurons are divided by their largest |value| (a sigmoid's by |value - 0.5|), so
    each tile shows its own pattern; the output shows 2p - 1 (classification) or the value itself.
    """
    R = resolution
    pictures = []
    last = len(outputs) - 1
    for col, values in enumerate(outputs):
        values = np.asarray(values, dtype=np.float64).T.reshape(-1, R, R)  # (n, R, R)
        if col == last:
            scaled = 2 * values - 1 if classification else values
        else:
            centred = values - 0.5 if (sigmoid_hidden and 0 < col) else values
            reach = np.abs(centred).reshape(len(centred), -1).max(axis=1)[:, None, None]
            scaled = centred / np.maximum(reach, 1e-6)
        pictures.append(np.clip(np.nan_to_num(scaled), -1, 1))
    return pictures


class PlaygroundFigure:
    """All artists of one playground layout (rebuilt when the network or the data change)."""

    def __init__(self, figure, run, tile_resolution: int = 20, output_resolution: int = 48):
        self.figure = figure
        figure.clear()
        grid = figure.add_gridspec(2, 2, width_ratios=(2.1, 1), height_ratios=(2.3, 1), left=0.01, right=0.98,
                                   bottom=0.1, top=0.93, wspace=0.1, hspace=0.4)  # fmt: skip
        self.ax_net = figure.add_subplot(grid[:, 0])
        self.ax_out = figure.add_subplot(grid[0, 1])
        self.ax_loss = figure.add_subplot(grid[1, 1])
        c = run.config
        self.classification = c.classification
        self.tile_resolution, self.output_resolution = tile_resolution, output_resolution
        self.tile_grid = plane_grid(tile_resolution)
        self.output_grid = plane_grid(output_resolution)
        self.grids = np.concatenate([self.tile_grid, self.output_grid])  # (R² + R_out², 2)
        self.diagram = NetworkDiagram(self.ax_net, run.sizes, labels=[FEATURES[f][0] for f in c.features])
        self.ax_net.set_title("each neuron's output over the plane · weights: orange +, blue −", fontsize=9)
        # the output over the plane, with the training points (white rim) and test points (black rim)
        ax = self.ax_out
        self.table = lookup_table(PROBABILITY_CMAP)
        self.values = np.zeros((output_resolution, output_resolution))  # rows from the bottom of the plane
        self.points = [(run.X_train, run.y_train, "white"), (run.X_test, run.y_test, "black")]
        self.show_test = True
        self._layer_key, self._layer = None, None
        self.output = RasterImage(ax, (*EXTENT, *EXTENT), self._render_output, zorder=2)
        ax.add_artist(self.output)
        ax.set_xlim(EXTENT)
        ax.set_ylim(EXTENT)
        ax.set_aspect("equal")
        ax.set_xticks([-6, 0, 6])
        ax.set_yticks([-6, 0, 6])
        ax.grid(False)
        ax.set_title("output: P(class 1)" if c.classification else "output: the fitted surface", fontsize=9)
        # the loss curves
        ax = self.ax_loss
        (self.train_line,) = ax.plot([], [], color=COLORS["blue"], lw=1.4, label="train")
        (self.test_line,) = ax.plot([], [], color=COLORS["vermillion"], lw=1.4, label="test")
        ax.set_xlabel("epoch", fontsize=8, labelpad=1)
        ax.set_ylabel("loss", fontsize=8)
        ax.legend(loc="upper right", fontsize=7)
        self.x_limit, self.y_limit = 16.0, None
        self.discretize = False

    @property
    def animated(self):
        """The artists that change while training, in drawing order (for blitting)."""
        return [*self.diagram.artists, self.output, self.train_line, self.test_line]

    def update(self, run) -> bool:
        """Push the run's current state into the artists; True when an axis limit changed (full redraw needed)."""
        c = run.config
        outputs = run.layer_outputs(self.grids)  # one pass over both grids: every neuron, every point
        n = len(self.tile_grid)
        tiles = [values[:n] for values in outputs]
        pictures = tile_pictures(tiles, self.tile_resolution, c.activation == "sigmoid", c.classification)
        self.diagram.update(run.weights(), run.biases(), pictures)
        R = self.output_resolution
        self.values = outputs[-1][n:, 0].reshape(R, R)
        self.output.stale = True
        epochs, train, test = run.epochs_recorded, run.train_losses, run.test_losses
        self.train_line.set_data(epochs, train)
        self.test_line.set_data(epochs, test)
        return self._rescale(epochs, train + test)

    def _render_output(self, width, height):
        """The output stretched to the screen (bilinear), coloured, with the data points on top."""
        values = self.values
        if self.discretize:
            values = (values > 0.5).astype(float) if self.classification else np.sign(values)
        scaled = 2 * values - 1 if self.classification else values  # colours span [-1, 1]
        picture = colorize(stretch_bilinear(scaled[::-1], height, width), self.table)  # rows: top of the plane first
        key = (width, height, self.show_test)
        if key != self._layer_key:
            self._layer_key, self._layer = key, self._points_layer(width, height)
        return composite(picture, self._layer)

    def _points_layer(self, width, height):
        xs, colors, rims = [], [], []
        for X, y, rim in self.points if self.show_test else self.points[:1]:
            pixels = (X - EXTENT[0]) / (EXTENT[1] - EXTENT[0]) * (width, height)  # from the lower left
            pixels[:, 1] = height - pixels[:, 1]  # from the top
            xs.append(pixels)
            if self.classification:
                colors += [CLASS_COLORS[int(label)] for label in y[:, 0]]
            else:
                colors += list(PROBABILITY_CMAP((np.clip(y[:, 0], -1, 1) + 1) / 2))
            rims += [rim] * len(X)
        return markers_layer(width, height, np.concatenate(xs), colors, rims, radius=3.5, rim=1.0)

    def _rescale(self, epochs, losses) -> bool:
        """Grow the loss axes in jumps (x in powers of 4, y to 1.15 × the largest loss) so that most frames blit
        (a full redraw of the playground costs ~130 ms, a blitted frame ~10 ms)."""
        finite = [v for v in losses if np.isfinite(v)]
        top = max(finite) * 1.15 if finite else 1.0
        changed = False
        if epochs and epochs[-1] > self.x_limit:  # ×4: a playing run crosses 16, 64, 256, … epochs quickly
            self.x_limit = float(4 ** np.ceil(np.log(epochs[-1]) / np.log(4)))
            changed = True
        if self.y_limit is None or top > self.y_limit:
            self.y_limit = top
            changed = True
        if changed:
            self.ax_loss.set_xlim(0, self.x_limit)
            self.ax_loss.set_ylim(0, self.y_limit)
        return changed
