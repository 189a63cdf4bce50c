"""`TrainingMonitor`: watch a network learn — loss, decision boundary, hidden features, weights, gradients.

Two ways to use it:

    monitor = TrainingMonitor(model, data=(X, y), loss_fn=nn.BCELoss(), optimizer=opt, hidden=model[0:2])
    monitor                      # play / pause / step / reset buttons run `fit` one epoch per frame

    monitor = TrainingMonitor(model, data=(X, y))
    fit(model, loss_fn, opt, (X, y), epochs=200, callbacks=[monitor])   # a plain fit callback
    monitor                      # shows what it recorded

Panels (those that make sense for the data): loss per step (and accuracy per epoch); the decision
boundary over 2-D inputs, or the fitted curve for 1-D inputs; the data in the space of a 2-unit
hidden layer, with the line where the output unit is undecided (when the rest of the model is one
Linear(2, 1) unit, or give `head=`); and the weights: for a small MLP (≤ 8 units per layer) the
network itself, every weight drawn by sign and size and every neuron's output over the plane (hover
or click a connection: its value and last gradient), else per-layer histograms of the weights and
of log10 |gradient|.
"""

from __future__ import annotations

import time

import numpy as np

import dlcourse as dl
from dlcourse.viz.app import App
from dlcourse.viz.monitor_panels import Panels, figure_size, panel_kinds
from dlcourse.viz.style import course_style, new_figure


