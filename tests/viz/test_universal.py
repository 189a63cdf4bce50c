"""The chapter-11 apps and their maths, driven headless: bumps by hand and the width explorer."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import optim
from dlcourse.viz.universal import (
    DOMAIN,
    TARGETS,
    BumpBuilder,
    WidthExplorer,
    bump,
    bump_approximation,
    bump_layout,
    bump_network,
    fit_steps,
    make_shallow,
    sigmoid,
    sum_of_bumps,
    target_function,
    unit_contributions,
)


# ---------------------------------------------------------------------------------------------- maths
def test_sigmoid_matches_the_formula_and_never_overflows():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)
    with np.errstate(over="raise"):  # no overflow even at ±1e6
        assert sigmoid(1e6) == 1.0 and sigmoid(-1e6) == 0.0


def test_bump_is_one_inside_zero_outside_and_flips_when_the_edges_swap():
    x = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(bump(x, -1, 1, 100), [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(bump(x, 1, -1, 100), [0, -1, 0], atol=1e-12)
    np.testing.assert_allclose(bump(np.array([-1.0, 1.0]), -1, 1, 100), [0.5, 0.5], atol=1e-12)
    assert np.all(bump(x, 0.5, 0.5, 10) == 0)


def test_sum_of_bumps_is_a_staircase_and_refuses_mismatched_lengths():
    x = np.array([-1.5, -0.5, 0.5, 1.5])
    np.testing.assert_allclose(sum_of_bumps(x, [-2, -1, 0, 1, 2], [1, 2, 3, 4], 200), [1, 2, 3, 4], atol=1e-12)
    with pytest.raises(ValueError, match="n \\+ 1 edges"):
        sum_of_bumps(x, [-1, 0, 1], [1, 2, 3], 10)


def test_bump_layout_centres_cover_the_domain_ends():
    centres, edges = bump_layout(5)
    np.testing.assert_allclose(centres, [-3, -1.5, 0, 1.5, 3])
    np.testing.assert_allclose(edges, [-3.75, -2.25, -0.75, 0.75, 2.25, 3.75])
    centres, edges = bump_layout(1)
    np.testing.assert_allclose(centres, [0.0]) and np.testing.assert_allclose(edges, [-3, 3])


def test_bump_approximation_error_halves_as_bumps_double():
    x = np.linspace(-3, 3, 601)
    for name in ("sine", "|x|", "bumpy"):
        f = TARGETS[name]
        errors = [np.max(np.abs(bump_approximation(f, n, x, 10 * (n - 1) / 6) - f(x))) for n in (8, 16, 32, 64)]
        assert all(b < 0.7 * a for a, b in zip(errors, errors[1:])), name
    assert np.all(bump_approximation(np.sin, 0, x, 10.0) == 0)


def test_bump_network_is_the_same_function_as_an_mlp():
    centres, edges = bump_layout(7)
    model = bump_network(edges, np.cos(centres), steepness=12.0)
    x = np.linspace(-3.5, 3.5, 50)
    np.testing.assert_allclose(model(x[:, None]).numpy().ravel(), sum_of_bumps(x, edges, np.cos(centres), 12.0))
    assert sum(p.data.size for p in model.parameters()) == 6 * 7 + 1


def test_make_shallow_fit_steps_and_unit_contributions():
    x = np.linspace(-3, 3, 100, dtype=np.float32)[:, None]
    y = np.sin(x).astype(np.float32)
    model = make_shallow(6, seed=0)
    losses = fit_steps(model, optim.Adam(model.parameters(), lr=0.02), x, y, 300)
    assert len(losses) == 300 and losses[-1] < 0.1 * losses[0]
    shares = unit_contributions(model, x.ravel())  # (6, 100)
    out = model(x).numpy().ravel()
    np.testing.assert_allclose(shares.sum(axis=0) + model[2].bias.data[0], out, rtol=1e-4, atol=1e-5)
    constant = make_shallow(0)
    assert unit_contributions(constant, x.ravel()).shape == (0, 100)
    assert np.ptp(constant(x).numpy()) == 0
    exploded = fit_steps(make_shallow(4), optim.SGD(make_shallow(4).parameters(), lr=1.0), x, y * np.inf, 50)
    assert len(exploded) == 1 and not np.isfinite(exploded[0])


def test_target_function_names_and_callables():
    assert target_function("sine") is TARGETS["sine"]
    assert target_function(np.cos) is np.cos
    with pytest.raises(ValueError, match="unknown target 'cosine'"):
        target_function("cosine")


# ---------------------------------------------------------------------------------------------- width explorer
def test_width_slider_retrains_and_more_units_fit_better():
    app = WidthExplorer("bumpy", hidden=2, steps_per_frame=25, frames=40, auto_frames=4)
    assert len(app.losses) == 100 and len(app.units.get_segments()) == 2
    before = np.asarray(app.fit_line.get_ydata()).copy()
    app.controls["frame"].value = 40
    assert len(app.loss_line.get_xdata()) == 1000
    mse_2 = app.mse
    app.controls["hidden"].value = 16
    assert len(app.units.get_segments()) == 16 and len(app.losses) == 100 and app.controls["frame"].value == 4
    assert not np.allclose(before, app.fit_line.get_ydata())
    app.controls["frame"].value = 40
    assert app.mse < 0.1 * mse_2
    assert "16 hidden units (49 parameters) after 1000 Adam steps" in app.message_text
    trained = np.asarray(app.fit_line.get_ydata()).copy()
    app.controls["frame"].value = 10  # going back retrains from the same start: deterministic
    app.controls["frame"].value = 40
    np.testing.assert_allclose(app.fit_line.get_ydata(), trained)
    assert not app.errors


def test_target_dropdown_redraws_the_target():
    app = WidthExplorer("sine", hidden=3, auto_frames=1)
    assert app.ax.get_xlim() == DOMAIN  # the lines start empty: the axes must not autoscale to them
    np.testing.assert_allclose(app.target_line.get_ydata(), np.sin(app.x.ravel()), rtol=1e-6)
    app.controls["target"].value = "|x|"
    np.testing.assert_allclose(app.target_line.get_ydata(), np.abs(app.x.ravel()))
    app.controls["target"].value = "step"
    assert "jumps" in app.message_text and not app.errors


def test_zero_hidden_units_is_a_constant_with_a_message():
    app = WidthExplorer("bumpy", hidden=0, auto_frames=20)
    assert "0 hidden units" in app.message_text and "1 parameter)" in app.message_text
    curve = np.asarray(app.fit_line.get_ydata())
    assert np.ptp(curve) == 0 and abs(curve[0] - app.y.mean()) < 0.1  # the constant heads for the mean
    assert len(app.units.get_segments()) == 0
    app.controls["hidden"].value = 3  # and the app keeps working
    assert np.ptp(app.fit_line.get_ydata()) > 0.1 and not app.errors


# ---------------------------------------------------------------------------------------------- bump builder
def test_edge_height_and_steepness_sliders_move_the_curves():
    app = BumpBuilder("sine", steepness=10, left=-1, right=1, height=1, n_bumps=6)
    x = app.GRID
    rise = np.asarray(app.rise_line.get_ydata()).copy()
    app.controls["left"].value = -2.0
    assert not np.allclose(rise, app.rise_line.get_ydata())
    np.testing.assert_allclose(app.rise_line.get_ydata(), sigmoid(10 * (x + 2)))
    app.controls["height"].value = -1.5
    np.testing.assert_allclose(app.bump_line.get_ydata(), -1.5 * bump(x, -2, 1, 10))
    app.controls["steepness"].value = 1000
    assert np.all(np.isfinite(app.bump_line.get_ydata())) and np.all(np.isfinite(app.sum_line.get_ydata()))
    assert not app.errors


def test_more_bumps_lower_the_error_and_draw_more_pieces():
    app = BumpBuilder("sine", steepness=30, n_bumps=4)
    errors = []
    for n in (4, 8, 16, 32):
        app.controls["n_bumps"].value = n
        errors.append(app.max_error())
        assert len(app.pieces.get_segments()) == n and f"{2 * n} hidden units" in app.message_text
    assert all(b < a for a, b in zip(errors, errors[1:]))
    app.controls["target"].value = "step"
    assert app.max_error() > 0.49  # a jump: never within 0.5 everywhere


def test_extreme_settings_explain_themselves():
    app = BumpBuilder("sine")
    app.controls["left"].value = 2.0  # a > b
    assert "upside down" in app.message_text and app.bump_line.get_ydata().min() < -0.9
    app.controls["left"].value = 1.0  # a = b
    assert "cancel" in app.message_text and np.all(app.bump_line.get_ydata() == 0)
    app.controls["n_bumps"].value = 0
    assert "no bumps" in app.message_text and np.all(app.sum_line.get_ydata() == 0)
    assert app.pieces.get_segments() == []
    app.controls["n_bumps"].value = 60
    app.controls["steepness"].value = 1.0
    assert "raise s" in app.message_text
    assert not app.errors
