"""The capacity & regularisation app of chapter 10: watch train and validation loss part ways, then pull them back.

    from dlcourse.viz.capacity import capacity_explorer
    capacity_explorer()      # hidden units, weight decay, dropout, training points, early stopping; ▶ trains

A tanh MLP with two hidden layers learns noisy samples of sin x with AdamW. After every epoch it is
scored, in eval mode, on its own training points and on a fixed validation set that it never trains
on. The maths lives in plain functions (`sine_task`, `make_mlp`, `train_epochs`); the app only draws.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlcourse import data, nn, optim
from dlcourse.grad_mode import no_grad
from dlcourse.nn import functional as F
from dlcourse.tensor import tensor
from dlcourse.train import EarlyStopping, TrainState
from dlcourse.viz.app import App
from dlcourse.viz.style import COLORS, course_style, new_figure

WEIGHT_DECAYS = (0.0, 0.001, 0.01, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # AdamW's λ; lr·λ ≤ 1 keeps it stable
LEARNING_RATE = 0.01
_STYLE = {"description_width": "115px"}
_WIDE = widgets.Layout(width="310px")


def sine_task(n_pool: int = 200, n_val: int = 100, noise: float = 0.25, seed: int = 0):
    """(X_pool, y_pool, X_val, y_val): noisy samples y = sin x + noise·N(0, 1), x in [-3, 3], each (n, 1).

    The pool is in random order and "a training set of n points" is its first n rows, so a bigger set
    always contains the smaller ones. The validation samples are drawn separately."""
    X, y = data.sine(n=n_pool, noise=noise, seed=seed)
    order = np.random.default_rng(seed).permutation(n_pool)
    X_val, y_val = data.sine(n=n_val, noise=noise, seed=seed + 1)
    return X[order], y[order], X_val, y_val


def make_mlp(hidden: int, dropout: float = 0.0, seed: int = 0) -> nn.Sequential:
    """1 → hidden → hidden → 1, tanh units, Dropout(p) after each hidden layer when p > 0.

    hidden = 0 leaves nothing between x and the output: the model is the constant ŷ = b (a Linear
    layer whose weight is frozen at 0)."""
    if hidden == 0:
        model = nn.Sequential(nn.Linear(1, 1, seed=seed))
        model[0].weight.data[...] = 0.0
        model[0].weight.requires_grad = False  # no gradient → the optimizer leaves it at 0
        return model
    layers = [nn.Linear(1, hidden, seed=seed), nn.Tanh()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout, seed=seed + 10))
    layers += [nn.Linear(hidden, hidden, seed=seed + 1), nn.Tanh()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout, seed=seed + 11))
    return nn.Sequential(*layers, nn.Linear(hidden, 1, seed=seed + 2))


def train_epochs(model, optimizer, train, val, epochs: int, early_stopping: EarlyStopping | None = None,
                 first_epoch: int = 0):  # fmt: skip
    """`epochs` full-batch steps on the MSE; returns (train losses, val losses, stopped), one pair per epoch.

    Both losses are measured in eval mode after the step (a training-mode loss would include dropout's
    noise). `early_stopping` (dlcourse's own callback, kept across calls) sees every epoch's val loss;
    when it says stop, the best weights are restored and `stopped` is True. A loss that is not a
    finite number ends the run too."""
    X, y, X_val, y_val = tensor(train[0]), tensor(train[1]), tensor(val[0]), tensor(val[1])
    train_losses, val_losses = [], []
    with np.errstate(all="ignore"):  # a diverging run overflows; the caller reports it
        for epoch in range(first_epoch, first_epoch + epochs):
            model.train()
            optimizer.zero_grad()
            F.mse_loss(model(X), y).backward()
            optimizer.step()
            model.eval()
            with no_grad():
                train_losses.append(F.mse_loss(model(X), y).item())
                val_losses.append(F.mse_loss(model(X_val), y_val).item())
            if not np.isfinite(train_losses[-1]):
                return train_losses, val_losses, True
            if early_stopping is not None:
                state = TrainState(model=model, optimizer=optimizer, history=None, epoch=epoch,
                                   logs={"val_loss": val_losses[-1]})  # fmt: skip
                early_stopping.on_epoch_end(state)
                if state.stop:
                    early_stopping.on_train_end(state)  # back to the weights of the best epoch
                    return train_losses, val_losses, True
    return train_losses, val_losses, False


class CapacityExplorer(App):
    """Noisy sine samples, an MLP whose capacity and regularisation you choose, and its train/val curves."""

    def __init__(self, hidden=64, weight_decay=0.0, dropout=0.0, n_train=20, early_stopping=False, patience=50,
                 epochs_per_frame=10, frames=60, noise=0.25, seed=2):  # fmt: skip
        super().__init__(title="Capacity and regularisation: training vs validation loss")
        # seed 2: a draw of the data whose validation curve has a clear minimum (the story is easy to see)
        self.X_pool, self.y_pool, self.X_val, self.y_val = sine_task(noise=noise, seed=seed)
        self.seed, self.patience, self.noise = seed, int(patience), noise
        self.epochs_per_frame, self.total_epochs = int(epochs_per_frame), int(epochs_per_frame) * int(frames)
        self.grid = np.linspace(-3.3, 3.3, 200, dtype=np.float32)[:, None]  # (200, 1), for drawing the fit
        self.figure, (self.ax, self.ax_loss) = new_figure(1, 2, figsize=(10.5, 4.0))
        with course_style():
            (self.val_points,) = self.ax.plot(self.X_val, self.y_val, "o", mfc="none", color="0.6", ms=4,
                                              label="validation samples")  # fmt: skip
            (self.train_points,) = self.ax.plot([], [], "o", color=COLORS["black"], ms=5, label="training samples")
            self.ax.plot(self.grid, np.sin(self.grid), "--", color="0.55", lw=1.2, label="true function sin x")
            (self.fit_line,) = self.ax.plot([], [], color=COLORS["blue"], lw=2.2, label="the model")
            self.ax.set(xlabel="x", ylabel="y", ylim=(-2.2, 2.2), title="the data and the fitted function")
            self.ax.legend(loc="lower right", fontsize=7)
            (self.train_curve,) = self.ax_loss.plot([], [], color=COLORS["blue"], label="training MSE")
            (self.val_curve,) = self.ax_loss.plot([], [], color=COLORS["vermillion"], label="validation MSE")
            self.best_line = self.ax_loss.axvline(np.nan, color="0.4", ls=":", lw=1.2, label="lowest val MSE")
            self.ax_loss.axhline(noise**2, color="0.7", lw=1.0, ls="--", label="noise level")
            self.ax_loss.set(xlabel="epoch", ylabel="MSE (log scale)", yscale="log", xlim=(0, self.total_epochs),
                             ylim=(1e-3, 3.0), title="loss per epoch (eval mode)")  # fmt: skip
            self.ax_loss.legend(loc="upper right", fontsize=7)
            self.figure.tight_layout()
        # a training frame moves these only (blitting); the loss axis changes in whole decades (see _draw)
        self.set_animated([self.train_points, self.fit_line, self.train_curve, self.val_curve, self.best_line])
        self._limits = None
        add = self.add_control
        add("hidden", widgets.IntSlider(value=hidden, min=0, max=128, description="hidden units", style=_STYLE,
                                        layout=_WIDE), self.restart)  # fmt: skip
        add("weight_decay", widgets.SelectionSlider(options=WEIGHT_DECAYS, value=weight_decay,
                                                    description="weight decay λ", style=_STYLE, layout=_WIDE),
            self.restart)  # fmt: skip
        add("dropout", widgets.FloatSlider(value=dropout, min=0.0, max=1.0, step=0.05, description="dropout p",
                                           style=_STYLE, layout=_WIDE), self.restart)  # fmt: skip
        add("n_train", widgets.IntSlider(value=n_train, min=2, max=len(self.X_pool), description="training points",
                                         style=_STYLE, layout=_WIDE), self.restart)  # fmt: skip
        add("early_stopping", widgets.Checkbox(value=early_stopping, description=f"early stopping ({patience})",
                                               style=_STYLE, layout=_WIDE), self.restart)  # fmt: skip
        frame = widgets.IntSlider(value=0, min=0, max=int(frames), description="frame", style=_STYLE, layout=_WIDE)
        add("frame", frame, lambda change: self.train_to(change["new"]))
        self.add_player("train", frame, interval_ms=40)
        self.add_button("reset", "reset training", lambda: self.restart(), icon="undo")
        self.restart()

    # ------------------------------------------------------------------ training
    @property
    def train_data(self):
        n = self.controls["n_train"].value
        return self.X_pool[:n], self.y_pool[:n]

    def restart(self, change=None):
        """A fresh model and optimizer from the controls; the curves start again at epoch 0."""
        c = self.controls
        self.model = make_mlp(c["hidden"].value, c["dropout"].value, seed=self.seed)
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = optim.AdamW(trainable, lr=LEARNING_RATE, weight_decay=c["weight_decay"].value)
        self.stopper = EarlyStopping(patience=self.patience) if c["early_stopping"].value else None
        self.train_losses, self.val_losses, self.finished, self.frames_done = [], [], False, 0
        with self.hold_updates():
            c["frame"].value = 0
        self._draw()

    def train_to(self, frame: int):
        """Train until `frame` · epochs_per_frame epochs are done (going back means training again from 0)."""
        if frame < self.frames_done:
            with self.hold_updates():
                self.restart()
                self.controls["frame"].value = frame
        while self.frames_done < frame and not self.finished:
            new_train, new_val, self.finished = train_epochs(
                self.model, self.optimizer, self.train_data, (self.X_val, self.y_val), self.epochs_per_frame,
                self.stopper, first_epoch=len(self.train_losses))  # fmt: skip
            self.train_losses += new_train
            self.val_losses += new_val
            self.frames_done += 1
        self._draw()

    @property
    def diverged(self) -> bool:
        return bool(self.train_losses) and not np.isfinite(self.train_losses[-1])

    @property
    def early_stopped(self) -> bool:
        return self.finished and not self.diverged

    @property
    def best_epoch(self):
        """The epoch (counting from 1) with the lowest validation loss so far, or None before training."""
        finite = np.where(np.isfinite(self.val_losses), self.val_losses, np.inf)
        return int(np.argmin(finite)) + 1 if len(finite) else None

    def predictions(self, X) -> np.ndarray:
        """The model's outputs for X in eval mode (no dropout), as a flat array."""
        self.model.eval()
        with no_grad(), np.errstate(all="ignore"):
            return np.asarray(self.model(tensor(np.asarray(X, np.float32))).data).ravel()

    # ------------------------------------------------------------------ drawing
    def _draw(self):
        X, y = self.train_data
        self.train_points.set_data(X.ravel(), y.ravel())
        curve = self.predictions(self.grid)
        self.fit_line.set_data(self.grid.ravel(), curve if not self.diverged else np.full_like(curve, np.nan))
        epochs = np.arange(1, len(self.train_losses) + 1)
        self.train_curve.set_data(epochs, self.train_losses)
        self.val_curve.set_data(epochs, self.val_losses)
        best = self.best_epoch
        self.best_line.set_xdata([best, best] if best is not None else [np.nan, np.nan])
        finite = [v for v in [*self.train_losses, *self.val_losses] if np.isfinite(v) and v > 0]
        if finite:
            low, high = max(min(finite) / 2, 1e-6), max(max(finite) * 2, 10 * self.noise**2)
            self._limits = (10.0 ** np.floor(np.log10(low)), 10.0 ** np.ceil(np.log10(high)))
        else:
            self._limits = (1e-3, 3.0)
        self.ax_loss.set_ylim(self._limits)
        self._report(curve)

    def _report(self, curve):
        c = self.controls
        hidden, p, decay = c["hidden"].value, c["dropout"].value, c["weight_decay"].value
        notes, level = [], "info"
        if hidden == 0:
            notes.append("0 hidden units: nothing connects x to the output, so the model is a constant ŷ = b")
            level = "warning"
        elif p >= 1.0:
            notes.append("dropout p = 1 drops every hidden unit in training: the output only ever sees its bias, "
                         "so the hidden weights never learn")  # fmt: skip
            level = "warning"
        if decay * LEARNING_RATE >= 0.1:
            notes.append(f"weight decay λ = {decay:g} shrinks every weight by {decay * LEARNING_RATE:.0%} per step: "
                         "the weights collapse towards 0")  # fmt: skip
            level = "warning"
        if not self.train_losses:
            self.message(" · ".join(["untrained — press ▶ to train", *notes]), level)
            self.show(self._limits)
            return
        epoch, train, val = len(self.train_losses), self.train_losses[-1], self.val_losses[-1]
        if self.diverged:
            self.message(f"diverged at epoch {epoch}: the loss is no longer a number — press reset", "error")
            self.show(self._limits)
            return
        best, lowest = self.best_epoch, self.val_losses[self.best_epoch - 1]
        if self.early_stopped:  # the model now holds the weights of the best epoch: report those
            epoch, train, val = best, self.train_losses[best - 1], lowest
        text = f"epoch {epoch} · train MSE {train:.4f} · val MSE {val:.4f} · gap {val - train:+.4f}"
        if np.nanstd(curve) < 0.1:  # sin x varies with std ≈ 0.7 on the grid
            notes.append("the fitted curve is (almost) flat: underfitting")
            level = "warning"
        elif self.early_stopped:
            notes.append(f"early stopping: no better val loss for {self.patience} epochs, so training stopped and "
                         f"the weights of epoch {best} (val MSE {lowest:.4f}) were restored")  # fmt: skip
            level = "success"
        elif val > 1.2 * lowest and epoch - best >= 20 and train < self.train_losses[best - 1]:
            notes.append(f"overfitting: val MSE has risen {val / lowest - 1:.0%} above its lowest ({lowest:.4f}, "
                         f"epoch {best}) while train MSE keeps falling")  # fmt: skip
            level = "warning" if level == "info" else level
        self.message(" — ".join([text, *notes]), level)
        self.show(self._limits)


def capacity_explorer(**options) -> CapacityExplorer:
    """The chapter-10 app (options: hidden, weight_decay, dropout, n_train, early_stopping, patience,
    epochs_per_frame, frames, noise, seed)."""
    return CapacityExplorer(**options)
