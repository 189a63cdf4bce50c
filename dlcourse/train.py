"""`fit`: the training loop every chapter uses, plus `evaluate`, `predict`, `accuracy` and callbacks.

    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                  DataLoader(X_train, y_train, batch_size=32, shuffle=True), epochs=10,
                  val_data=(X_test, y_test), callbacks=[EarlyStopping(patience=3)])
    history["val_accuracy"]          # one value per epoch, like Keras
    history.step_loss                # the loss of every single step

One step is always the same five lines (zero_grad, forward, loss, backward, step); `fit` adds the
bookkeeping around them. Callbacks are objects with any of the methods `on_train_begin(state)`,
`on_step_end(state)`, `on_epoch_end(state)`, `on_train_end(state)`; setting `state.stop = True`
ends training (after the current epoch's bookkeeping). The live widgets hook in this way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from dlcourse.function import ShapeError
from dlcourse.grad_mode import no_grad
from dlcourse.tensor import Tensor, tensor


def accuracy(outputs, labels, threshold: float = 0.5) -> float:
    """Fraction of correct predictions.

    outputs (N, C), C > 1: the predicted class is argmax over C (logits or probabilities alike);
    labels are class indices (N,) or one-hot (N, C). outputs (N,) or (N, 1): probabilities, the
    prediction is `outputs > threshold` (use threshold=0 for logits); labels are 0/1.
    """
    outputs, labels = np.asarray(_values(outputs)), np.asarray(_values(labels))
    if len(outputs) != len(labels):
        raise ShapeError(
            f"accuracy: {len(outputs)} outputs (shape {outputs.shape}) but {len(labels)} labels (shape {labels.shape})"
        )
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predicted = outputs.argmax(axis=1)
        if labels.shape == outputs.shape:
            labels = labels.argmax(axis=1)  # one-hot → class index
    elif outputs.ndim == 1 or (outputs.ndim == 2 and outputs.shape[1] == 1):
        predicted = (outputs.reshape(-1) > threshold).astype(np.int64)
        labels = labels.reshape(len(labels), -1)[:, 0] > 0.5
    else:
        raise ShapeError(f"accuracy: expected outputs (N, C), (N, 1) or (N,), got shape {outputs.shape}")
    return float(np.mean(predicted == labels.reshape(-1))) if len(labels) else float("nan")


@dataclass
class TrainState:
    """What callbacks see: the objects being trained and where training is. Set `stop = True` to stop."""

    model: object
    optimizer: object
    history: History
    epoch: int = 0  # the current epoch, counting from 0
    step: int = 0  # steps taken so far in this fit call
    loss: float = float("nan")  # the loss of the latest step
    stop: bool = False
    logs: dict = field(default_factory=dict)  # the latest epoch's record (as in history.epochs)


class History:
    """What happened during `fit`: `step_loss` (every step), `epochs` (one dict per epoch), `history`."""

    def __init__(self):
        self.step_loss: list[float] = []
        self.epochs: list[dict] = []  # e.g. {"epoch": 0, "loss": 0.31, "accuracy": 0.9, "val_loss": ...}

    @property
    def history(self) -> dict:
        """{key: [value per epoch]}, like Keras' `History.history`."""
        keys = list(dict.fromkeys(key for record in self.epochs for key in record))
        return {key: [record.get(key, float("nan")) for record in self.epochs] for key in keys}

    def __getitem__(self, key):
        if self.epochs and key not in self.epochs[-1]:
            raise KeyError(f"History has no {key!r}; it has {list(self.epochs[-1])}")
        return self.history[key]

    def best(self, key: str = "val_loss") -> dict:
        """The record of the epoch where `key` was best: lowest for losses, highest for anything else."""
        values = [record[key] for record in self.epochs if key in record]
        if not values:
            available = list(self.epochs[-1]) if self.epochs else []
            raise KeyError(f"History has no {key!r} to compare; it has {available}")
        pick = np.nanargmin if "loss" in key else np.nanargmax
        return next(r for r in self.epochs if key in r and r[key] == values[int(pick(values))])

    def __repr__(self):
        last = ", ".join(f"{k}={v:.4g}" for k, v in self.epochs[-1].items() if k != "epoch") if self.epochs else ""
        return f"History({len(self.epochs)} epochs, {len(self.step_loss)} steps{'; last: ' + last if last else ''})"


