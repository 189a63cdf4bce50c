"""The chapter-07 apps, driven headless: regression fit, k-means steps and the dendrogram cut."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from dlcourse import data, optim
from dlcourse.cluster import cut_tree, kmeans
from dlcourse.viz.fitting import (
    CLUSTER_COLORS,
    DendrogramExplorer,
    KMeansExplorer,
    RegressionFit,
    cut_height,
    inertia,
    kmeans_frames,
    make_regressor,
    polynomial_fit,
    train_steps,
)


# ---------------------------------------------------------------------------------------------- regression
def test_polynomial_fit_of_degree_0_is_the_mean_and_recovers_an_exact_polynomial():
    x = np.linspace(-2, 2, 30)
    y = 1.0 - 2.0 * x + 0.5 * x**3
    np.testing.assert_allclose(polynomial_fit(x, y, 0)(x), np.full_like(x, y.mean()))
    np.testing.assert_allclose(polynomial_fit(x, y, 3)(x), y, atol=1e-9)
    assert np.all(np.isfinite(polynomial_fit(x[:5], y[:5], 12)(x)))  # more coefficients than points


def test_train_steps_lowers_the_mse_and_stops_on_nan():
    X, y = data.sine(n=30, seed=0)
    model = make_regressor(8, seed=0)
    losses = train_steps(model, optim.Adam(model.parameters(), lr=0.02), X, y, 200)
    assert len(losses) == 200 and losses[-1] < 0.5 * losses[0]
    model = make_regressor(8, seed=0)
    exploded = train_steps(model, optim.SGD(model.parameters(), lr=1e6), X, y, 200)
    assert len(exploded) < 200 and not np.isfinite(exploded[-1])


def test_degree_slider_redraws_the_polynomial_and_degree_0_is_flat():
    app = RegressionFit(frames=10)
    before = np.asarray(app.poly_line.get_ydata()).copy()
    app.controls["degree"].value = 7
    assert not np.allclose(before, app.poly_line.get_ydata())
    app.controls["degree"].value = 0
    flat = np.asarray(app.poly_line.get_ydata())
    np.testing.assert_allclose(flat, app.y.mean())
    assert "constant" in app.message_text and not app.errors


def test_training_frames_move_the_mlp_curve_and_lower_its_loss():
    app = RegressionFit(frames=20, steps_per_frame=10)
    untrained = np.asarray(app.mlp_line.get_ydata()).copy()
    assert "untrained" in app.message_text
    app.controls["frame"].value = 20
    assert len(app.losses) == 200 and app.losses[-1] < 0.5 * app.losses[0]
    assert not np.allclose(untrained, app.mlp_line.get_ydata())
    assert len(app.loss_line.get_xdata()) == 200
    trained = np.asarray(app.mlp_line.get_ydata()).copy()
    app.controls["frame"].value = 5  # going back: trained again from the start, deterministically
    assert len(app.losses) == 50
    app.controls["frame"].value = 20
    np.testing.assert_allclose(app.mlp_line.get_ydata(), trained)
    assert not app.errors


def test_hidden_units_slider_restarts_with_a_new_model():
    app = RegressionFit(frames=5, steps_per_frame=5)
    app.controls["frame"].value = 5
    app.controls["hidden"].value = 1
    assert app.controls["frame"].value == 0 and app.losses == []
    assert app.model[0].weight.shape == (1, 1)
    app.controls["frame"].value = 5
    assert np.all(np.isfinite(app.mlp_line.get_ydata())) and not app.errors


def test_a_huge_learning_rate_says_diverged_instead_of_crashing():
    app = RegressionFit(frames=10, steps_per_frame=10, optimizer="sgd")
    app.controls["lr"].value = 10.0
    app.controls["frame"].value = 10
    assert "diverged at step" in app.message_text and app.diverged_at is not None
    assert np.all(np.isnan(app.mlp_line.get_ydata()))  # no garbage curve drawn
    assert not app.errors
    app.controls["lr"].value = 0.01  # recovers with a sane rate
    app.controls["frame"].value = 3
    assert "diverged" not in app.message_text and app.diverged_at is None


# ---------------------------------------------------------------------------------------------- k-means
def test_kmeans_frames_alternate_assign_and_update_and_inertia_never_rises():
    X, _ = data.blobs(n=200, centers=3, seed=0)
    result = kmeans(X, 3, seed=0, init="random")
    frames = kmeans_frames(result)
    assert [p for p, _, _ in frames[:4]] == ["start", "assign", "update", "assign"]
    assert len(frames) == 2 * len(result.history)
    np.testing.assert_array_equal(frames[-1][1], result.centers)
    values = [inertia(X, c, lab) for _, c, lab in frames[1:]]
    assert all(b <= a + 1e-6 for a, b in zip(values, values[1:]))


def test_stepping_moves_the_centres_and_recolours_the_points():
    app = KMeansExplorer(k=4, seed=0, init="random")
    start = app.centers.get_offsets().copy()
    assert np.allclose(app.points.get_facecolors()[0], to_rgba("0.75"))  # nothing assigned yet
    app.controls["next"].click()  # assignment: colours, same centres
    np.testing.assert_allclose(app.centers.get_offsets(), start)
    colours = app.points.get_facecolors().copy()
    assert len({tuple(c) for c in colours}) == 4
    app.controls["next"].click()  # update: centres move to the means of their points
    moved = app.centers.get_offsets()
    assert not np.allclose(moved, start)
    labels = app.frames[2][2]
    np.testing.assert_allclose(moved, [app.X[labels == j].mean(axis=0) for j in range(4)])
    app.controls["step"].value = app.controls["step"].max
    np.testing.assert_allclose(app.centers.get_offsets(), app.result.centers)
    assert "converged" in app.message_text and not app.errors


def test_changing_k_reruns_and_resets_to_the_start():
    app = KMeansExplorer(k=3)
    app.controls["step"].value = 3
    app.controls["k"].value = 6
    assert app.controls["step"].value == 0 and len(app.centers.get_offsets()) == 6
    app.controls["k"].value = 1  # one cluster: every point the same colour, converges at once
    app.controls["step"].value = app.controls["step"].max
    assert len({tuple(c) for c in app.points.get_facecolors()}) == 1 and not app.errors


def test_kmeans_explorer_refuses_non_2d_points():
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        KMeansExplorer(np.zeros((10, 3)))


# ---------------------------------------------------------------------------------------------- dendrogram
def test_cut_height_separates_the_right_merges():
    X, _ = data.blobs(n=20, centers=3, seed=0)
    app = DendrogramExplorer(X, n_clusters=3)
    heights = app.Z[:, 2]
    for k in range(1, 8):
        h = cut_height(app.Z, k)
        assert np.sum(heights > h) == k - 1  # undoing k - 1 merges leaves k clusters


def test_the_cluster_slider_recolours_points_and_moves_the_cut():
    app = DendrogramExplorer(n_clusters=2)
    line = app.cut_line.get_ydata()[0]
    app.controls["n_clusters"].value = 3
    assert app.cut_line.get_ydata()[0] < line
    np.testing.assert_array_equal(app.labels, cut_tree(app.Z, 3))
    shown = {tuple(c) for c in app.points.get_facecolors()}
    assert shown == {to_rgba(c) for c in CLUSTER_COLORS[:3]}
    app.controls["n_clusters"].value = 1
    assert len({tuple(c) for c in app.points.get_facecolors()}) == 1 and not app.errors


def test_changing_the_linkage_redraws_the_tree():
    app = DendrogramExplorer()
    ward = app.Z.copy()
    app.controls["linkage"].value = "single"
    assert not np.allclose(ward[:, 2], app.Z[:, 2])
    assert len(app.tree_lines.get_segments()) == len(app.X) - 1
    assert "single" in app.ax_tree.get_title() and not app.errors
