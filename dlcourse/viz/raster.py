"""`RasterImage`: an artist that pastes ready-made pixels, for pictures that change on every frame.

    layer = RasterImage(ax, extent=(-6, 6, -6, 6), render=lambda width, height: rgba)   # (height, width, 4)
    ax.add_artist(layer)

`imshow` resamples and colour-maps its data on every draw (15–25 ms for a large picture on a small
machine); an animation that redraws 20 times a second cannot afford that. A `RasterImage` asks its
`render(width, height)` for exactly the pixels its extent covers on screen (uint8 RGBA, row 0 at the
top) and hands them to the renderer as they are, which costs well under a millisecond. The helpers
below make such pixels quickly: a colour lookup table, nearest/bilinear upscaling, and round markers.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba


class RasterImage(Artist):
    """Pixels from `render(width, height)` drawn at `extent` (left, right, bottom, top, in data coordinates)."""

    def __init__(self, ax, extent, render, zorder: float = 2):
        super().__init__()
        self.axes, self.extent, self.render = ax, tuple(extent), render
        self.set_zorder(zorder)
        self.set_figure(ax.figure)
        self.set_clip_box(ax.bbox)
        self.size = (0, 0)  # (width, height) in pixels of the last draw

    def pixel_box(self):
        """(x0, y0, width, height): where the extent lands on the canvas, in whole pixels from the lower left
        (on an inverted axis too: the box is the same, only which edge is `bottom` differs)."""
        left, right, bottom, top = self.extent
        corners = self.axes.transData.transform([(left, bottom), (right, top)])
        (x0, y0), (x1, y1) = np.round(corners.min(axis=0)).astype(int), np.round(corners.max(axis=0)).astype(int)
        return int(x0), int(y0), max(1, int(x1 - x0)), max(1, int(y1 - y0))

    def draw(self, renderer):
        if not self.get_visible():
            return
        x0, y0, width, height = self.pixel_box()
        self.size = (width, height)
        rgba = np.ascontiguousarray(self.render(width, height)[::-1])  # the renderer wants the bottom row first
        gc = renderer.new_gc()
        gc.set_clip_rectangle(self.axes.bbox)
        renderer.draw_image(gc, x0, y0, rgba)
        gc.restore()
        self.stale = False


class Heatmap(RasterImage):
    """A grid of values drawn as `imshow(values, interpolation="nearest", aspect="auto")` draws it (row 0 at
    the top), by a colour lookup table and stretched indices: ~0.3 ms a draw instead of imshow's ~3 ms.

        heatmap = Heatmap(ax, "RdBu_r", vmin=-1, vmax=1)   # added to ax, as imshow adds its image
        heatmap.set_data(values)                   # (rows, columns)
        figure.colorbar(heatmap.mappable, ax=ax)   # a colour bar for it
    """

    def __init__(self, ax, cmap, vmin: float, vmax: float, zorder: float = 1):
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        self.mappable = ScalarMappable(Normalize(vmin, vmax), cmap)
        self.table = lookup_table(self.mappable.get_cmap())
        self.values = np.zeros((1, 1))
        super().__init__(ax, (-0.5, 0.5, -0.5, 0.5), self._render, zorder=zorder)
        ax.add_artist(self)

    def set_data(self, values) -> None:
        """New values (rows, columns); the axes then show them cell by cell: x = column, y = row, downwards."""
        self.values = np.asarray(values, dtype=np.float64)
        rows, columns = self.values.shape
        self.extent = (-0.5, columns - 0.5, -0.5, rows - 0.5)
        self.axes.set_xlim(-0.5, columns - 0.5)
        self.axes.set_ylim(rows - 0.5, -0.5)  # row 0 at the top, as imshow draws it
        self.stale = True

    def get_array(self) -> np.ndarray:
        """The values shown (as imshow's get_array)."""
        return self.values

    def set_clim(self, vmin: float, vmax: float) -> None:
        self.mappable.set_clim(vmin, vmax)
        self.stale = True

    def get_clim(self) -> tuple[float, float]:
        return self.mappable.get_clim()

    def _render(self, width: int, height: int) -> np.ndarray:
        vmin, vmax = self.mappable.get_clim()
        scaled = (self.values - vmin) * (2.0 / max(vmax - vmin, 1e-300)) - 1.0  # to [-1, 1] for colorize
        small = colorize(scaled, self.table)  # (rows, columns, 4)
        rows, columns = self.values.shape
        return small[nearest_indices(rows, height)][:, nearest_indices(columns, width)]  # (height, width, 4)


def lookup_table(cmap, size: int = 256) -> np.ndarray:
    """The colour map as a (size, 4) uint8 table: colours of values -1 … 1 (see `colorize`)."""
    return (np.asarray(cmap(np.linspace(0, 1, size))) * 255).round().astype(np.uint8)


def colorize(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] (NaN: transparent) → uint8 RGBA through a lookup table."""
    scaled = (values + 1) * (0.5 * (len(table) - 1))
    missing = np.isnan(scaled)
    if missing.any():
        scaled[missing] = 0
    np.clip(scaled, 0, len(table) - 1, out=scaled)
    rgba = table.take(scaled.astype(np.intp), axis=0)
    if missing.any():
        rgba[missing, 3] = 0
    return rgba


def nearest_indices(source: int, target: int) -> np.ndarray:
    """Which of `source` pixels each of `target` pixels shows when stretched (nearest neighbour)."""
    return np.minimum((np.arange(target) * source) // max(target, 1), source - 1)


@functools.lru_cache(maxsize=32)
def _linear_weights(source: int, target: int):
    """For each of `target` pixels: the two `source` pixels around it and the weight of the second."""
    position = (np.arange(target) + 0.5) * source / target - 0.5  # where each target pixel falls in the source
    low = np.clip(np.floor(position), 0, source - 1).astype(np.intp)
    high = np.minimum(low + 1, source - 1)
    return low, high, np.clip(position - low, 0, 1)


def stretch_bilinear(values: np.ndarray, height: int, width: int) -> np.ndarray:
    """A (h, w) grid of values stretched to (height, width) by bilinear interpolation (no BLAS: small arrays)."""
    low, high, weight = _linear_weights(values.shape[0], height)
    rows = values[low] * (1 - weight)[:, None] + values[high] * weight[:, None]  # (height, w)
    low, high, weight = _linear_weights(values.shape[1], width)
    return rows[:, low] * (1 - weight) + rows[:, high] * weight  # (height, width)


def markers_layer(width, height, pixels_xy, colors, rims, radius: float = 3.5, rim: float = 1.0):
    """Round markers (filled, with a rim) painted on a transparent layer: (flat pixel indices, RGBA in [0, 1]).

    `pixels_xy`: (N, 2) marker centres in pixels from the top left corner (pixel i spans [i, i+1]);
    colours and rims: N matplotlib colours. Only the covered pixels are returned, premultiplied by
    their coverage, so that `composite` touches nothing else.
    """
    layer = np.zeros((height, width, 4))
    reach = int(np.ceil(radius + 1))
    offsets = np.arange(-reach, reach + 1)
    for (cx, cy), color, rim_color in zip(pixels_xy, colors, rims):
        xs, ys = int(round(cx)) + offsets, int(round(cy)) + offsets
        xs, ys = xs[(xs >= 0) & (xs < width)], ys[(ys >= 0) & (ys < height)]
        if not len(xs) or not len(ys):
            continue
        distance = np.hypot((xs + 0.5 - cx)[None, :], (ys + 0.5 - cy)[:, None])  # from each pixel's centre
        coverage = np.clip(radius + 0.5 - distance, 0, 1)  # an antialiased disc
        inner = np.clip(radius - rim + 0.5 - distance, 0, 1)
        paint = inner[..., None] * to_rgba(color) + (coverage - inner)[..., None] * np.asarray(to_rgba(rim_color))
        window = np.ix_(ys, xs)
        layer[window] = paint + layer[window] * (1 - coverage[..., None])  # later markers on top
    covered = np.flatnonzero(layer[..., 3] > 0)
    return covered, layer.reshape(-1, 4)[covered]


def composite(base_rgba: np.ndarray, layer) -> np.ndarray:
    """uint8 RGBA `base` with a `markers_layer` on top (in place; only the covered pixels are touched)."""
    covered, paint = layer
    flat = base_rgba.reshape(-1, 4)
    alpha = paint[:, 3:4]
    flat[covered, :3] = (flat[covered, :3] * (1 - alpha) + paint[:, :3] * 255).clip(0, 255).astype(np.uint8)
    flat[covered, 3] = np.maximum(flat[covered, 3], (alpha[:, 0] * 255).astype(np.uint8))
    return base_rgba
