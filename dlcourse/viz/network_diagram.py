"""`NetworkDiagram`: a small network drawn as neurons and connections, each weight visible.

    diagram = NetworkDiagram(ax, sizes=[2, 4, 1], labels=["x₁", "x₂"])
    diagram.update(weights, biases, pictures)   # weights[l]: (out, in); pictures[col]: (n, R, R) in [-1, 1]

Each neuron is a square tile that can show its own output as a heatmap over the input plane; each
connection is a line coloured by the weight's sign (orange +, blue −) and as thick as |weight|; a
bias is a small square at the lower left of its neuron (same colours, area ∝ |bias|). Drawing is
made for animation: all tiles are ONE raster layer (pixels pasted, raster.py) and all connections
ONE LineCollection (new widths and colours per frame), so a frame costs a few milliseconds.
`hit(x, y)` tells which neuron or connection lies under a point (for hover and click).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from dlcourse.viz.raster import RasterImage, colorize, lookup_table, nearest_indices
from dlcourse.viz.style import COLORS, PROBABILITY_CMAP

TILE = 0.5  # side of a neuron's square, in data units; columns are COLUMN apart, rows ROW apart
COLUMN = 1.6
ROW = 0.72
POSITIVE, NEGATIVE = np.asarray(to_rgba(COLORS["orange"])), np.asarray(to_rgba(COLORS["blue"]))
FRAME = np.array([90, 90, 90, 255], dtype=np.uint8)  # the grey outline of a tile
EMPTY = np.array([240, 240, 240, 255], dtype=np.uint8)  # a tile without a picture


def connection_widths(weights: np.ndarray, thickest: float = 8.0, knee: float = 2.5, thinnest: float = 0.25):
    """Line width in points for each weight: thickest · |w| / (|w| + knee), at least `thinnest`.

    Proportional to |w| for small weights (|w| = 0.1 → 0.3 pt, 1 → 2.3 pt) and saturating for large
    ones (5 → 5.3 pt, 10 → 6.4 pt), so that a strong weight still looks stronger than a merely large one.
    """
    size = np.abs(np.asarray(weights, dtype=float))
    return np.maximum(thickest * size / (size + knee), thinnest)


def signed_colors(values: np.ndarray) -> np.ndarray:
    """(N, 4) RGBA: orange where a value is ≥ 0, blue where it is negative."""
    return np.where(np.asarray(values)[:, None] >= 0, POSITIVE, NEGATIVE)


class NetworkDiagram:
    """Neurons (tiles) and connections (lines) of a fully connected network, on one axes."""

    def __init__(self, ax, sizes, labels=None, layer_labels: bool = True, min_columns: int = 5, min_rows: int = 7):
        self.ax, self.sizes = ax, [int(s) for s in sizes]
        tallest = max(self.sizes)
        # centre of every neuron, column by column: x = column index, rows centred on y = 0
        self.centers = [
            np.stack([np.full(n, col * COLUMN), (np.arange(n)[::-1] - (n - 1) / 2) * ROW], axis=1)
            for col, n in enumerate(self.sizes)
        ]  # list of (n_col, 2)
        half = TILE / 2
        segments, self.owners = [], []  # one segment per weight, and its (layer, out, in)
        for layer, (left, right) in enumerate(zip(self.centers[:-1], self.centers[1:])):
            for j, end in enumerate(right):
                for i, start in enumerate(left):
                    segments.append(((start[0] + half, start[1]), (end[0] - half, end[1])))
                    self.owners.append((layer, j, i))
        self.segments = np.asarray(segments, dtype=float).reshape(-1, 2, 2)  # (W, 2 ends, xy)
        self.lines = LineCollection(self.segments, linewidths=0.5, colors=COLORS["black"], zorder=1,
                                    capstyle="butt")  # fmt: skip
        ax.add_collection(self.lines)
        self.y_top = (tallest - 1) / 2 * ROW + half
        self.right = (len(self.sizes) - 1) * COLUMN  # x of the output column
        self.extent = (-half, self.right + half, -self.y_top, self.y_top)
        self.table = lookup_table(PROBABILITY_CMAP)
        self.pictures = [None] * len(self.sizes)  # the last pictures per column, (n, R, R) in [-1, 1]
        self.tiles = RasterImage(ax, self.extent, self._render_tiles, zorder=2)
        ax.add_artist(self.tiles)
        self.bias_dots = ax.scatter(*(np.concatenate(self.centers[1:]) - half * 0.82).T, marker="s", s=4,
                                    color=COLORS["black"], zorder=4, linewidths=0)  # fmt: skip
        self.highlight = ax.plot([], [], color=COLORS["black"], lw=2.5, alpha=0.5, zorder=5, visible=False)[0]
        for text, (x, y) in zip(labels or [], self.centers[0]):
            ax.text(x - half - 0.08, y, text, ha="right", va="center", fontsize=8)
        if layer_labels:
            for col, n in enumerate(self.sizes[1:-1], start=1):
                ax.text(col * COLUMN, self.y_top + 0.1, f"{n} neuron{'s' if n > 1 else ''}", ha="center",
                        va="bottom", fontsize=8)  # fmt: skip
            ax.text(self.right, self.centers[-1][0][1] + half + 0.1, "output", ha="center", va="bottom", fontsize=8)
        # room for at least `min_columns` columns and `min_rows` rows: a small network keeps small tiles
        pad = max(0.0, (min_columns - 1) * COLUMN - self.right) / 2
        ax.set_xlim(-half - 0.75 - pad, self.right + half + 0.1 + pad)
        height = max(self.y_top, (min_rows - 1) / 2 * ROW + half)
        ax.set_ylim(-height - 0.1, height + 0.4)
        ax.set_aspect("equal", adjustable="box")
        ax.axis("off")
        self.weights = np.zeros(len(self.owners))

    @property
    def artists(self):
        """What changes on every frame (for blitting), in drawing order."""
        return [self.lines, self.tiles, self.bias_dots, self.highlight]

    def update(self, weights, biases=None, pictures=None) -> None:
        """New weights (list of (out, in)), biases (list of (out,)) and pictures (per column (n, R, R) or None)."""
        flat = np.concatenate([np.asarray(w, dtype=float).ravel() for w in weights])  # in `owners` order
        self.weights = flat
        self.lines.set_linewidths(connection_widths(flat))
        self.lines.set_colors(signed_colors(flat))
        if biases is not None:
            b = np.concatenate([np.asarray(v, dtype=float).ravel() for v in biases])
            self.bias_dots.set_sizes(np.clip(25 * np.abs(b), 2, 30))
            self.bias_dots.set_facecolors(signed_colors(b))
        if pictures is not None:
            self.pictures = list(pictures)
        self.tiles.stale = True

    def _render_tiles(self, width, height):
        """Every tile at its place, stretched to its size on screen, with a grey outline; transparent between.

        All tiles are coloured and stretched at once, then written through precomputed pixel indices
        (`_geometry`), so a frame costs about a millisecond whatever the number of neurons.
        """
        size, inside, outline = self._geometry(width, height)
        out = np.zeros((height * width, 4), dtype=np.uint8)
        if size:
            R = max((p.shape[1] for p in self.pictures if p is not None), default=1)
            # (tiles, R, R), each picture's top row first (the picture's rows go up the plane)
            stack = np.concatenate([p[:, ::-1] if p is not None else np.full((len(c), R, R), np.nan)
                                    for p, c in zip(self.pictures, self.centers)])  # fmt: skip
            index = nearest_indices(R, size)
            stretched = stack[:, index][:, :, index]  # (tiles, size, size)
            colors = colorize(stretched, self.table)
            colors[np.isnan(stretched)] = EMPTY  # a neuron without a picture: a plain light square
            out[inside] = colors.reshape(-1, 4)
            out[outline] = FRAME
        return out.reshape(height, width, 4)

    def _geometry(self, width, height):
        """(tile size in pixels, flat pixel indices of the tiles' insides in tile order, of their outlines)."""
        if getattr(self, "_geometry_key", None) == (width, height):
            return self._geometry_value
        left, right, bottom, top = self.extent
        sx, sy = width / (right - left), height / (top - bottom)  # pixels per data unit
        size = int(min(TILE * sx, TILE * sy))
        inside, outline = [], []
        if size >= 3:
            block = np.arange(size)
            border = np.zeros((size, size), dtype=bool)
            border[[0, -1], :] = border[:, [0, -1]] = True
            for x, y in np.concatenate(self.centers):
                x0 = min(max(int(round((x - TILE / 2 - left) * sx)), 0), width - size)
                y0 = min(max(int(round((top - y - TILE / 2) * sy)), 0), height - size)
                flat = (y0 + block)[:, None] * width + (x0 + block)[None, :]  # (size, size)
                inside.append(flat.ravel())
                outline.append(flat[border])
        else:
            size = 0
        value = (size, np.concatenate(inside) if inside else None, np.concatenate(outline) if outline else None)
        self._geometry_key, self._geometry_value = (width, height), value
        return value

    def hit(self, x: float, y: float):
        """("neuron", column, index), ("connection", layer, out, in) or None, for a point in data coordinates."""
        if x is None or y is None:
            return None
        for col, column in enumerate(self.centers):
            inside = np.all(np.abs(column - (x, y)) <= TILE / 2, axis=1)
            if inside.any():
                return ("neuron", col, int(np.argmax(inside)))
        if not len(self.segments):
            return None
        start, end = self.segments[:, 0], self.segments[:, 1]  # (W, 2) each
        direction = end - start
        t = np.clip(((np.array([x, y]) - start) * direction).sum(axis=1) / (direction**2).sum(axis=1), 0, 1)
        distance = np.hypot(*(start + t[:, None] * direction - (x, y)).T)
        best = int(np.argmin(distance))
        return ("connection", *self.owners[best]) if distance[best] < 0.06 else None

    def show_highlight(self, target) -> None:
        """Outline the hovered neuron or connection (None hides the outline)."""
        if target is None:
            self.highlight.set_visible(False)
            return
        if target[0] == "neuron":
            x, y = self.centers[target[1]][target[2]]
            h = TILE / 2 + 0.05
            self.highlight.set_data([x - h, x + h, x + h, x - h, x - h], [y - h, y - h, y + h, y + h, y - h])
        else:
            (x1, y1), (x2, y2) = self.segments[self.owners.index(tuple(target[1:]))]
            self.highlight.set_data([x1, x2], [y1, y2])
        self.highlight.set_visible(True)
