"""The convolution explorer and the feature-map viewer, driven headless: set a control, assert on the artists."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data, nn
from dlcourse.viz.conv import (
    CUSTOM,
    PRESETS,
    ConvolutionExplorer,
    FeatureMapViewer,
    conv_output_size,
    feature_map,
)

IMAGES, LABELS = data.digits()


def correlate(image, kernel, stride=1, padding=0):
    """The definition, written independently of the library: out[i, j] = Σ window · kernel."""
    x = np.pad(np.asarray(image, dtype=float), padding)
    kh, kw = kernel.shape
    rows, cols = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    return np.array(
        [[np.sum(x[i * stride : i * stride + kh, j * stride : j * stride + kw] * kernel) for j in range(cols)]
         for i in range(rows)]
    )  # fmt: skip


def drawn(image_artist):
    return np.ma.getdata(image_artist.get_array())


# ---------------------------------------------------------------------------------------------- the maths
@pytest.mark.parametrize(
    ("size", "kernel", "padding", "stride"), [(8, 3, 0, 1), (8, 3, 1, 2), (7, 2, 0, 3), (8, 3, 0, 9)]
)
def test_output_size_formula_matches_the_library(size, kernel, padding, stride):
    image = np.arange(size * size, dtype=float).reshape(size, size)
    out = feature_map(image, np.ones((kernel, kernel)), stride, padding)
    assert out.shape == (conv_output_size(size, kernel, padding, stride),) * 2


def test_feature_map_is_cross_correlation_not_flipped_convolution():
    image = np.arange(20.0).reshape(4, 5)
    kernel = np.array([[1.0, 2.0], [0.0, -1.0]])  # not symmetric: a flipped kernel gives other numbers
    np.testing.assert_allclose(feature_map(image, kernel), correlate(image, kernel))
    assert not np.allclose(feature_map(image, kernel), correlate(image, kernel[::-1, ::-1]))


# ---------------------------------------------------------------------------------------------- explorer
def test_presets_set_the_sliders_and_the_feature_map_follows():
    app = ConvolutionExplorer(index=3, preset="edge x")
    assert app.errors == []
    for name in ("blur", "Sobel y", "sharpen", "identity"):
        app.controls["preset"].value = name
        np.testing.assert_allclose(app.kernel, PRESETS[name])
        np.testing.assert_allclose(drawn(app.output_image), correlate(IMAGES[3], np.array(PRESETS[name], float)))
        np.testing.assert_allclose(drawn(app.kernel_image), PRESETS[name])
    np.testing.assert_allclose(drawn(app.output_image), IMAGES[3][1:-1, 1:-1])  # identity: the centre pixels


def test_moving_one_weight_makes_the_kernel_custom_and_changes_the_map():
    app = ConvolutionExplorer(preset="identity")
    before = drawn(app.output_image).copy()
    app.controls["k02"].value = -2.0
    assert app.controls["preset"].value == CUSTOM
    expected_kernel = np.array(PRESETS["identity"], float)
    expected_kernel[0, 2] = -2.0
    np.testing.assert_allclose(drawn(app.output_image), correlate(app.image, expected_kernel))
    assert not np.allclose(before, drawn(app.output_image))
    assert app.kernel_text[0][2].get_text() == "-2"


def test_stride_and_padding_change_the_output_shape_and_the_input_view():
    app = ConvolutionExplorer(preset="edge y")
    app.controls["padding"].value = 2
    assert drawn(app.input_image).shape == (12, 12)  # 8 + 2·2
    assert np.ma.getmaskarray(app.input_image.get_array())[0].all()  # the padding is drawn as padding
    app.controls["stride"].value = 3
    rows = conv_output_size(8, 3, 2, 3)
    assert drawn(app.output_image).shape == (rows, rows) == (4, 4)
    np.testing.assert_allclose(drawn(app.output_image), correlate(app.image, app.kernel, 3, 2))
    assert app.controls["window"].max == rows * rows - 1
    assert "⌊(8 + 2·2 − 3) / 3⌋ + 1 = 4" in app.message_text


def test_window_slider_moves_the_receptive_field_and_reports_its_sum():
    app = ConvolutionExplorer(index=5, preset="Sobel x", stride=2, padding=1)
    app.controls["window"].value = 5  # 4 columns per row: row 1, column 1
    assert app.window.get_xy() == (1 * 2 - 1 - 0.5, 1 * 2 - 1 - 0.5)
    assert app.output_cell.get_xy() == (0.5, 0.5)
    assert f"{app.out[1, 1]:+.3f}" in app.message_text
    app.controls["stride"].value = 1  # a smaller stride: more windows, the slider keeps a valid value
    assert app.controls["window"].max == 63 and app.controls["window"].value == 5


def test_stride_longer_than_the_image_gives_one_window_and_a_message():
    app = ConvolutionExplorer(preset="blur")
    app.controls["window"].value = 20
    app.controls["stride"].value = 10
    assert app.out.shape == (1, 1)
    assert app.controls["window"].value == 0
    assert "only one window fits" in app.message_text and app.errors == []


def test_all_zero_kernel_is_explained_not_an_error():
    app = ConvolutionExplorer(preset="identity")
    app.controls["k11"].value = 0.0
    assert not app.out.any()
    assert "every weight is 0" in app.message_text
    assert app.errors == []


def test_choosing_another_image_redraws_the_input():
    app = ConvolutionExplorer(index=0)
    app.controls["index"].value = 42
    np.testing.assert_allclose(drawn(app.input_image), IMAGES[42])
    assert f"(a {LABELS[42]})" in app.ax_in.get_title()


# ---------------------------------------------------------------------------------------------- viewer
def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, seed=0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1, seed=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6 * 4, 10, seed=2),
    )  # fmt: skip


def test_viewer_shows_the_first_layer_filters():
    model = small_cnn()
    app = FeatureMapViewer(model, IMAGES[:10], LABELS[:10])
    assert app.errors == []
    assert sum(ax.get_visible() for ax in app.tiles) == 4
    for k in range(4):
        np.testing.assert_allclose(drawn(app.tile_images[k]), model[0].weight.data[k, 0])


def test_viewer_feature_maps_are_the_layer_outputs_and_follow_the_image():
    model = small_cnn()
    app = FeatureMapViewer(model, IMAGES[:10], LABELS[:10])
    app.controls["view"].value = "feature maps after layer 1: ReLU"
    weight, bias = model[0].weight.data.astype(float), model[0].bias.data.astype(float)
    for index in (0, 7):
        app.controls["index"].value = index
        for k in range(4):
            expected = np.maximum(correlate(IMAGES[index], weight[k, 0], padding=1) + bias[k], 0)
            np.testing.assert_allclose(drawn(app.tile_images[k]), expected, atol=1e-5)
    app.controls["view"].value = "feature maps after layer 5: MaxPool2d"
    assert sum(ax.get_visible() for ax in app.tiles) == 6
    assert drawn(app.tile_images[0]).shape == (2, 2)
    heights = [bar.get_height() for bar in app.bars]
    assert np.isclose(sum(heights), 1.0) and f"label {LABELS[7]}" in app.caption.get_text()


def test_viewer_rejects_models_it_cannot_show():
    with pytest.raises(ValueError, match="no nn.Conv2d layer"):
        FeatureMapViewer(nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), IMAGES[:2])
    with pytest.raises(TypeError, match="nn.Sequential"):
        FeatureMapViewer(nn.Conv2d(1, 2, 3), IMAGES[:2])
