"""Two apps for the CNN chapter: a convolution explorer, and a trained CNN's filters and feature maps.

    from dlcourse.viz.conv import convolution_explorer, feature_map_viewer
    convolution_explorer()                    # a digit ⋆ a 3×3 kernel (9 sliders or a preset), stride, padding
    feature_map_viewer(model, images)         # what a trained nn.Sequential CNN sees in one digit, layer by layer

The feature maps are computed by the library (`nn.functional.conv2d`, the model's own layers).
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

import dlcourse as dl
from dlcourse import data, nn
from dlcourse.nn import functional as F
from dlcourse.viz.app import App
from dlcourse.viz.raster import Heatmap
from dlcourse.viz.style import COLORS, course_style, new_figure

# 3×3 kernels with a name; "edge x" responds to changes along x (vertical edges), "edge y" along y.
PRESETS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edge x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "edge y": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}
DIVERGING_CMAP = "PuOr_r"  # purple < 0 < orange, white at 0 (colour-blind safe); limits are set symmetric
PADDING_COLOR = "#FFF1C1"  # the zeros that padding adds: pale yellow, so they stand out from white background pixels
CUSTOM = "custom"  # what the preset menu says once a slider has been moved by hand
_STYLE = {"description_width": "70px"}


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    """Positions a kernel fits in along one axis: ⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def feature_map(image, kernel, stride: int = 1, padding: int = 0) -> np.ndarray:
    """image (H, W) ⋆ kernel (kH, kW) → (OH, OW), by the library's `F.conv2d` (cross-correlation, as in PyTorch)."""
    x = np.asarray(image, dtype=np.float64)[None, None]  # (1, 1, H, W): one image, one channel
    w = np.asarray(kernel, dtype=np.float64)[None, None]  # (1, 1, kH, kW): one filter
    return np.asarray(F.conv2d(x, w, stride=stride, padding=padding).data)[0, 0]


def _pixels(ax, array, **kwargs):
    """imshow with one square per array entry, centred on integer coordinates (row i, column j)."""
    return ax.imshow(array, interpolation="nearest", **kwargs)


def _fit_image(image, array, offset: float = 0.0) -> None:
    """Show `array` (any shape) in `image`, its top-left pixel centred at (offset, offset)."""
    rows, cols = array.shape
    image.set_data(array)
    image.set_extent((offset - 0.5, offset + cols - 0.5, offset + rows - 0.5, offset - 0.5))
    image.axes.set_xlim(offset - 0.5, offset + cols - 0.5)
    image.axes.set_ylim(offset + rows - 0.5, offset - 0.5)


