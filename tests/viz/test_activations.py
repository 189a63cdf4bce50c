"""The activation explorer and the gradient-through-depth app, driven headless: set a control, assert on the artists."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlcourse import nn
from dlcourse.viz.activations import (
    ACTIVATIONS,
    ELEMENTWISE,
    SOFTMAX_LOGITS,
    ActivationExplorer,
    GradientDepthExplorer,
    activation_and_derivative,
    layer_gradient_norms,
    softmax_with_temperature,
)

X = np.array([-4.0, -1.5, -0.3, 0.2, 0.9, 3.0])  # no exact 0: ReLU's kink has no derivative there


def phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def big_phi(x):
    return np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])


def sig(x):
    return 1 / (1 + np.exp(-x))


# f and f' written out independently of the library
EXPECTED = {
    "linear": (lambda x: x, lambda x: np.ones_like(x)),
    "sigmoid": (sig, lambda x: sig(x) * (1 - sig(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.2 * x), lambda x: np.where(x > 0, 1.0, 0.2)),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(x)), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "gelu": (lambda x: x * big_phi(x), lambda x: big_phi(x) + x * phi(x)),
}


# ---------------------------------------------------------------------------------------------- the maths
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_and_its_autograd_derivative_match_the_formulas(name):
    y, dy = activation_and_derivative(name, X, slope=0.2)
    f, df = EXPECTED[name]
    np.testing.assert_allclose(y, f(X), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(dy, df(X), rtol=1e-7, atol=1e-12)


def test_unknown_activation_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activation_and_derivative("swish", X)


def test_softmax_with_temperature_limits():
    p1 = softmax_with_temperature(SOFTMAX_LOGITS, 1.0)
    e = np.exp(SOFTMAX_LOGITS)
    np.testing.assert_allclose(p1, e / e.sum())
    cold, hot = softmax_with_temperature(SOFTMAX_LOGITS, 0.05), softmax_with_temperature(SOFTMAX_LOGITS, 100.0)
    assert cold.max() > 0.99 and np.ptp(hot) < 0.02  # sharp vs nearly uniform
    np.testing.assert_array_equal(softmax_with_temperature(SOFTMAX_LOGITS, 0.0), [1, 0, 0, 0])
    np.testing.assert_array_equal(softmax_with_temperature([3.0, 3.0, 1.0], 0.0), [0.5, 0.5, 0])  # ties share
    big = softmax_with_temperature([1000.0, 1001.0], 1.0)  # no overflow
    assert np.isfinite(big).all() and big.sum() == pytest.approx(1.0)


def test_layer_gradient_norms_shape_seed_and_errors():
    norms = layer_gradient_norms("tanh", depth=5, width=8)
    assert norms.shape == (5,) and (norms > 0).all()
    np.testing.assert_array_equal(norms, layer_gradient_norms("tanh", depth=5, width=8))  # seeded
    assert not np.array_equal(norms, layer_gradient_norms("tanh", depth=5, width=8, seed=1))
    assert layer_gradient_norms("relu", depth=0).shape == (0,)
    with pytest.raises(ValueError, match="depth must be ≥ 0"):
        layer_gradient_norms("relu", depth=-1)
    with pytest.raises(ValueError, match="unknown init 'lecun'"):
        layer_gradient_norms("relu", depth=2, init="lecun")


def test_a_deep_sigmoid_stack_vanishes_and_relu_with_he_init_does_not():
    sigmoid, relu = layer_gradient_norms("sigmoid", 20), layer_gradient_norms("relu", 20)
    assert sigmoid[0] / relu[0] < 1e-3
    assert sigmoid[0] / sigmoid[-1] < 1e-6  # shrinks layer by layer towards the input
    assert 1e-2 < relu[0] / relu[-1] < 1e2


def test_layer_gradient_norms_match_torch():
    torch = pytest.importorskip("torch")
    depth, width, batch = 4, 6, 5
    rng = np.random.default_rng(0)  # the same seed layer_gradient_norms uses: the same weights and data

    layers = []
    for _ in range(depth):  # drawn in the same order as layer_gradient_norms draws them
        layers.append(nn.Linear(width, width, dtype=np.float64, seed=rng))
        nn.init.xavier_normal_(layers[-1].weight, seed=rng)  # "recommended" for sigmoid (gain 1)
    head = nn.Linear(width, 1, dtype=np.float64, seed=rng)
    x, target = rng.standard_normal((batch, width)), rng.standard_normal((batch, 1))
    h = torch.tensor(x)
    weights = [torch.tensor(layer.weight.data, requires_grad=True) for layer in layers]
    for layer, w in zip(layers, weights):
        h = torch.sigmoid(h @ w.T + torch.tensor(layer.bias.data))
    out = h @ torch.tensor(head.weight.data).T + torch.tensor(head.bias.data)
    torch.nn.functional.mse_loss(out, torch.tensor(target)).backward()
    expected = [float(w.grad.norm()) for w in weights]
    np.testing.assert_allclose(layer_gradient_norms("sigmoid", depth, width, batch), expected, rtol=1e-10)


# ---------------------------------------------------------------------------------------------- the explorer
def test_explorer_draws_the_chosen_activation_and_its_derivative():
    app = ActivationExplorer("sigmoid")
    np.testing.assert_allclose(app.f_line.get_ydata(), sig(app.x), atol=1e-12)
    app.controls["activation"].value = "tanh"
    np.testing.assert_allclose(app.f_line.get_ydata(), np.tanh(app.x), atol=1e-12)
    np.testing.assert_allclose(app.df_line.get_ydata(), 1 - np.tanh(app.x) ** 2, atol=1e-12)
    assert "tanh" in app.message_text and app.saturation is not None
    assert app.controls["slope"].disabled and app.controls["temperature"].disabled
    assert not app.errors


def test_explorer_probe_point_and_tangent_follow_x0():
    app = ActivationExplorer("sigmoid", x0=0.0)
    assert app.df_point.get_ydata()[0] == pytest.approx(0.25)
    app.controls["x0"].value = 3.0
    assert app.f_point.get_xdata()[0] == pytest.approx(3.0)
    assert app.df_point.get_ydata()[0] == pytest.approx(sig(3.0) * (1 - sig(3.0)))
    tangent_y = app.tangent.get_ydata()
    slope = (tangent_y[-1] - tangent_y[0]) / (app.x[-1] - app.x[0])
    assert slope == pytest.approx(sig(3.0) * (1 - sig(3.0)))


def test_leaky_slope_slider_changes_the_negative_side_and_zero_slope_warns():
    app = ActivationExplorer("leaky_relu", slope=0.3)
    assert not app.controls["slope"].disabled
    negative = app.x < 0
    np.testing.assert_allclose(app.f_line.get_ydata()[negative], 0.3 * app.x[negative])
    app.controls["slope"].value = 0.0
    np.testing.assert_allclose(app.df_line.get_ydata()[negative], 0.0)
    assert "slope α = 0" in app.message_text and not app.errors


def test_softmax_view_shows_bars_that_follow_the_temperature():
    app = ActivationExplorer("softmax", temperature=1.0)
    assert app.prob_bars[0].get_visible() and not app.f_line.get_visible()
    heights = np.array([bar.get_height() for bar in app.prob_bars])
    np.testing.assert_allclose(heights, softmax_with_temperature(SOFTMAX_LOGITS, 1.0))
    app.controls["temperature"].value = 4.0
    flatter = np.array([bar.get_height() for bar in app.prob_bars])
    assert flatter.max() < heights.max() and flatter.sum() == pytest.approx(1.0)
    app.controls["temperature"].value = 0.0
    np.testing.assert_array_equal([bar.get_height() for bar in app.prob_bars], [1, 0, 0, 0])
    assert "argmax" in app.message_text
    app.controls["activation"].value = "relu"  # back to curves: bars hidden again, numeric ticks
    assert not app.prob_bars[0].get_visible() and app.f_line.get_visible()
    assert not app.errors


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_every_activation_renders_without_errors(name):
    app = ActivationExplorer(name)
    assert app.png()[:4] == b"\x89PNG" and app.message_text and not app.errors


# ---------------------------------------------------------------------------------------------- gradient depth
def test_depth_app_draws_one_point_per_layer_and_follows_the_controls():
    app = GradientDepthExplorer("sigmoid", depth=20, width=16)
    xs, ys = np.asarray(app.line.get_xdata()), np.asarray(app.line.get_ydata())
    assert len(xs) == 20 and ys[0] < 1e-3 * np.asarray(app.compare_line.get_ydata())[0]
    np.testing.assert_allclose(ys, layer_gradient_norms("sigmoid", 20, 16))
    app.controls["depth"].value = 7
    assert len(app.line.get_xdata()) == 7 == len(app.compare_line.get_xdata())
    app.controls["activation"].value = "relu"
    np.testing.assert_allclose(app.line.get_ydata(), layer_gradient_norms("relu", 7, 16))
    before = np.asarray(app.line.get_ydata()).copy()
    app.controls["init"].value = "default"
    assert not np.allclose(app.line.get_ydata(), before)
    app.controls["compare"].value = "none"
    assert not app.compare_line.get_visible()
    assert "relu" in app.message_text and not app.errors


def test_depth_zero_shows_a_message_and_clears_the_plot():
    app = GradientDepthExplorer("tanh", depth=3, width=8)
    app.controls["depth"].value = 0
    assert len(app.line.get_xdata()) == 0 and "depth 0" in app.message_text
    app.controls["depth"].value = 2  # and it comes back
    assert len(app.line.get_xdata()) == 2 and "depth 0" not in app.message_text
    assert app.png()[:4] == b"\x89PNG" and not app.errors


def test_vanishing_is_flagged_in_the_status_line():
    app = GradientDepthExplorer("sigmoid", depth=20, width=16)
    assert app.status.value.startswith('<span style="color:#D55E00"')  # a warning colour
    app.controls["activation"].value = "relu"
    assert "#D55E00" not in app.status.value
