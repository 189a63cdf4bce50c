"""The training monitor as a `fit` callback and as an app with play/step/reset, headless (Agg)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

from dlcourse import data, nn, optim
from dlcourse.train import fit
from dlcourse.viz.monitor import TrainingMonitor
from dlcourse.viz.network_diagram import connection_widths


def xor_model(seed=0):
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1), nn.Sigmoid())
    rng = np.random.default_rng(seed)
    for p in model.parameters():  # a fixed start that solves XOR with SGD
        p.data[...] = rng.normal(0, 1.0, size=p.shape).astype(p.data.dtype)
    return model


@pytest.fixture
def xor():
    X, y = data.xor()
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def test_monitor_as_fit_callback_records_every_step_and_its_line_grows(xor):
    X, y = xor
    model = xor_model()
    monitor = TrainingMonitor(model, data=(X, y), hidden=lambda x: model[1](model[0](x)))
    assert len(monitor.loss_line.get_xdata()) == 0
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.5), (X, y), epochs=30,
                  callbacks=[monitor], progress=False)  # fmt: skip
    assert len(monitor.losses) == 30 == len(history.step_loss)
    np.testing.assert_allclose(monitor.losses, history.step_loss)
    assert len(monitor.loss_line.get_xdata()) == 30  # drawn at the end of training
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.5), (X, y), epochs=20, callbacks=[monitor],
        progress=False)  # fmt: skip
    assert len(monitor.loss_line.get_xdata()) == 50 and monitor.epochs_done == 50
    assert not monitor.errors


def test_monitor_trains_xor_from_its_buttons_and_views_update(xor):
    X, y = xor
    model = xor_model()
    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.MSELoss(),
                              optimizer=optim.SGD(model.parameters(), lr=0.5, momentum=0.9),
                              hidden=lambda x: model[1](model[0](x)), epochs=400, epochs_per_frame=25)  # fmt: skip
    panels = monitor.panels
    picture_before = panels.input_panel.picture.copy()
    hidden_before = np.array(panels.hidden_panel.points.get_offsets()).copy()
    monitor.controls["step"].click()  # one chunk: 25 epochs
    assert monitor.epochs_done == 25 and monitor.controls["play"].value == 25
    monitor.controls["play"].value = 400  # the Play widget asks for epoch 400: trains up to it
    assert monitor.epochs_done == 400 and len(monitor.loss_line.get_xdata()) == 400
    assert monitor.losses[-1] < monitor.losses[0] / 5
    assert monitor.accuracies[-1] == 1.0  # the hidden layer solved XOR
    assert not np.allclose(picture_before, panels.input_panel.picture)
    assert not np.allclose(hidden_before, panels.hidden_panel.points.get_offsets())
    monitor.png()  # drawing paints the boundary: pixels where P crosses 0.5
    assert panels.input_panel.boundary_pixels > 20
    assert not monitor.errors


def test_a_small_network_is_drawn_weight_by_weight_and_updates_while_training(xor):
    X, y = xor
    model = xor_model()
    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.MSELoss(), optimizer=optim.SGD(model.parameters(), lr=0.5))
    panel = monitor.panels.network_panel
    assert panel is not None and monitor.panels.histograms is None  # 2-2-1: no histograms of 4 values
    diagram = panel.diagram
    assert diagram.sizes == [2, 2, 1] and len(diagram.owners) == 2 * 2 + 2 * 1
    widths_before = np.array(diagram.lines.get_linewidths()).copy()
    tiles_before = [p.copy() for p in diagram.pictures]
    monitor.train(200)
    weights = np.concatenate([model[0].weight.data.ravel(), model[2].weight.data.ravel()])
    np.testing.assert_allclose(diagram.lines.get_linewidths(), connection_widths(weights))
    assert not np.allclose(widths_before, diagram.lines.get_linewidths())
    assert any(not np.allclose(a, b) for a, b in zip(tiles_before[1:], diagram.pictures[1:]))
    # clicking the middle of a connection names the weight, its value and its last gradient
    (x1, y1), (x2, y2) = diagram.segments[1]
    pixel = panel.ax.transData.transform(((x1 + x2) / 2, (y1 + y2) / 2))
    MouseEvent("button_press_event", monitor.figure.canvas, *pixel, button=1)._process()
    layer, out, inp = diagram.owners[1]
    assert f"w = {model[0].weight.data[out, inp]:+.4f}" in monitor.message_text and "∂L/∂w" in monitor.message_text
    assert not monitor.errors


def test_the_hidden_space_shows_the_output_units_separating_line(xor):
    X, y = xor
    model = xor_model()
    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.MSELoss(),
                              optimizer=optim.SGD(model.parameters(), lr=0.5, momentum=0.9), hidden=model[0:2])  # fmt: skip
    monitor.train(400)
    assert monitor.accuracies[-1] == 1.0
    panel = monitor.panels.hidden_panel
    xs, ys = panel.line.get_data()
    w, b = model[2].weight.data[0], model[2].bias.data[0]
    assert len(xs) == 2
    np.testing.assert_allclose(w[0] * np.asarray(xs) + w[1] * np.asarray(ys) + b, 0, atol=1e-5)  # on the line
    side = panel.features() @ w + b > 0  # the line splits the hidden points by class
    np.testing.assert_array_equal(side, y[:, 0] > 0.5)


def test_a_bigger_model_keeps_the_weight_and_gradient_histograms():
    X, y = data.blobs(n=60, centers=2, seed=0)[:2]
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    monitor = TrainingMonitor(model, data=(X, y.reshape(-1, 1).astype(np.float32)), loss_fn=nn.BCELoss(),
                              optimizer=optim.Adam(model.parameters(), lr=0.05))  # fmt: skip
    monitor.train(20)
    histograms = monitor.panels.histograms
    assert monitor.panels.network_panel is None and histograms is not None
    assert histograms.weight_stairs[0].get_data().values.sum() == pytest.approx(1.0)
    assert histograms.grad_stairs[0].get_data().values.sum() == pytest.approx(1.0)


def test_the_weight_histograms_show_every_weight_however_large():
    X, y = data.blobs(n=60, centers=2, seed=0)[:2]
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    model[2].weight.data[0, 0] = 7.0  # far outside the usual initial range (an old version clipped at 5)
    monitor = TrainingMonitor(model, data=(X, y.reshape(-1, 1).astype(np.float32)))
    histograms = monitor.panels.histograms
    low, high = histograms.weights_ax.get_xlim()
    assert low <= -7.0 and high >= 7.0
    stairs = histograms.weight_stairs[1].get_data()  # layer "2.weight": all 16 weights counted
    assert stairs.values.sum() == pytest.approx(1.0) and stairs.values[-1] == pytest.approx(1 / 16)
    assert stairs.edges[-1] >= 7.0


def test_reset_restores_weights_and_clears_history(xor):
    X, y = xor
    model = xor_model()
    initial = [p.data.copy() for p in model.parameters()]
    opt = optim.Adam(model.parameters(), lr=0.05)
    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.MSELoss(), optimizer=opt)
    monitor.train(10)
    assert len(monitor.losses) == 10 and opt.state
    monitor.controls["reset"].click()
    assert monitor.losses == [] and len(monitor.loss_line.get_xdata()) == 0 and monitor.epochs_done == 0
    assert monitor.controls["play"].value == 0 and not opt.state
    for p, p0 in zip(model.parameters(), initial):
        np.testing.assert_array_equal(p.data, p0)
    monitor.train(10)  # and it trains again, identically (same seeds, same start)
    assert len(monitor.losses) == 10


def test_nan_loss_shows_diverged_stops_training_and_reset_recovers(xor):
    X, y = xor
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    monitor = TrainingMonitor(model, data=(X, y * 1e3), loss_fn=nn.MSELoss(),
                              optimizer=optim.SGD(model.parameters(), lr=100.0))  # fmt: skip
    with np.errstate(all="ignore"):
        monitor.train(200)
    assert monitor.diverged_at is not None and len(monitor.losses) == monitor.diverged_at + 1
    assert "diverged" in monitor.message_text
    monitor.train(5)  # refused politely until reset
    assert "reset" in monitor.message_text
    monitor.reset()
    assert monitor.diverged_at is None and monitor.message_text == ""


def test_multiclass_blobs_colour_the_predicted_class():
    X, y = data.blobs(n=90, centers=3, seed=1)[:2]
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.CrossEntropyLoss(),
                              optimizer=optim.Adam(model.parameters(), lr=0.05), epochs_per_frame=20)  # fmt: skip
    monitor.train(40)
    picture = monitor.panels.input_panel.picture
    assert set(np.unique(picture)) <= {0.0, 1.0, 2.0} and len(np.unique(picture)) == 3
    monitor.png()
    assert monitor.panels.input_panel.boundary_pixels > 20
    assert monitor.accuracies[-1] > 0.9


def test_regression_on_1d_inputs_draws_the_fitted_curve():
    X, y = data.sine(n=60, seed=0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.MSELoss(),
                              optimizer=optim.Adam(model.parameters(), lr=0.02))  # fmt: skip
    before = monitor.panels.input_panel.curve.get_ydata().copy()
    monitor.train(100)
    after = monitor.panels.input_panel.curve.get_ydata()
    assert not np.allclose(before, after) and not monitor.is_classification
    assert monitor.losses[-1] < monitor.losses[0]


def test_monitor_without_optimizer_disables_its_training_buttons(xor):
    X, y = xor
    monitor = TrainingMonitor(xor_model(), data=(X, y))
    assert monitor.controls["play"].disabled and monitor.controls["step"].disabled
    monitor.controls["step"].click()  # a click anyway: explained, not crashed
    assert monitor.errors and "loss_fn" in monitor.message_text


def test_monitor_renders_a_png(xor):
    X, y = xor
    model = xor_model()
    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.MSELoss(), optimizer=optim.SGD(model.parameters(), lr=0.5))
    monitor.train(5)
    assert monitor.png()[:4] == b"\x89PNG"