class EarlyStopping:
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    Lower is better for keys with "loss" in them, higher otherwise. With `restore_best` the model gets
    back the weights of its best epoch when training ends.
    """

    def __init__(self, patience: int = 5, monitor: str = "val_loss", min_delta: float = 0.0, restore_best=True):
        self.patience, self.monitor, self.min_delta, self.restore_best = patience, monitor, min_delta, restore_best
        self.best_value, self.best_epoch, self.best_weights, self.waited = None, None, None, 0

    def on_train_begin(self, state):
        self.best_value, self.best_epoch, self.best_weights, self.waited = None, None, None, 0

    def on_epoch_end(self, state):
        if self.monitor not in state.logs:
            hint = " (pass val_data to fit)" if self.monitor.startswith("val_") else ""
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, but the epoch records have {list(state.logs)}{hint}"
            )
        value = state.logs[self.monitor]
        sign = 1 if "loss" in self.monitor else -1  # compare as "lower is better"
        if self.best_value is None or sign * (value - self.best_value) < -self.min_delta:
            self.best_value, self.best_epoch, self.waited = value, state.epoch, 0
            if self.restore_best:
                self.best_weights = state.model.state_dict()
        else:
            self.waited += 1
            if self.waited >= self.patience:
                state.stop = True

    def on_train_end(self, state):
        if self.restore_best and self.best_weights is not None:
            state.model.load_state_dict(self.best_weights)


def _values(x):
    return x._data if isinstance(x, Tensor) else x


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(np.asarray(x))  # arrays keep their dtype


def _batches(data, batch_size, shuffle=False, seed=0):
    """A DataLoader-like iterable as it is; a tuple (X, y) → a DataLoader (full batch unless batch_size)."""
    if isinstance(data, tuple) and len(data) == 2:
        from dlcourse.data import DataLoader

        X, y = data
        return DataLoader(X, y, batch_size=batch_size or len(_values(X)), shuffle=shuffle, seed=seed)
    if batch_size is not None:
        raise TypeError("batch_size= only applies when the data is a tuple (X, y); a DataLoader has its own")
    return data


def _compute_loss(loss_fn, out, yb):
    """loss_fn(out, yb), or a ShapeError naming both shapes and a likely fix when they don't fit."""
    out_shape, target_shape = out.shape, np.shape(_values(yb))
    problem = None
    if not out_shape or not target_shape or out_shape[0] != target_shape[0]:
        problem = "they have different numbers of samples (first axis)"
    elif np.asarray(_values(yb)).dtype.kind == "f" and out_shape != target_shape:
        try:
            combined = np.broadcast_shapes(out_shape, target_shape)
        except ValueError:
            combined = None
        if combined != out_shape:  # (32, 1) vs (32,) → (32, 32): every output against every target, silently
            problem = f"the loss would broadcast them to {combined}" if combined else "the shapes don't broadcast"
    if problem is None:
        try:
            return loss_fn(out, yb)
        except (ValueError, IndexError) as error:  # ShapeError is a ValueError
            raise ShapeError(f"model output {out_shape} vs targets {target_shape}: {error}") from None
    if out_shape == (*target_shape, 1):
        fix = "reshape the targets to (N, 1) with y.reshape(-1, 1)"
    elif target_shape == (*out_shape, 1):
        fix = "flatten the targets with y.reshape(-1)"
    else:
        fix = "make the targets the same shape as the outputs"
    fix += "; for class labels, give the model one output per class and use CrossEntropyLoss with integer labels (N,)"
    raise ShapeError(f"model output {out_shape} vs targets {target_shape}: {problem}; {fix}")


class _EpochMeter:
    """Sample-weighted means over the batches of one epoch: the loss and every metric."""

    def __init__(self, metrics):
        self.metrics, self.sums, self.count = metrics, {}, 0

    def add(self, loss, out, yb):
        n = len(out)
        self.count += n
        values = {"loss": loss} if loss is not None else {}
        values.update({name: fn(out, yb) for name, fn in self.metrics})
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + float(value) * n

    def result(self) -> dict:
        return {key: total / max(self.count, 1) for key, total in self.sums.items()}


def _metric_functions(metrics, loss_fn, sample_targets):
    """[(name, fn(outputs, targets))] from names/callables; None → accuracy for integer class labels."""
    if metrics is None:
        metrics = ("accuracy",) if np.asarray(_values(sample_targets)).dtype.kind in "iub" else ()
    threshold = 0.0 if type(loss_fn).__name__ == "BCEWithLogitsLoss" else 0.5  # logits vs probabilities
    chosen = []
    for metric in metrics:
        if metric == "accuracy":
            chosen.append(("accuracy", lambda out, y: accuracy(out, y, threshold=threshold)))
        elif callable(metric):
            chosen.append((getattr(metric, "__name__", "metric"), metric))
        else:
            raise ValueError(f"unknown metric {metric!r}: use 'accuracy' or a function fn(outputs, targets) -> float")
    return chosen


def _progress_wanted(progress) -> bool:
    return bool(progress) and os.environ.get("DLCOURSE_PROGRESS", "1").strip().lower() not in ("0", "false", "no")


