"""The chapter-10 capacity explorer, driven headless: sliders change the data and curves, extremes explain."""

from __future__ import annotations

import numpy as np

from dlcourse import nn, optim
from dlcourse.train import EarlyStopping
from dlcourse.viz.capacity import CapacityExplorer, make_mlp, sine_task, train_epochs


def test_sine_task_pool_is_nested_and_validation_is_separate():
    X_pool, y_pool, X_val, y_val = sine_task(n_pool=50, n_val=30, seed=0)
    assert X_pool.shape == y_pool.shape == (50, 1) and X_val.shape == (30, 1)
    assert not np.all(np.diff(X_pool.ravel()) > 0)  # shuffled: the first n rows spread over the whole range
    assert X_pool[:10].min() < -1 and X_pool[:10].max() > 1
    assert not np.isin(X_val, X_pool).any()


def test_make_mlp_with_zero_units_is_a_trainable_constant():
    model = make_mlp(0, seed=0)
    x = np.linspace(-3, 3, 7, dtype=np.float32)[:, None]
    out = model(x).numpy()
    np.testing.assert_allclose(out, out[0, 0])
    assert [p.requires_grad for p in model.parameters()] == [False, True]  # weight frozen at 0, bias learns
    dropped = make_mlp(8, dropout=0.5)
    assert sum(isinstance(m, nn.Dropout) for m in dropped) == 2
    assert sum(p.data.size for p in make_mlp(8).parameters()) == 8 + 8 + 64 + 8 + 8 + 1


def test_train_epochs_lowers_the_loss_and_early_stopping_restores_the_best_epoch():
    X_pool, y_pool, X_val, y_val = sine_task(seed=2)
    model = make_mlp(64, seed=2)
    opt = optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.0)
    train, val, stopped = train_epochs(model, opt, (X_pool[:20], y_pool[:20]), (X_val, y_val), 300)
    assert len(train) == len(val) == 300 and not stopped
    assert train[-1] < 0.2 * train[0]

    model = make_mlp(64, seed=2)
    opt = optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.0)
    stopper = EarlyStopping(patience=30)
    train, val, stopped = [], [], False
    while not stopped:  # in chunks, as the app does: the callback's memory spans the calls
        more_train, more_val, stopped = train_epochs(model, opt, (X_pool[:20], y_pool[:20]), (X_val, y_val), 7,
                                                     stopper, first_epoch=len(train))  # fmt: skip
        train, val = train + more_train, val + more_val
    best = int(np.argmin(val))
    assert stopper.best_epoch == best and len(val) == best + 31
    model.eval()
    restored = float(np.mean((model(X_val).numpy() - y_val) ** 2))
    np.testing.assert_allclose(restored, val[best], rtol=1e-5)


def test_playing_draws_growing_curves_and_reports_overfitting():
    app = CapacityExplorer(frames=60, epochs_per_frame=10)
    assert "untrained" in app.message_text and len(app.train_curve.get_xdata()) == 0
    untrained = np.asarray(app.fit_line.get_ydata()).copy()
    app.controls["frame"].value = 5
    assert len(app.train_curve.get_xdata()) == len(app.val_curve.get_ydata()) == 50
    assert not np.allclose(untrained, app.fit_line.get_ydata())
    app.controls["frame"].value = 60
    assert len(app.train_losses) == 600
    assert "overfitting" in app.message_text and app.val_losses[-1] > 1.2 * min(app.val_losses)
    assert app.best_line.get_xdata()[0] == app.best_epoch == int(np.argmin(app.val_losses)) + 1
    trained = np.asarray(app.fit_line.get_ydata()).copy()
    app.controls["frame"].value = 10  # going back trains again from the same start: deterministic
    app.controls["frame"].value = 60
    np.testing.assert_allclose(app.fit_line.get_ydata(), trained)
    assert not app.errors


def test_sliders_change_the_data_and_restart_training():
    app = CapacityExplorer(frames=10)
    assert len(app.train_points.get_xdata()) == 20
    app.controls["frame"].value = 3
    app.controls["n_train"].value = 150
    assert len(app.train_points.get_xdata()) == 150 and app.train_losses == [] and app.controls["frame"].value == 0
    app.controls["hidden"].value = 5
    assert app.model[0].weight.shape == (5, 1)
    app.controls["dropout"].value = 0.4
    assert sum(isinstance(m, nn.Dropout) for m in app.model) == 2
    app.controls["weight_decay"].value = 0.3
    assert app.optimizer.param_groups[0]["weight_decay"] == 0.3
    app.controls["frame"].value = 2
    assert len(app.val_curve.get_xdata()) == 20 and not app.errors


def test_early_stopping_toggle_stops_and_restores():
    app = CapacityExplorer(early_stopping=True, patience=40)
    app.controls["frame"].value = app.controls["frame"].max
    assert app.early_stopped and len(app.train_losses) < 600
    best = app.best_epoch
    assert len(app.train_losses) == best + 40
    assert "restored" in app.message_text and f"epoch {best}" in app.message_text
    val = np.mean((app.predictions(app.X_val) - app.y_val.ravel()) ** 2)
    np.testing.assert_allclose(val, app.val_losses[best - 1], rtol=1e-5)
    app.controls["early_stopping"].value = False
    app.controls["frame"].value = app.controls["frame"].max
    assert len(app.train_losses) == 600 and not app.errors


def test_extreme_values_show_a_message_and_keep_working():
    app = CapacityExplorer(frames=10)
    cases = (("hidden", 0, "constant"), ("dropout", 1.0, "never learn"), ("weight_decay", 100.0, "collapse"))
    for name, extreme, says in cases:
        app.controls[name].value = extreme
        assert says in app.message_text  # said before training, too
        app.controls["frame"].value = 10
        assert says in app.message_text and np.all(np.isfinite(app.fit_line.get_ydata()))
        if name != "dropout":  # p = 1 leaves the random initial curve; the other two are flat
            assert "flat" in app.message_text and np.std(app.fit_line.get_ydata()) < 0.1
        app.controls[name].value = {"hidden": 64, "dropout": 0.0, "weight_decay": 0.0}[name]
        app.controls["frame"].value = 10
        assert says not in app.message_text and np.std(app.fit_line.get_ydata()) > 0.3
    assert not app.errors


def test_a_non_finite_loss_says_diverged_instead_of_crashing():
    app = CapacityExplorer(frames=5)
    app.y_pool = np.full_like(app.y_pool, np.inf)  # a broken data set makes the loss infinite
    app.restart()
    app.controls["frame"].value = 5
    assert app.diverged and "diverged" in app.message_text
    assert np.all(np.isnan(app.fit_line.get_ydata())) and not app.errors