class TrainingMonitor(App):
    """Live curves and views of a model while `fit` trains it; a `fit` callback with its own controls."""

    def __init__(self, model, data=None, loss_fn=None, optimizer=None, hidden=None, epochs: int = 200,
                 epochs_per_frame: int = 1, batch_size=None, draw_every: int = 10, resolution: int = 80,
                 predict=None, seed: int = 0, head=None, frame_ms: int = 40):  # fmt: skip
        super().__init__(title="Training monitor")
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.X, self.y = (None, None) if data is None else (np.asarray(data[0]), np.asarray(data[1]))
        self.hidden, self.predict_fn, self.head = hidden, predict, head
        self.epochs, self.epochs_per_frame, self.batch_size = int(epochs), int(epochs_per_frame), batch_size
        self.draw_every, self.seed = max(1, int(draw_every)), seed
        self.min_interval = 0.1  # seconds between live redraws during training (see refresh)
        self._last_draw_end, self._last_draw_cost = 0.0, 0.0
        self._playing = False
        self._initial = [p.data.copy() for p in model.parameters()]  # for reset()
        self._clear_records()
        kinds = panel_kinds(self)
        self.figure, axes = new_figure(figsize=figure_size(kinds))
        self.figure.delaxes(axes)
        with course_style():
            self.panels = Panels(self, self.figure, kinds, resolution)
            self.figure.subplots_adjust(left=0.06, right=0.97, bottom=0.16, top=0.88)
        self.set_animated(self.panels.animated)
        if self.panels.network_panel is not None:
            self.figure.canvas.mpl_connect("button_press_event", self.safe(self.on_pointer))
            self.figure.canvas.mpl_connect("motion_notify_event", self.safe(self.on_pointer))
        trainable = loss_fn is not None and optimizer is not None and self.X is not None
        play = self.add_control("play", _play_widget(self.epochs, self.epochs_per_frame, frame_ms), self._on_play)
        play.disabled = not trainable
        self.add_button("step", "step", self.step, icon="step-forward").disabled = not trainable
        self.add_button("reset", "reset", self.reset, icon="undo")
        self.refresh()

    # ------------------------------------------------------------------ records
    def _clear_records(self):
        self.steps: list[int] = []  # global step number of each recorded loss
        self.losses: list[float] = []
        self.epoch_steps: list[int] = []  # the step at which each epoch ended
        self.epoch_losses: list[float] = []
        self.accuracies: list[float] = []
        self.epochs_done = 0
        self.diverged_at = None

    # ------------------------------------------------------------------ fit callback interface
    def on_step_end(self, state):
        """Record the step's loss; every `draw_every` steps refresh the views (stop on a NaN/inf loss)."""
        loss = float(np.asarray(getattr(state.loss, "data", state.loss)))
        step = len(self.losses)
        self.steps.append(step)
        self.losses.append(loss)
        if not np.isfinite(loss) and self.diverged_at is None:
            self.diverged_at = step
            self.message(f"diverged: the loss is {loss} at step {step} — lower the learning rate and reset",
                         level="error")  # fmt: skip
            state.stop = True
            self.refresh()
        elif step % self.draw_every == 0:
            self.refresh(force=False)

    def on_epoch_end(self, state):
        """Record the epoch's loss and accuracy and refresh every view."""
        self.epochs_done += 1
        self.epoch_steps.append(len(self.losses) - 1)
        self.epoch_losses.append(self.losses[-1] if self.losses else np.nan)
        accuracy = self.accuracy()
        if accuracy is not None:
            self.accuracies.append(accuracy)
        self.refresh(force=False)

    def on_train_end(self, state):
        """Draw the final state of a `fit` call."""
        self.refresh()

    # ------------------------------------------------------------------ training in chunks
    def train(self, epochs: int = 1):
        """Train `epochs` more epochs with `fit` (this monitor as the callback)."""
        from dlcourse.train import fit

        if self.loss_fn is None or self.optimizer is None or self.X is None:
            raise RuntimeError("to train from the monitor, give it data=(X, y), loss_fn= and optimizer=")
        if self.diverged_at is not None:
            self.message("training diverged: press reset (and lower the learning rate) first", level="warning")
            return
        # a different shuffle for every chunk, yet reproducible: the seed moves on with the epochs done
        fit(self.model, self.loss_fn, self.optimizer, (self.X, self.y), epochs=int(epochs), callbacks=[self],
            progress=False, batch_size=self.batch_size, seed=self.seed + self.epochs_done)  # fmt: skip

    def step(self):
        """One chunk of training (`epochs_per_frame` epochs): the "step" button."""
        self.train(self.epochs_per_frame)
        with self.hold_updates():
            self.controls["play"].value = min(self.epochs_done, self.controls["play"].max)

    def _on_play(self, change):
        target = int(change["new"])
        if target > self.epochs_done:
            self._playing = True  # one short chunk per frame: no pictures in between
            try:
                self.train(target - self.epochs_done)
            finally:
                self._playing = False

    @property
    def planned_steps(self) -> int:
        """While the Play widget trains: the optimizer steps of the whole run it plays (one per batch); else 0."""
        if not self._playing:
            return 0
        batches = 1 if self.batch_size is None else -(-len(self.X) // int(self.batch_size))  # ceiling division
        return int(self.controls["play"].max) * batches

    def reset(self):
        """Back to the initial weights and an empty history (the optimizer forgets its state too)."""
        for p, initial in zip(self.model.parameters(), self._initial):
            p.data[...] = initial
            p.grad = None
        if self.optimizer is not None:
            self.optimizer.state.clear()
        self._clear_records()
        with self.hold_updates():
            self.controls["play"].value = 0
        self.message("")
        self.refresh()

    # ------------------------------------------------------------------ model outputs
    def outputs(self, X) -> np.ndarray:
        """The model's output for X as a 2-D NumPy array (no graph is recorded)."""
        with dl.no_grad():
            out = self.model(dl.tensor(np.asarray(X, dtype=np.float32)))
        out = np.asarray(out.data if isinstance(out, dl.Tensor) else out, dtype=np.float64)
        return out.reshape(len(out), -1)  # (N, C)

    def probabilities(self, X) -> np.ndarray:
        """Class probabilities (N, C); a single output is P(class 1) (a sigmoid is applied if it is a logit)."""
        if self.predict_fn is not None:
            return np.asarray(self.predict_fn(X), dtype=np.float64).reshape(len(X), -1)
        out = self.outputs(X)
        if out.shape[1] == 1:
            return out if (out.min() >= 0 and out.max() <= 1) else 1 / (1 + np.exp(-out))
        shifted = np.exp(out - out.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    @property
    def is_classification(self) -> bool:
        return self.y is not None and np.allclose(self.y, np.round(self.y)) and len(np.unique(self.y)) <= 10

    def accuracy(self):
        """Fraction of training points classified correctly (None for regression)."""
        if not self.is_classification:
            return None
        proba = self.probabilities(self.X)
        predicted = (proba[:, 0] > 0.5).astype(int) if proba.shape[1] == 1 else proba.argmax(axis=1)
        return float(np.mean(predicted == self.y.reshape(len(predicted), -1)[:, 0].astype(int)))

    # ------------------------------------------------------------------ drawing
    def refresh(self, force: bool = True):
        """Push the records and the model's state into the artists and show them.

        With `force` (the buttons, the end of training) a frame is asked for; the browser shows it when
        it is ready. During a `fit` loop (`force=False`) this is throttled, and live only: at most every
        `min_interval` seconds and twice as long as drawing took, the picture is drawn and sent at once
        (the browser cannot ask while the cell runs), so drawing never eats more than a third of the time.
        """
        now = time.perf_counter()
        if not force:
            if not self.live or self._playing:
                return  # static output: the end of training draws once
            if now - self._last_draw_end < max(self.min_interval, 2 * self._last_draw_cost):
                return
        full = self.panels.update()  # the model is read here, in the thread that trains it
        if force:
            self.redraw() if full or not self.live else self.redraw_frame()
        else:
            self.draw_now()
        self._last_draw_end = time.perf_counter()
        self._last_draw_cost = self._last_draw_end - now

    def update(self, change=None):
        self.refresh()

    @property
    def loss_line(self):
        """The Line2D of the per-step loss (tests assert that its data grows)."""
        return self.panels.loss_line

    def on_pointer(self, event):
        """Hover or click in the network panel: the weight (or bias) under the mouse and its last gradient."""
        panel = self.panels.network_panel
        if event.inaxes is not panel.ax:
            return
        target = panel.diagram.hit(event.xdata, event.ydata)
        panel.diagram.show_highlight(target)
        self.message(describe_weight(panel.linears, target) if target else "")
        self.redraw_frame()


def describe_weight(linears, target) -> str:
    """One line about a connection ("connection", layer, out, in) or neuron ("neuron", column, index)."""
    if target[0] == "connection":
        _, layer, out, inp = target
        weight = linears[layer].weight
        grad = "—" if weight.grad is None else f"{float(weight.grad.data[out, inp]):+.2e}"
        value = float(weight.data[out, inp])
        return f"layer {layer + 1}, weight from unit {inp + 1} to unit {out + 1}: w = {value:+.4f}, last ∂L/∂w = {grad}"
    _, column, index = target
    if column == 0:
        return f"input x{index + 1}"
    bias = linears[column - 1].bias
    grad = "—" if bias.grad is None else f"{float(bias.grad.data[index]):+.2e}"
    return f"layer {column}, unit {index + 1}: bias b = {float(bias.data[index]):+.4f}, last ∂L/∂b = {grad}"


def _play_widget(epochs, per_frame, frame_ms):
    import ipywidgets as widgets

    return widgets.Play(value=0, min=0, max=epochs, step=per_frame, interval=frame_ms, description="train")
