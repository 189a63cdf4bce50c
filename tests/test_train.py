"""dlcourse.train: fit, History, callbacks, EarlyStopping, evaluate, predict, accuracy, and the digits benchmarks."""

from __future__ import annotations

import time

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn, optim
from dlcourse.data import DataLoader, blobs, digits, train_test_split
from dlcourse.function import ShapeError
from dlcourse.train import EarlyStopping, accuracy, evaluate, fit, predict


def classifier(seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(2, 16, seed=rng), nn.Tanh(), nn.Linear(16, 3, seed=rng))


def blob_data(n=120, seed=0):
    X, y = blobs(n, centers=3, std=1.0, seed=seed)
    return X.astype(np.float32), y


def train_blobs(seed=0, epochs=5, **options):
    model = classifier(seed)
    X, y = blob_data()
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.1),
        DataLoader(X, y, batch_size=16, shuffle=True, seed=seed),
        epochs=epochs,
        val_data=(X[:40], y[:40]),
        progress=False,
        **options,
    )
    return model, history


# ------------------------------------------------------------------------------------------ fit
def test_fit_decreases_loss_and_is_deterministic():
    _, first = train_blobs(seed=0, epochs=8)
    _, second = train_blobs(seed=0, epochs=8)
    assert first.step_loss == second.step_loss  # same seeds → the very same run
    assert first.epochs == second.epochs
    assert len(first.step_loss) == 8 * 8  # 120 samples / batch 16 → 8 steps per epoch
    assert first["loss"][-1] < 0.5 * first["loss"][0]
    assert first["accuracy"][-1] > 0.9
    _, other = train_blobs(seed=1, epochs=8)
    assert other.step_loss != first.step_loss


def test_history_keys_values_and_best():
    _, history = train_blobs(epochs=4)
    assert list(history.history) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert history["epoch"] == [0, 1, 2, 3]
    assert history["lr"] == [0.1] * 4
    assert all(0 <= a <= 1 for a in history["val_accuracy"])
    best = history.best("val_loss")
    assert best["val_loss"] == min(history["val_loss"])
    assert history.best("val_accuracy")["val_accuracy"] == max(history["val_accuracy"])
    with pytest.raises(KeyError, match="val_acc.*it has"):
        history["val_acc"]
    assert repr(history).startswith("History(4 epochs, 32 steps")


def test_epoch_loss_is_the_sample_weighted_mean_of_step_losses():
    X, y = blob_data(n=50)
    model = classifier()
    # lr=0 keeps the model fixed, so every step sees the same weights as evaluate() below
    history = fit(
        model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.0), (X, y), batch_size=20, progress=False
    )
    sizes = [20, 20, 10]
    assert len(history.step_loss) == 3
    assert history["loss"][0] == pytest.approx(np.dot(history.step_loss, sizes) / 50)
    assert history["loss"][0] == pytest.approx(evaluate(model, (X, y), nn.CrossEntropyLoss())["loss"], rel=1e-5)


def test_tuple_data_defaults_to_full_batch_and_float_targets_get_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 1)).astype(np.float32)
    y = 3 * X - 1
    model = nn.Linear(1, 1, seed=0)
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=50, progress=False)
    assert len(history.step_loss) == 50  # one full-batch step per epoch
    assert list(history.history) == ["epoch", "loss", "lr"]  # regression: no accuracy
    assert history["loss"][-1] < 0.01
    np.testing.assert_allclose(model.weight.data, [[3.0]], atol=0.05)


def test_custom_metric_and_unknown_metric():
    def mean_output(outputs, targets):
        return float(np.mean(outputs.data))

    _, history = train_blobs(epochs=1, metrics=("accuracy", mean_output))
    assert {"accuracy", "mean_output", "val_accuracy", "val_mean_output"} <= set(history.history)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        train_blobs(epochs=1, metrics=("f1",))


def test_scheduler_steps_after_every_epoch():
    model = classifier()
    X, y = blob_data()
    opt = optim.SGD(model.parameters(), lr=0.4)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=3, scheduler=scheduler, progress=False)
    assert history["lr"] == [0.4, 0.2, 0.1]


def test_batch_size_applies_to_tuples_only():
    X, y = blob_data()
    model = classifier()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="batch_size="):
        fit(model, nn.CrossEntropyLoss(), opt, DataLoader(X, y), batch_size=8)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X, y), batch_size=50, val_data=DataLoader(X, y), progress=False)
    assert len(history.step_loss) == 3 and "val_accuracy" in history.history