class ConvolutionExplorer(App):
    """A digit, a 3×3 kernel and the feature map they make; stride, padding and the window being computed."""

    def __init__(self, index: int = 3, preset: str = "edge x", stride: int = 1, padding: int = 0, images=None):
        super().__init__(title="Convolution: slide a 3×3 kernel over a digit")
        self.images, self.labels = data.digits() if images is None else (np.asarray(images), None)
        self.figure, (self.ax_in, self.ax_k, self.ax_out) = new_figure(1, 3, figsize=(9.6, 3.6))
        with course_style():
            ink = matplotlib.colormaps["gray_r"].with_extremes(bad=PADDING_COLOR)
            self.input_image = _pixels(self.ax_in, np.zeros((8, 8)), cmap=ink, vmin=0, vmax=1)
            self.image_border = Rectangle((-0.5, -0.5), 8, 8, fill=False, ls="--", lw=1.2, color=COLORS["sky"])
            self.window = Rectangle((-0.5, -0.5), 3, 3, fill=False, lw=2.5, color=COLORS["vermillion"])
            self.ax_in.add_patch(self.image_border)
            self.ax_in.add_patch(self.window)
            self.kernel_image = _pixels(self.ax_k, np.zeros((3, 3)), cmap=DIVERGING_CMAP)
            self.kernel_text = [[self.ax_k.text(j, i, "", ha="center", va="center", fontsize=11) for j in range(3)]
                                for i in range(3)]  # fmt: skip
            self.output_image = _pixels(self.ax_out, np.zeros((6, 6)), cmap=DIVERGING_CMAP)
            self.output_cell = Rectangle((-0.5, -0.5), 1, 1, fill=False, lw=2.5, color=COLORS["vermillion"])
            self.ax_out.add_patch(self.output_cell)
            self.figure.colorbar(self.output_image, ax=self.ax_out, fraction=0.046, pad=0.04)
            for ax in (self.ax_in, self.ax_k, self.ax_out):
                ax.grid(False)
                ax.tick_params(labelsize=7)
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # pixel rows and columns are whole numbers
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            self.ax_k.set(title="kernel (3×3 weights)", xticks=[], yticks=[])
            self.figure.tight_layout()
        self.set_animated([self.window, self.output_cell])  # the window slider moves these only (blitting)
        for i in range(3):
            for j in range(3):
                slider = widgets.FloatSlider(value=0.0, min=-5, max=5, step=0.05, description=f"k[{i},{j}]",
                                             readout_format=".2f", style={"description_width": "46px"},
                                             layout=widgets.Layout(width="220px"))  # fmt: skip
                self.add_control(f"k{i}{j}", slider, self._on_weight)
        self.add_control("preset", widgets.Dropdown(options=[*PRESETS, CUSTOM], value=preset, description="preset",
                                                    style=_STYLE), self._on_preset)  # fmt: skip
        last = len(self.images) - 1
        self.add_control("index", widgets.IntSlider(value=index, min=0, max=last, description="image #",
                                                    style=_STYLE), self.update)  # fmt: skip
        self.add_control("stride", widgets.IntSlider(value=stride, min=1, max=10, description="stride",
                                                     style=_STYLE), self.update)  # fmt: skip
        self.add_control("padding", widgets.IntSlider(value=padding, min=0, max=3, description="padding",
                                                      style=_STYLE), self.update)  # fmt: skip
        window = widgets.IntSlider(value=0, min=0, max=35, description="window", style=_STYLE)
        self.add_control("window", window, self._on_window)
        self.add_player("play", window, interval_ms=300)
        self._on_preset()

    def layout(self) -> widgets.Widget:
        """Like App's (figure, status line, controls), with the nine weights as a 3×3 grid of sliders."""
        sliders = [self.controls[f"k{i}{j}"] for i in range(3) for j in range(3)]
        kernel = widgets.GridBox(sliders, layout=widgets.Layout(grid_template_columns="repeat(3, 225px)"))
        names = ("preset", "index", "stride", "padding", "window", "play")
        others = widgets.VBox([self.controls[name] for name in names])
        title = widgets.HTML(f"<b>{self.title}</b>")
        return widgets.VBox([title, self.figure_widget(), self.status, widgets.HBox([kernel, others]), self.output])

    # ------------------------------------------------------------------ reading the controls
    @property
    def kernel(self) -> np.ndarray:
        """The 3×3 kernel the sliders hold."""
        return np.array([[self.controls[f"k{i}{j}"].value for j in range(3)] for i in range(3)])

    @property
    def image(self) -> np.ndarray:
        return np.asarray(self.images[self.controls["index"].value], dtype=np.float64)

    # ------------------------------------------------------------------ callbacks
    def _on_preset(self, change=None):
        name = self.controls["preset"].value
        if name != CUSTOM:
            with self.hold_updates():  # nine slider changes, one redraw
                for (i, j), value in np.ndenumerate(np.array(PRESETS[name], dtype=float)):
                    self.controls[f"k{i}{j}"].value = float(value)
        self.update()

    def _on_weight(self, change=None):
        with self.hold_updates():
            self.controls["preset"].value = CUSTOM  # a hand-made kernel is no longer the preset
        self.update()

    def _on_window(self, change=None):
        self._show_window()
        self.redraw_frame()

    def update(self, change=None):
        """Recompute the feature map from the digit, kernel, stride and padding; redraw every panel."""
        c, kernel, image = self.controls, self.kernel, self.image
        stride, padding = c["stride"].value, c["padding"].value
        height, width = image.shape
        self.out = feature_map(image, kernel, stride, padding)  # (OH, OW): the feature map drawn right now
        padded = np.pad(image, padding)  # zeros around the image, as conv2d adds them
        frame = np.pad(np.zeros(image.shape, bool), padding, constant_values=True)  # True on the padding
        _fit_image(self.input_image, np.ma.masked_array(padded, mask=frame), offset=-padding)
        self.image_border.set_bounds(-0.5, -0.5, width, height)
        self.image_border.set_visible(padding > 0)
        label = "" if self.labels is None else f" (a {self.labels[c['index'].value]})"
        pad_text = f" + padding {padding}" if padding else ""
        self.ax_in.set_title(f"input {height}×{width}{pad_text}{label}")
        limit = max(float(np.abs(kernel).max()), 1e-9)
        self.kernel_image.set_data(kernel)
        self.kernel_image.set_clim(-limit, limit)
        for (i, j), value in np.ndenumerate(kernel):
            text = self.kernel_text[i][j]
            text.set_text(f"{value:.2f}".rstrip("0").rstrip(".") if value else "0")
            text.set_color("white" if abs(value) > 0.6 * limit else "black")  # readable on dark squares
        _fit_image(self.output_image, self.out)
        spread = max(float(np.abs(self.out).max()), 1e-9)
        self.output_image.set_clim(-spread, spread)  # white = 0, colour = sign
        rows, cols = self.out.shape
        self.ax_out.set_title(f"feature map {rows}×{cols}")
        with self.hold_updates():
            c["window"].max = rows * cols - 1
            c["window"].value = min(c["window"].value, rows * cols - 1)
        self._show_window()
        self.redraw()

    def _show_window(self):
        """Outline the receptive field of output cell `window` and report its weighted sum."""
        stride, padding = self.controls["stride"].value, self.controls["padding"].value
        rows, cols = self.out.shape
        k = min(self.controls["window"].value, rows * cols - 1)
        i, j = divmod(k, cols)
        top, left = i * stride - padding, j * stride - padding  # in the unpadded image's coordinates
        self.window.set_xy((left - 0.5, top - 0.5))
        self.output_cell.set_xy((j - 0.5, i - 0.5))
        size = self.image.shape[0]
        room = size + 2 * padding - 3  # how far the kernel can move
        text = (
            f"output size = ⌊({size} + 2·{padding} − 3) / {stride}⌋ + 1 = {rows}  ·  window ({i}, {j}) covers input "
            f"rows {top}…{top + 2}, columns {left}…{left + 2}: Σ pixel × weight = {self.out[i, j]:+.3f}"
        )
        level = "info"
        if not self.kernel.any():
            text = "every weight is 0: the feature map is 0 everywhere — this kernel detects nothing. " + text
            level = "warning"
        elif stride > room:
            text = (
                f"stride {stride} is larger than the room the kernel has to move ({room} pixels): only one window "
                f"fits, so the feature map is {rows}×{cols}. " + text
            )
            level = "warning"
        self.message(text, level)