def evaluate(model, data, loss_fn=None, metrics=None, batch_size=None) -> dict:
    """{"loss": …, "accuracy": …} of `model` on `data` ((X, y) or a loader), without gradients, in eval mode.

    metrics as in `fit` (None: accuracy for integer class labels); "loss" only when loss_fn is given.
    """
    batches = _batches(data, batch_size)
    was_training = getattr(model, "training", False)
    model.eval()
    meter = None
    try:
        with no_grad():
            for xb, yb in batches:
                out = model(_as_tensor(xb))
                if meter is None:
                    meter = _EpochMeter(_metric_functions(metrics, loss_fn, yb))
                loss = None if loss_fn is None else _compute_loss(loss_fn, out, _as_tensor(yb)).item()
                meter.add(loss, out, yb)
    finally:
        model.train(was_training)
    return {} if meter is None else meter.result()


def predict(model, X, batch_size=None) -> np.ndarray:
    """The model's outputs for every row of X as one NumPy array (no gradients, eval mode)."""
    X = np.asarray(_values(X))
    size = batch_size or max(len(X), 1)
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        with no_grad():
            parts = [np.asarray(model(tensor(X[i : i + size]))._data) for i in range(0, len(X), size)]
    finally:
        model.train(was_training)
    return np.concatenate(parts) if parts else np.empty((0,))


def fit(
    model,
    loss_fn,
    optimizer,
    train_data,
    epochs: int = 1,
    val_data=None,
    metrics=None,
    callbacks=(),
    progress: bool = True,
    scheduler=None,
    batch_size=None,
    shuffle: bool = True,
    seed: int = 0,
) -> History:
    """Train `model` for `epochs` passes over `train_data`; returns a `History`.

    train_data/val_data: a DataLoader (any iterable of (xb, yb)) or a tuple (X, y) of arrays, which is
    batched here: `batch_size` (default: the full set), shuffled per epoch with `seed`. Each step:
    zero_grad, out = model(xb), loss = loss_fn(out, yb), backward, step. Each epoch records the
    sample-weighted mean loss and `metrics` on the training batches (as they were trained on), then
    `val_` versions on val_data (no gradients, eval mode), and the learning rate; `scheduler.step()`
    runs after every epoch. metrics: names ("accuracy") or functions fn(outputs, targets) -> float;
    None → accuracy when the targets are integer class labels. progress: a tqdm bar (a widget in
    notebooks); off with progress=False or DLCOURSE_PROGRESS=0.
    """
    train_batches = _batches(train_data, batch_size, shuffle=shuffle, seed=seed)
    history = History()
    state = TrainState(model=model, optimizer=optimizer, history=history)
    bar = None
    if _progress_wanted(progress):
        from tqdm.auto import tqdm

        total = epochs * len(train_batches) if hasattr(train_batches, "__len__") else None
        bar = tqdm(total=total, unit="step", leave=True)
    _call(callbacks, "on_train_begin", state)
    try:
        for epoch in range(epochs):
            state.epoch = epoch
            model.train()
            meter = None
            if bar is not None:
                bar.set_description(f"epoch {epoch + 1}/{epochs}")
            for xb, yb in train_batches:
                xb, yb = _as_tensor(xb), _as_tensor(yb)
                optimizer.zero_grad()
                out = model(xb)
                loss = _compute_loss(loss_fn, out, yb)
                loss.backward()
                optimizer.step()
                state.loss = loss.item()
                state.step += 1
                history.step_loss.append(state.loss)
                if meter is None:  # the first batch's targets decide the automatic metrics
                    meter = _EpochMeter(_metric_functions(metrics, loss_fn, yb))
                meter.add(state.loss, out.detach(), yb)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{state.loss:.4f}", refresh=False)
                _call(callbacks, "on_step_end", state)
                if state.stop:
                    break
            record = {"epoch": epoch, **(meter.result() if meter else {})}
            if val_data is not None:
                val_batch_size = batch_size if isinstance(val_data, tuple) else None
                val = evaluate(model, val_data, loss_fn, metrics=metrics, batch_size=val_batch_size)
                record.update({"val_" + key: value for key, value in val.items()})
            if getattr(optimizer, "param_groups", None):
                record["lr"] = optimizer.param_groups[0]["lr"]
            history.epochs.append(record)
            state.logs = record
            if scheduler is not None:
                scheduler.step()
            if bar is not None:
                bar.set_postfix({k: f"{v:.4g}" for k, v in record.items() if k not in ("epoch", "lr")})
            _call(callbacks, "on_epoch_end", state)
            if state.stop:
                break
    finally:
        if bar is not None:
            bar.close()
    _call(callbacks, "on_train_end", state)
    return history


def _call(callbacks, method, state):
    for callback in callbacks:
        hook = getattr(callback, method, None)
        if hook is not None:
            hook(state)