class SineForecaster(nn.Module):
    """LSTM + Linear head: predicts the next value at every step, (N, T, 1) → (N, T, 1)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 8, batch_first=True, seed=0)
        self.head = nn.Linear(8, 1, seed=1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out)


def test_fit_trains_a_recurrent_model():
    from dlcourse.data import sine_sequences

    seqs = sine_sequences(24, 21, seed=0)
    model = SineForecaster()
    history = fit(
        model,
        nn.MSELoss(),
        optim.Adam(model.parameters(), lr=1e-2),
        (seqs[:, :-1], seqs[:, 1:]),
        batch_size=8,
        epochs=15,
        progress=False,
    )
    assert list(history.history) == ["epoch", "loss", "lr"]
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    assert [name for name, _ in model.named_parameters()][:2] == ["lstm.weight_ih_l0", "lstm.weight_hh_l0"]


# ------------------------------------------------------------------------------------------ callbacks
class Recorder:
    def __init__(self):
        self.events = []

    def on_train_begin(self, state):
        self.events.append(("begin", state.epoch, state.step))

    def on_step_end(self, state):
        assert np.isfinite(state.loss) and state.history.step_loss[-1] == state.loss
        self.events.append(("step", state.epoch, state.step))

    def on_epoch_end(self, state):
        assert state.logs is state.history.epochs[-1]
        self.events.append(("epoch", state.epoch, state.step))

    def on_train_end(self, state):
        self.events.append(("end", state.epoch, state.step))


def test_callbacks_are_called_in_order_with_the_right_counts():
    recorder = Recorder()

    class OnlyEpochs:  # a callback may define only some of the methods
        count = 0

        def on_epoch_end(self, state):
            self.count += 1

    only_epochs = OnlyEpochs()
    train_blobs(epochs=3, callbacks=[recorder, only_epochs])
    expected = [("begin", 0, 0)]
    for epoch in range(3):
        expected += [("step", epoch, epoch * 8 + k) for k in range(1, 9)]
        expected.append(("epoch", epoch, (epoch + 1) * 8))
    expected.append(("end", 2, 24))
    assert recorder.events == expected
    assert only_epochs.count == 3


def test_a_callback_can_stop_training_mid_epoch():
    class StopAtStep:
        def on_step_end(self, state):
            if state.step == 11:
                state.stop = True

    recorder = Recorder()
    _, history = train_blobs(epochs=5, callbacks=[StopAtStep(), recorder])
    assert len(history.step_loss) == 11
    assert len(history.epochs) == 2  # the interrupted epoch is still recorded (with its validation)
    assert "val_loss" in history.epochs[-1]
    assert recorder.events[-1] == ("end", 1, 11)


def test_early_stopping_stops_and_restores_the_best_weights():
    # train on y = 2x but validate on y = -2x: validation loss is best after the first epoch, then rises
    X = np.linspace(-1, 1, 16, dtype=np.float32).reshape(-1, 1)
    snapshots = []

    class Snapshot:
        def on_epoch_end(self, state):
            snapshots.append(state.model.state_dict())

    for restore in (True, False):
        snapshots.clear()
        model = nn.Linear(1, 1, seed=0)
        model.weight.data[...] = 0.0
        stopper = EarlyStopping(patience=2, monitor="val_loss", restore_best=restore)
        opt = optim.SGD(model.parameters(), lr=0.2)
        history = fit(
            model,
            nn.MSELoss(),
            opt,
            (X, 2 * X),
            epochs=20,
            val_data=(X, -2 * X),
            callbacks=[Snapshot(), stopper],
            progress=False,
        )
        assert len(history.epochs) == 3  # best at epoch 0, no improvement for 2 epochs → stop
        assert stopper.best_epoch == 0 and stopper.best_value == history["val_loss"][0]
        kept = snapshots[0] if restore else snapshots[-1]
        np.testing.assert_array_equal(model.weight.data, kept["weight"])
        assert not np.array_equal(snapshots[0]["weight"], snapshots[-1]["weight"])


def test_early_stopping_without_validation_data_explains():
    with pytest.raises(KeyError, match="pass val_data"):
        model = classifier()
        X, y = blob_data()
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            (X, y),
            callbacks=[EarlyStopping()],
            progress=False,
        )


# ------------------------------------------------------------------------------------------ shape errors
def test_output_target_shape_mismatch_names_both_shapes_and_a_fix():
    X = np.zeros((8, 3), np.float32)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ShapeError, match=r"model output \(8, 1\) vs targets \(8,\).*reshape.*CrossEntropyLoss"):
        fit(model, nn.MSELoss(), opt, (X, np.zeros(8, np.float32)), progress=False)
    with pytest.raises(ShapeError, match=r"model output \(8, 1\) vs targets \(4,\): .*different numbers of samples"):
        fit(model, nn.MSELoss(), opt, [(X, np.zeros(4, np.float32))], progress=False)  # a list of batches works too


def test_errors_raised_by_the_loss_are_explained_with_both_shapes():
    X = np.zeros((6, 3), np.float32)
    model = nn.Linear(3, 4)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ShapeError, match=r"model output \(6, 4\) vs targets \(6, 1\): cross_entropy"):
        fit(model, nn.CrossEntropyLoss(), opt, (X, np.zeros((6, 1), np.int64)), progress=False)


# ------------------------------------------------------------------------------------------ evaluate, predict, accuracy
def test_accuracy_on_known_inputs():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [1.0, 0.0, 0.0]])
    assert accuracy(logits, [0, 1, 2, 2]) == 0.75
    assert accuracy(dl.tensor(logits), np.eye(3)[[0, 1, 1, 0]]) == 0.75  # one-hot labels
    probabilities = np.array([[0.9], [0.2], [0.6], [0.4]])
    assert accuracy(probabilities, [1, 0, 0, 0]) == 0.75
    assert accuracy(probabilities.ravel(), np.array([[1], [0], [1], [0]])) == 1.0
    assert accuracy(np.array([2.0, -1.0, -0.5]), [1, 0, 1], threshold=0.0) == pytest.approx(2 / 3)
    with pytest.raises(ShapeError, match=r"4 outputs \(shape \(4, 3\)\) but 3 labels"):
        accuracy(logits, [0, 1, 2])


def test_evaluate_known_model_and_training_mode_restored():
    model = nn.Linear(2, 2, bias=False)
    model.weight.data[...] = np.eye(2)  # logits = inputs
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0]], np.float32)
    y = np.array([0, 1, 1, 0])
    model.train()
    result = evaluate(model, (X, y), nn.CrossEntropyLoss(), batch_size=3)
    expected_loss = np.mean([np.log(1 + np.e**-1), np.log(1 + np.e**-1), np.log(1 + np.e), np.log(2)])
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-6)
    assert result["accuracy"] == 0.75  # the all-zero row: argmax picks class 0, which is right
    assert model.training
    assert evaluate(model, (X, y)) == {"accuracy": 0.75}


def test_predict_batches_give_the_same_outputs():
    model = classifier()
    X, _ = blob_data(n=37)
    full = predict(model, X)
    assert full.shape == (37, 3) and isinstance(full, np.ndarray)
    np.testing.assert_allclose(predict(model, X, batch_size=8), full, rtol=1e-6)


# ------------------------------------------------------------------------------------------ progress
def test_progress_false_prints_nothing(capsys):
    train_blobs(epochs=2)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_and_its_environment_switch(capsys, monkeypatch):
    model = classifier()
    X, y = blob_data()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, progress=True)
    assert "epoch 2/2" in capsys.readouterr().err  # tqdm writes to stderr in a terminal
    monkeypatch.setenv("DLCOURSE_PROGRESS", "0")
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ------------------------------------------------------------------------------------------ digits
@pytest.fixture(scope="module")
def digits_split():
    """A stratified 75/25 split, pixels scaled with the training set's overall mean and std."""
    images, labels = digits()
    X_train, X_test, y_train, y_test = train_test_split(images, labels, test_size=0.25, seed=0, stratify=labels)
    mean, std = X_train.mean(), X_train.std()
    return (X_train - mean) / std, (X_test - mean) / std, y_train, y_test


