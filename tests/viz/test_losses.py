"""The loss explorer and the outlier app of chapter 04, and the NumPy maths under them, driven headless (Agg)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pytest

import dlcourse as dl
import dlcourse.nn.functional as F
from dlcourse.viz.losses import (
    OutlierFit,
    classification_losses,
    fit_line,
    line_data,
    loss_explorer,
    outlier_fit,
    regression_losses,
)


def xy(line):
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


# ------------------------------------------------------------------------------------ the loss formulas
def test_regression_losses_match_the_library_elementwise():
    rng = np.random.default_rng(0)
    prediction, target = rng.normal(size=50) * 3, rng.normal(size=50)
    for delta in (0.1, 1.0, 2.5):
        ours = regression_losses(prediction, target, delta)
        np.testing.assert_allclose(ours["mse"], F.mse_loss(dl.tensor(prediction), target, reduction="none").data)
        np.testing.assert_allclose(ours["mae"], F.l1_loss(dl.tensor(prediction), target, reduction="none").data)
        library = F.huber_loss(dl.tensor(prediction), target, reduction="none", delta=delta).data
        np.testing.assert_allclose(ours["huber"], library)


def test_huber_is_quadratic_inside_delta_linear_outside_and_continuous():
    losses = regression_losses(np.array([0.5, 2.0, 3.0]), 0.0, delta=1.0)
    np.testing.assert_allclose(losses["huber"], [0.125, 1.5, 2.5])
    at_edge = [regression_losses(1.0 + s, 0.0, delta=1.0)["huber"] for s in (-1e-9, 1e-9)]
    assert at_edge[0] == pytest.approx(at_edge[1], abs=1e-8) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="delta must be positive"):
        regression_losses(1.0, 0.0, delta=0.0)


def test_classification_losses_match_the_library_and_known_values():
    scores = np.linspace(-30, 30, 61)
    for label in (0, 1):
        ours = classification_losses(scores, label)
        target = np.full_like(scores, label)
        bce = F.binary_cross_entropy_with_logits(dl.tensor(scores), target, reduction="none").data
        np.testing.assert_allclose(ours["bce"], bce, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours["hinge"], F.hinge_loss(dl.tensor(scores), target, reduction="none").data)
        assert np.isfinite(ours["bce"]).all()
    at = classification_losses(np.array([0.0, 1.0]), 1)
    np.testing.assert_allclose(at["bce"][0], np.log(2))  # score 0 ↔ p = 0.5
    np.testing.assert_allclose(at["hinge"], [1.0, 0.0])  # at the margin the hinge is exactly 0
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        classification_losses(0.0, -1)


# ------------------------------------------------------------------------------------------- fit_line
def mean_loss(x, y, slope, intercept, loss, delta=1.0):
    return regression_losses(slope * x + intercept, y, delta)[loss].mean()


def test_mse_fit_is_least_squares():
    x, y = line_data(seed=3)
    np.testing.assert_allclose(fit_line(x, y, "mse"), np.polyfit(x, y, 1), rtol=1e-10)


@pytest.mark.parametrize("loss", ["mae", "huber"])
@pytest.mark.parametrize("outlier", [5.0, 30.0, -15.0])
def test_robust_fits_are_minima(loss, outlier):
    """No line on a fine grid around the answer has a smaller mean loss (the MAE fit is exact)."""
    x, y = line_data(seed=1)
    x, y = np.append(x, 7.0), np.append(y, outlier)
    slope, intercept = fit_line(x, y, loss, delta=0.7)
    best = mean_loss(x, y, slope, intercept, loss, 0.7)
    slopes, intercepts = np.meshgrid(slope + np.linspace(-0.05, 0.05, 41), intercept + np.linspace(-0.3, 0.3, 41))
    grid = regression_losses(slopes[..., None] * x + intercepts[..., None], y, 0.7)[loss].mean(-1)
    assert best <= grid.min() + 1e-12


def test_huber_fit_agrees_with_gradient_descent_through_autograd():
    x, y = line_data(seed=2)
    x, y = np.append(x, 9.0), np.append(y, 25.0)
    params = dl.tensor(np.zeros(2), requires_grad=True)
    adam = dl.optim.Adam([params], lr=0.05)
    for _ in range(3000):
        adam.zero_grad()
        F.huber_loss(params[0] * x + params[1], y, delta=1.0).backward()
        adam.step()
    np.testing.assert_allclose(fit_line(x, y, "huber", delta=1.0), params.data, atol=2e-3)


def test_batched_fits_equal_one_by_one():
    x, y = line_data()
    ys = np.stack([y + shift for shift in (0.0, 3.0)] + [np.where(np.arange(y.size) == 4, 20.0, y)])  # (3, n)
    for loss in ("mse", "mae", "huber"):
        slopes, intercepts = fit_line(x, ys, loss, delta=0.5)
        assert slopes.shape == (3,)
        for row in range(3):
            np.testing.assert_allclose((slopes[row], intercepts[row]), fit_line(x, ys[row], loss, delta=0.5))


def test_fit_line_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown loss 'l3'"):
        fit_line([0.0, 1.0], [0.0, 1.0], "l3")
    with pytest.raises(ValueError, match="distinct"):
        fit_line([1.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"y \(\.\.\., n\)"):
        fit_line([0.0, 1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="delta must be positive"):
        fit_line([0.0, 1.0], [0.0, 1.0], "huber", delta=-1.0)


# ---------------------------------------------------------------------------------------- the explorer
@pytest.fixture
def explorer():
    return loss_explorer()


def test_explorer_dots_follow_the_prediction_and_curves_follow_delta(explorer):
    c = explorer.controls
    c["target"].value, c["prediction"].value = 0.0, 2.0
    assert xy(explorer.dots["mse"]) == ([2.0], [4.0])
    assert xy(explorer.dots["mae"])[1] == [2.0]
    before = xy(explorer.curves["huber"])[1].copy()
    c["delta"].value = 0.1
    after = xy(explorer.curves["huber"])[1]
    assert not np.allclose(before, after) and np.isfinite(after).all()
    assert explorer.values()["huber"] == pytest.approx(0.1 * (2.0 - 0.05))
    c["target"].value = 1.0  # the curves move with the target: their minimum sits on it
    grid, mse = xy(explorer.curves["mse"])
    assert grid[np.argmin(mse)] == pytest.approx(1.0, abs=0.02)
    assert explorer.errors == []


def test_explorer_label_flips_the_classification_curves(explorer):
    c = explorer.controls
    c["label"].value = 1
    scores, bce_1 = xy(explorer.curves["bce"])
    c["label"].value = 0
    _, bce_0 = xy(explorer.curves["bce"])
    np.testing.assert_allclose(bce_0, bce_1[::-1])  # mirror images around s = 0
    c["score"].value = -1.0  # label 0, score -1: right side of the margin, hinge 0
    assert explorer.values()["hinge"] == 0.0 and "hinge 0" in explorer.message_text


def test_explorer_uniform_guess_is_ln_k_and_p_zero_is_handled(explorer):
    c = explorer.controls
    c["classes"].value = 10
    assert xy(explorer.uniform_dot)[1][0] == pytest.approx(np.log(10))
    assert "ln 10 = 2.3" in explorer.message_text
    c["p_true"].value = 0.0  # log 0: a message, a finite dot, no exception
    assert "infinite surprise" in explorer.message_text
    assert np.isfinite(xy(explorer.dots["ce"])[1]).all()
    c["p_true"].value = 1.0
    assert explorer.values()["ce"] == 0.0
    assert explorer.errors == []


# ---------------------------------------------------------------------------------------- outlier app
@pytest.fixture
def app():
    return outlier_fit(outlier_x=8.0, outlier_y=5.0)  # starts on the line: no outlier yet


def test_moving_the_outlier_moves_the_mse_line_most(app):
    mse_line_before = xy(app.lines["mse"])[1].copy()
    app.controls["outlier_y"].value = 35.0
    assert not np.allclose(xy(app.lines["mse"])[1], mse_line_before)
    assert xy(app.outlier) == ([8.0], [35.0])
    change = {name: abs(value) for name, value in app.slope_change().items()}
    assert change["mse"] > 10 * change["huber"] and change["huber"] > change["mae"]
    assert "MSE +0.3" in app.message_text  # the status line reports the slope changes
    assert app.errors == []


def test_influence_curves_are_unbounded_for_mse_and_flat_for_mae(app):
    heights, mse = xy(app.slope_curves["mse"])
    _, mae = xy(app.slope_curves["mae"])
    _, huber = xy(app.slope_curves["huber"])
    far = np.abs(heights - 5.0) > 10  # clearly off the line
    assert np.all(np.diff(mse) > 0)  # every unit of height tilts the MSE line further
    assert np.ptp(mae[far & (heights > 5)]) < 1e-9 and np.ptp(huber[far & (heights > 5)]) < 1e-9
    app.controls["outlier_x"].value = 2.0  # new x: the curves are recomputed
    assert not np.allclose(xy(app.slope_curves["mse"])[1], mse)


@pytest.mark.parametrize(("name", "value"), [("outlier_y", -20.0), ("outlier_y", 40.0), ("delta", 0.01),
                                             ("delta", 10.0), ("outlier_x", 0.0), ("outlier_x", 10.0)])  # fmt: skip
def test_extreme_controls_draw_finite_lines(app, name, value):
    app.controls[name].value = value
    for line in app.lines.values():
        assert np.isfinite(xy(line)[1]).all()
    low, high = app.ax.get_ylim()
    assert low <= app.controls["outlier_y"].value <= high  # the outlier stays in view
    assert app.errors == []


def test_tiny_delta_makes_huber_fit_the_mae_fit_and_huge_delta_the_mse_fit(app):
    app.controls["outlier_y"].value = 12.0  # 7 above the line
    app.controls["delta"].value = 10.0  # every residual < δ: Huber is ½·MSE, same minimum
    assert app.fits["huber"][0] == pytest.approx(app.fits["mse"][0], abs=1e-9)
    app.controls["delta"].value = 0.01
    assert app.fits["huber"][0] == pytest.approx(app.fits["mae"][0], abs=0.02)


def test_dragging_moves_the_outlier_and_is_clamped(app):
    event = SimpleNamespace(inaxes=app.ax, xdata=3.0, ydata=20.0, button=1)
    app.on_press(event)
    assert (app.controls["outlier_x"].value, app.controls["outlier_y"].value) == (3.0, 20.0)
    app.on_move(SimpleNamespace(inaxes=app.ax, xdata=50.0, ydata=-99.0, button=1))
    assert (app.controls["outlier_x"].value, app.controls["outlier_y"].value) == (10.0, -20.0)
    app.on_release(event)
    app.on_move(SimpleNamespace(inaxes=app.ax, xdata=5.0, ydata=5.0, button=1))  # not dragging any more
    assert app.controls["outlier_x"].value == 10.0
    app.on_press(SimpleNamespace(inaxes=app.ax_slope, xdata=5.0, ydata=5.0, button=1))  # other panel: ignored
    assert app.controls["outlier_x"].value == 10.0 and app.errors == []


def test_a_frame_is_fast_enough_for_live_dragging():
    app = OutlierFit()
    app.update()  # warm up
    start = time.perf_counter()
    for k, height in enumerate(np.linspace(-15, 35, 20)):
        with app.hold_updates():
            app.controls["outlier_x"].value = 1.0 + 0.4 * k  # x changes too: influence curves recomputed
            app.controls["outlier_y"].value = float(height)
        app.update()
    per_frame = (time.perf_counter() - start) / 20
    assert per_frame < 0.05, f"{per_frame * 1000:.0f} ms per frame"


def test_apps_render_to_png():
    for app in (loss_explorer(), outlier_fit()):
        png = app.png()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
