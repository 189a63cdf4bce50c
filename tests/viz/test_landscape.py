"""Surfaces, the trajectory runner and the loss-landscape explorer, driven headless (Agg)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse as dl
from dlcourse.viz.landscape import LandscapeExplorer, landscape_explorer
from dlcourse.viz.surfaces import get_surface, model_slice
from dlcourse.viz.trajectories import OPTIMIZERS, run_trajectories

ANALYTIC = ["bowl", "rosenbrock", "saddle", "himmelblau", "linear"]


def autograd_gradient(surface, points):
    """d f / d(x, y) at each row of points (K, 2), through dlcourse autograd."""
    p = dl.tensor(np.asarray(points, np.float64), requires_grad=True)
    surface.value(p[:, 0], p[:, 1]).sum().backward()
    return p.grad


@pytest.fixture(scope="module")
def mlp_surface():
    return get_surface("mlp")


@pytest.fixture(scope="module")
def app():
    return landscape_explorer()


# ----------------------------------------------------------------- surfaces
@pytest.mark.parametrize("name", ANALYTIC)
@settings(max_examples=15)
@given(points=st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=1, max_size=5))
def test_autograd_gradient_matches_the_analytic_one(name, points):
    surface = get_surface(name)
    points = np.array(points)
    expected = surface.gradient(points[:, 0], points[:, 1])
    np.testing.assert_allclose(autograd_gradient(surface, points), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", ANALYTIC)
def test_grid_equals_value_on_the_mesh(name):
    surface = get_surface(name)
    xs, ys = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)
    grid = surface.grid(xs, ys)
    assert grid.shape == (5, 7)
    for i, y in enumerate(ys):
        row = surface.value(dl.tensor(xs), dl.tensor(np.full_like(xs, y))).data
        np.testing.assert_allclose(grid[i], row, rtol=1e-10)


def test_bowl_condition_number_is_the_curvature_ratio():
    bowl = get_surface("bowl", condition=25)
    hessian_diagonal = bowl.gradient(np.array([1.0, 0.0]), np.array([0.0, 1.0]))  # ∇f at unit vectors
    assert hessian_diagonal[1, 1] / hessian_diagonal[0, 0] == pytest.approx(25)
    with pytest.raises(ValueError, match="condition number"):
        get_surface("bowl", condition=0.5)


def test_unknown_surface_names_the_choices():
    with pytest.raises(ValueError, match="rosenbrock"):
        get_surface("banana")
    with pytest.raises(ValueError, match="'linear' or 'mlp'"):
        model_slice("cnn")


def test_linear_slice_minimum_is_least_squares():
    surface = model_slice("linear", seed=3)
    best = np.array(surface.minima[0])
    np.testing.assert_allclose(surface.gradient(best[0:1], best[1:2]), [[0.0, 0.0]], atol=1e-9)


def test_mlp_slice_grid_matches_its_autograd_loss_and_is_lowest_near_the_trained_weights(mlp_surface):
    xs, ys = np.linspace(-1, 1, 9), np.linspace(-1, 1, 9)
    grid = mlp_surface.grid(xs, ys)
    A, B = np.meshgrid(xs, ys)
    np.testing.assert_allclose(mlp_surface.value(A, B), grid, rtol=1e-9)
    assert grid[4, 4] == grid.min()  # (0, 0) is the trained network
    assert grid[4, 4] < 0.2 < grid.max()  # it learned the moons; far away it did not


def test_mlp_slice_directions_are_filter_normalised(mlp_surface):
    H = mlp_surface.hidden
    for d in (mlp_surface.direction_a, mlp_surface.direction_b):
        rows = d[: 2 * H].reshape(H, 2)
        weights = mlp_surface.theta[: 2 * H].reshape(H, 2)
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), np.linalg.norm(weights, axis=1))
        assert np.all(d[2 * H : 3 * H] == 0) and d[-1] == 0  # biases are left out


# ----------------------------------------------------------------- trajectories
def test_sgd_on_the_bowl_follows_the_closed_form():
    bowl, lr, steps = get_surface("bowl", condition=10), 0.05, 30
    run = run_trajectories(bowl, ["sgd"], start=(-4.0, 2.0), steps=steps, lr=lr)["sgd"]
    k = np.arange(steps + 1)
    np.testing.assert_allclose(run.path[:, 0], -4.0 * (1 - lr) ** k, rtol=1e-12)
    np.testing.assert_allclose(run.path[:, 1], 2.0 * (1 - lr * 10) ** k, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(run.losses, bowl.value(run.path[:, 0], run.path[:, 1]), rtol=1e-12)


def test_trajectories_match_torch_optimizers_on_rosenbrock():
    torch = pytest.importorskip("torch")
    surface, start, steps, lr, adaptive_lr = get_surface("rosenbrock"), (-1.2, 1.5), 40, 1e-3, 0.05
    runs = run_trajectories(surface, OPTIMIZERS, start=start, steps=steps, lr=lr, adaptive_lr=adaptive_lr,
                            momentum=0.8, betas=(0.85, 0.99))  # fmt: skip
    makers = {
        "sgd": lambda p: torch.optim.SGD(p, lr=lr),
        "momentum": lambda p: torch.optim.SGD(p, lr=lr, momentum=0.8),
        "nesterov": lambda p: torch.optim.SGD(p, lr=lr, momentum=0.8, nesterov=True),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=adaptive_lr),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=adaptive_lr),
        "adam": lambda p: torch.optim.Adam(p, lr=adaptive_lr, betas=(0.85, 0.99)),
    }
    for name, make in makers.items():
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt, path = make([p]), [p.detach().numpy().copy()]
        for _ in range(steps):
            opt.zero_grad()
            ((1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2).backward()
            opt.step()
            path.append(p.detach().numpy().copy())
        np.testing.assert_allclose(runs[name].path, np.array(path), rtol=1e-7, atol=1e-9, err_msg=name)


def test_gradient_noise_is_seeded_and_shared():
    bowl = get_surface("bowl")
    quiet = run_trajectories(bowl, ["sgd", "adam"], steps=20)
    noisy = run_trajectories(bowl, ["sgd", "adam"], steps=20, noise=2.0, seed=1)
    again = run_trajectories(bowl, ["sgd", "adam"], steps=20, noise=2.0, seed=1)
    other = run_trajectories(bowl, ["sgd", "adam"], steps=20, noise=2.0, seed=2)
    np.testing.assert_array_equal(noisy["sgd"].path, again["sgd"].path)
    assert not np.allclose(noisy["sgd"].path, quiet["sgd"].path)
    assert not np.allclose(noisy["sgd"].path, other["sgd"].path)
    # SGD is linear on the bowl: the noisy path minus the quiet one is driven by the same kicks alone
    kicks = 2.0 * np.random.default_rng(1).standard_normal((20, 2))
    lr, scale = bowl.lr, np.array([1.0, bowl.condition])
    deviation = np.zeros(2)
    for k in range(20):
        deviation = deviation - lr * (scale * deviation + kicks[k])
    np.testing.assert_allclose(noisy["sgd"].path[-1] - quiet["sgd"].path[-1], deviation, rtol=1e-9, atol=1e-12)


def test_a_huge_learning_rate_diverges_and_is_reported():
    runs = run_trajectories(get_surface("bowl"), OPTIMIZERS, lr=100.0, steps=50)
    for name in ("sgd", "momentum", "nesterov"):
        run = runs[name]
        assert run.diverged_at is not None and run.diverged_at <= 5, name
        assert np.isfinite(run.path).all() and len(run.path) == len(run.losses) <= run.diverged_at + 1
    assert runs["adam"].diverged_at is None  # adaptive methods use their own (sane) lr


def test_nan_surface_values_stop_the_run():
    class Hole(type(get_surface("bowl"))):
        def value(self, x, y):
            return dl.log(x) + 0 * y  # log of a negative number: nan once x < 0

    with np.errstate(invalid="ignore"):  # the NaN is the point of this test
        run = run_trajectories(Hole(), ["sgd"], start=(0.5, 0.0), steps=10, lr=1.0)["sgd"]
    assert run.diverged_at is not None and np.isfinite(run.losses).all()


def test_bad_start_and_steps_are_clear_errors():
    with pytest.raises(ValueError, match="start must be a point"):
        run_trajectories(get_surface("bowl"), start=(1, 2, 3))
    with pytest.raises(ValueError, match="steps must be"):
        run_trajectories(get_surface("bowl"), steps=-1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        run_trajectories(get_surface("bowl"), ["lbfgs"])


# ----------------------------------------------------------------- the explorer
def line_data(app, name):
    return np.column_stack(app.lines[name].get_data())


def test_explorer_builds_with_every_optimizer(app):
    assert isinstance(app, LandscapeExplorer) and not app.errors
    for name in OPTIMIZERS:
        assert len(line_data(app, name)) == app.controls["steps"].value + 1
    assert app.background.get_array().shape == (201, 201)


def test_lr_slider_changes_the_paths(app):
    before = line_data(app, "sgd").copy()
    app.controls["lr"].value = 0.02
    after = line_data(app, "sgd")
    assert before.shape == after.shape and not np.allclose(before, after)
    assert not app.errors


def test_other_sliders_change_their_optimizers(app):
    for control, name, value in (("momentum", "momentum", 0.5), ("beta1", "adam", 0.5), ("beta2", "adam", 0.95),
                                 ("adaptive_lr", "rmsprop", 0.05), ("noise", "sgd", 3.0)):  # fmt: skip
        before = line_data(app, name).copy()
        app.controls[control].value = value
        assert not np.allclose(before, line_data(app, name)), control
    assert not app.errors


def test_condition_slider_reshapes_the_bowl(app):
    app.controls["surface"].value = "bowl"
    before = np.array(app.background.get_array()).copy()
    app.controls["condition"].value = 50.0
    assert app.surface.condition == pytest.approx(50.0)
    assert not np.allclose(before, np.array(app.background.get_array()))


def test_lr_100_on_the_bowl_shows_diverged_and_the_app_stays_usable(app):
    app.controls["surface"].value = "bowl"
    app.controls["lr"].value = 100.0
    assert "diverged" in app.message_text and "SGD" in app.message_text
    assert "diverged" in app.warning.get_text()
    assert np.isfinite(line_data(app, "sgd")).all()
    app.controls["lr"].value = 0.01
    assert app.message_text == "" and app.warning.get_text() == ""
    assert app.final_losses()["sgd"] < np.inf


def test_step_slider_and_play_move_along_the_paths(app):
    app.controls["step"].value = 3
    assert len(line_data(app, "adam")) == 4
    np.testing.assert_allclose(app.heads["adam"].get_data(), app.trajectories["adam"].path[3:4].T)
    app.controls["play"].value = 7  # the Play widget drives the step slider
    assert app.controls["step"].value == 7 and len(line_data(app, "adam")) == 8
    app.controls["step"].value = app.controls["step"].max


def test_click_moves_the_start_point(app):
    event = SimpleNamespace(inaxes=app.ax, xdata=1.25, ydata=-0.75, button=1)
    app.on_click(event)
    np.testing.assert_allclose(app.start, [1.25, -0.75])
    for name in app.trajectories:
        np.testing.assert_allclose(line_data(app, name)[0], [1.25, -0.75])
    np.testing.assert_allclose(np.ravel(app.start_marker.get_data()), [1.25, -0.75])
    app.on_click(SimpleNamespace(inaxes=app.ax_loss, xdata=5.0, ydata=5.0, button=1))  # other panel: ignored
    np.testing.assert_allclose(app.start, [1.25, -0.75])
    app.reset_start()
    np.testing.assert_allclose(app.start, app.surface.start)


def test_deselecting_optimizers_empties_their_lines(app):
    app.controls["optimizers"].value = ("sgd", "adam")
    assert set(app.trajectories) == {"sgd", "adam"}
    assert len(line_data(app, "momentum")) == 0 and len(line_data(app, "adam")) > 0
    app.controls["optimizers"].value = OPTIMIZERS


@pytest.mark.parametrize("name", ["rosenbrock", "saddle", "himmelblau", "linear", "mlp", "bowl"])
def test_every_surface_can_be_chosen(app, name):
    before = np.array(app.background.get_array()).copy()
    app.controls["surface"].value = name
    assert app.surface.name == name and not app.errors
    assert app.controls["lr"].value == pytest.approx(app.surface.lr, rel=1e-6)
    assert app.controls["condition"].disabled == (name != "bowl")
    assert before.shape != np.shape(app.background.get_array()) or not np.allclose(before, app.background.get_array())
    assert all(len(line_data(app, n)) > 1 for n in app.trajectories)


def test_3d_view_toggle(app):
    app.controls["view"].value = "3-D"
    assert app.ax3d.get_visible() and not app.ax.get_visible()
    x, y, z = app.lines3d["adam"].get_data_3d()
    assert len(z) == len(app.trajectories["adam"].upto(app.controls["step"].value))
    app.controls["view"].value = "contour"
    assert app.ax.get_visible() and not app.ax3d.get_visible()


def test_an_error_during_update_is_shown_not_lost(monkeypatch):
    explorer = landscape_explorer("saddle", steps=5)

    def broken(*args, **kwargs):
        raise RuntimeError("optimizer exploded")

    monkeypatch.setattr("dlcourse.viz.landscape.run_trajectories", broken)
    explorer.controls["lr"].value = 0.02
    assert "optimizer exploded" in explorer.message_text
    assert any("optimizer exploded" in o.get("text", "") for o in explorer.output.outputs)


def test_momentum_and_adam_beat_plain_gradient_descent_on_an_ill_conditioned_bowl():
    explorer = landscape_explorer("bowl", condition=50, lr=0.02, steps=100)
    final = explorer.final_losses()
    assert final["momentum"] < final["sgd"] / 10 and final["adam"] < final["sgd"] / 10


def test_frame_and_recompute_times_are_reported():
    """Animation frame (set_data + blit), slider recompute, full redraw; default sizes. Reported only."""
    explorer = landscape_explorer()
    canvas = explorer.figure.canvas
    for artist in explorer._animated:
        artist.set_animated(True)  # what the live app does; Agg here lets us time the same work
    canvas.draw()
    background = canvas.copy_from_bbox(explorer.figure.bbox)

    def blit():
        canvas.restore_region(background)
        for artist in explorer._animated:
            if artist.axes.get_visible():
                explorer.figure.draw_artist(artist)

    frames, recomputes, full = [], [], []
    for k in range(1, 41):
        start = time.perf_counter()
        explorer.controls["step"].value = k
        blit()
        frames.append(time.perf_counter() - start)
    for lr in (0.03, 0.035, 0.04):
        start = time.perf_counter()
        explorer.controls["lr"].value = lr
        blit()
        recomputes.append(time.perf_counter() - start)
        start = time.perf_counter()
        canvas.draw()
        full.append(time.perf_counter() - start)
    assert len(explorer.lines["sgd"].get_xdata()) == 41
    print(f"\nlandscape: animation frame {np.median(frames) * 1e3:.1f} ms (median of 40); "
          f"lr slider (6 optimizers x 100 steps + blit) {np.median(recomputes) * 1e3:.0f} ms; "
          f"full redraw {np.median(full) * 1e3:.0f} ms")  # fmt: skip


@pytest.mark.parametrize("name", ["saddle", "himmelblau"])
def test_every_minimum_is_starred_and_stays_visible_at_the_end_of_the_race(name):
    """Both valleys of the saddle (all four of Himmelblau) get a star; paths cannot cover it, heads sit on it."""
    app = landscape_explorer(name)
    app.controls["step"].value = app.controls["step"].max
    x, y = app.minima_marker.get_data()
    assert np.allclose(np.column_stack([x, y]), get_surface(name).minima)
    assert app.minima_marker.get_label() == "minima"
    assert all(line.get_zorder() < app.minima_marker.get_zorder() for line in app.lines.values())
    assert all(app.minima_marker.get_zorder() < head.get_zorder() for head in app.heads.values())