def timed_fit(model, lr, X, y, batch_size, epochs):
    """fit after a warm-up step (numba compiles or loads its cache once per process); returns seconds."""
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.0), (X[:8], y[:8]), progress=False)
    start = time.perf_counter()
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=0)
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=lr), loader, epochs=epochs, progress=False)
    return time.perf_counter() - start


@pytest.mark.slow
def test_mlp_digits_accuracy(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128, seed=rng),
        nn.ReLU(),
        nn.Linear(128, 64, seed=rng),
        nn.ReLU(),
        nn.Linear(64, 10, seed=rng),
    )
    seconds = timed_fit(model, 1e-3, X_train, y_train, batch_size=32, epochs=10)  # the W2 workload
    test_accuracy = evaluate(model, (X_test, y_test))["accuracy"]
    print(f"MLP digits: test accuracy {test_accuracy:.4f} after {seconds:.2f} s of training")
    assert test_accuracy >= 0.96  # time is reported, never asserted: shared machines are noisy


@pytest.mark.slow
def test_cnn_digits_reaches_97_percent(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, seed=rng),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 16, 4, 4)
        nn.Conv2d(16, 32, 3, padding=1, seed=rng),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 2, 2)
        nn.Flatten(),
        nn.Linear(128, 10, seed=rng),
    )
    seconds = timed_fit(model, 3e-3, X_train[:, None], y_train, batch_size=32, epochs=10)
    test_accuracy = evaluate(model, (X_test[:, None], y_test))["accuracy"]
    print(f"CNN digits: test accuracy {test_accuracy:.4f} after {seconds:.2f} s of training")
    assert test_accuracy >= 0.97  # time is reported (benchmarks/), never asserted: shared machines are noisy