def convolution_explorer(index: int = 3, preset: str = "edge x", **options) -> ConvolutionExplorer:
    """The convolution app (options: stride, padding, images = your own (N, H, W) array)."""
    return ConvolutionExplorer(index, preset, **options)


# ---------------------------------------------------------------------------------------------- trained CNN
class FeatureMapViewer(App):
    """A trained nn.Sequential CNN on one digit: its first layer's filters, and every layer's feature maps."""

    def __init__(self, model, images, labels=None, index: int = 0, view=None, columns: int = 8):
        super().__init__(title="Inside a trained CNN: learned filters and feature maps")
        if not isinstance(model, nn.Sequential):
            raise TypeError(f"feature_map_viewer needs an nn.Sequential model, got {type(model).__name__}")
        self.model, self.labels = model, labels
        self.images = np.asarray(images, dtype=np.float32)  # (N, 1, H, W)
        if self.images.ndim == 3:
            self.images = self.images[:, None]  # (N, H, W) → (N, 1, H, W)
        convs = [(k, layer) for k, layer in enumerate(model) if isinstance(layer, nn.Conv2d)]
        if not convs:
            raise ValueError("feature_map_viewer: the model has no nn.Conv2d layer, so there are no filters to show")
        self.first_conv = convs[0][1]
        self.views = {f"filters of layer {convs[0][0]}: Conv2d ({self.first_conv.out_channels} filters)": "filters"}
        names, _ = self._activations(0)
        self.views.update({name: name for name in names})
        most = max([self.first_conv.out_channels] + [maps.shape[0] for maps in self._activations(0)[1].values()])
        self.columns = min(columns, most)
        rows = -(-most // self.columns)  # ceiling division
        self.figure = fig = new_figure(figsize=(9.4, 1.0 * rows + 2.2))[0]
        fig.clear()
        grid_rows = max(rows, 2)  # the digit above, the probabilities below, the tiles to the right
        grid = fig.add_gridspec(grid_rows, self.columns + 3)
        with course_style():
            self.ax_in = fig.add_subplot(grid[: grid_rows // 2, :3])
            # pictures drawn by table lookup (raster.Heatmap): 17 imshow pictures cost ~25 ms a frame
            self.input_image = Heatmap(self.ax_in, "gray_r", vmin=0.0, vmax=1.0)
            self.ax_prob = fig.add_subplot(grid[grid_rows // 2 :, :3])
            self.bars = self.ax_prob.bar(np.arange(10), np.zeros(10), color=COLORS["blue"])
            self.ax_prob.set(ylim=(0, 1), xticks=range(10), ylabel="probability")
            self.tiles = [fig.add_subplot(grid[k // self.columns, 3 + k % self.columns]) for k in range(most)]
            self.tile_images = [Heatmap(ax, DIVERGING_CMAP, vmin=-1.0, vmax=1.0) for ax in self.tiles]
            for k, ax in enumerate(self.tiles):
                ax.set_title(str(k), fontsize=7, pad=2)
            for image in [self.input_image, *self.tile_images]:
                image.axes.set(xticks=[], yticks=[], aspect="equal")  # square pixels, as imshow draws them
                image.axes.grid(False)
            fig.subplots_adjust(left=0.07, right=0.99, top=0.9, bottom=0.1, wspace=0.15, hspace=0.35)
            # the image's caption, as a text that a frame can change (a title cannot be blitted)
            self.caption = self.ax_in.text(0.5, 1.04, "", transform=self.ax_in.transAxes, ha="center", va="bottom")
        # moving to another image changes these only (blitting); another view redraws everything
        self.set_animated([self.input_image, self.caption, *self.bars, *self.tile_images])
        self.add_control("index", widgets.IntSlider(value=index, min=0, max=len(self.images) - 1,
                                                    description="image #", style=_STYLE), self.update)  # fmt: skip
        options = list(self.views)
        default = view if view in options else options[0]
        menu = widgets.Dropdown(options=options, value=default, description="show", style=_STYLE,
                                layout=widgets.Layout(width="420px"))  # fmt: skip
        self.add_control("view", menu, self.update)
        self.update()

    def _activations(self, index: int):
        """Every 4-D output (C, H, W) of the model's layers for image `index`, and the class probabilities."""
        x = dl.tensor(self.images[index : index + 1])  # (1, 1, H, W)
        maps, names = {}, []
        with dl.no_grad():
            for k, layer in enumerate(self.model):
                x = layer(x)
                if x.ndim == 4:
                    name = f"feature maps after layer {k}: {type(layer).__name__}"
                    names.append(name)
                    maps[name] = np.asarray(x.data)[0]  # (C, H, W)
            probabilities = np.asarray(F.softmax(x, dim=-1).data)[0] if x.ndim == 2 else None
        self.probabilities = probabilities
        return names, maps

    def update(self, change=None):
        """Show the chosen image, its class probabilities, and the chosen filters or feature maps."""
        index, view = self.controls["index"].value, self.views[self.controls["view"].value]
        _, maps = self._activations(index)
        self.input_image.set_data(self.images[index, 0])
        self.input_image.set_clim(float(self.images.min()), float(self.images.max()))
        predicted = int(np.argmax(self.probabilities)) if self.probabilities is not None else None
        truth = "" if self.labels is None else f", label {self.labels[index]}"
        self.caption.set_text(f"image {index}{truth}" + ("" if predicted is None else f", predicted {predicted}"))
        if self.probabilities is not None:
            for bar, p in zip(self.bars, self.probabilities):
                bar.set_height(p)
        tiles = self.first_conv.weight.data[:, 0] if view == "filters" else maps[view]  # (C, h, w)
        spread = max(float(np.abs(tiles).max()), 1e-9)
        for k, (ax, image) in enumerate(zip(self.tiles, self.tile_images)):
            ax.set_visible(k < len(tiles))
            if k < len(tiles):
                image.set_data(np.asarray(tiles[k]))
                image.set_clim(-spread, spread)  # one scale for all tiles: brightness is comparable
        what = "filters (first input channel)" if view == "filters" else "feature maps"
        self.message(f"{len(tiles)} {what}, each {tiles.shape[1]}×{tiles.shape[2]}; orange = positive, "
                     f"purple = negative, white = 0 (largest |value| {spread:.2f})")  # fmt: skip
        self.show((view, len(tiles)))


def feature_map_viewer(model, images, labels=None, **options) -> FeatureMapViewer:
    """The trained-CNN app: model an nn.Sequential starting with Conv2d, images (N, 1, H, W) or (N, H, W)."""
    return FeatureMapViewer(model, images, labels, **options)
