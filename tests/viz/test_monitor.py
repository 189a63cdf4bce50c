"""The training monitor as a `fit` callback and as an app with play/step/reset, headless (Agg)."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data, nn, optim
from dlcourse.train import fit
from dlcourse.viz.monitor import TrainingMonitor


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
    picture_before = np.array(panels.input_panel.image.get_array()).copy()
    hidden_before = np.array(panels.hidden_panel.points.get_offsets()).copy()
    monitor.controls["step"].click()  # one chunk: 25 epochs
    assert monitor.epochs_done == 25 and monitor.controls["play"].value == 25
    monitor.controls["play"].value = 400  # the Play widget asks for epoch 400: trains up to it
    assert monitor.epochs_done == 400 and len(monitor.loss_line.get_xdata()) == 400
    assert monitor.losses[-1] < monitor.losses[0] / 5
    assert monitor.accuracies[-1] == 1.0  # the hidden layer solved XOR
    assert not np.allclose(picture_before, panels.input_panel.image.get_array())
    assert not np.allclose(hidden_before, panels.hidden_panel.points.get_offsets())
    assert panels.input_panel.boundary is not None  # a 0.5 contour exists once classes are separated
    weights_hist = panels.weight_stairs[0].get_data().values
    grads_hist = panels.grad_stairs[0].get_data().values
    assert weights_hist.sum() == pytest.approx(1.0) and grads_hist.sum() == pytest.approx(1.0)
    assert not monitor.errors


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
    picture = np.asarray(monitor.panels.input_panel.image.get_array())
    assert set(np.unique(picture)) <= {0.0, 1.0, 2.0} and len(np.unique(picture)) == 3
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
