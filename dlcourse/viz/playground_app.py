"""`playground(...)`: a network playground in the spirit of TensorFlow Playground, trained by dlcourse.

    from dlcourse.viz import playground
    pg = playground("spiral", features=("x1", "x2", "sin_x1", "sin_x2"), hidden=(8, 8), activation="tanh")
    pg                                   # last line of a cell: the live app (press play)

    pg.train(epochs=200)                 # the same from code, e.g. in a chapter cell
    pg.train_loss, pg.test_loss          # data loss on the training / test points
    pg.sparsity()                        # fraction of weights with |w| < 1e-3
    pg.state_dict()                      # the weights, PyTorch's names and shapes
    pg.show_code()                       # the dlcourse program (and the PyTorch one) replaying this run
    pg.inspect(("connection", 0, 1, 0))  # a weight's value and its gradient (what hover/click shows)
    pg.trained_twin(epochs=200, hidden=(3,))  # a copy trained headless (the app untouched): what play reaches

Every neuron is drawn as its output over the input plane, every connection by sign (colour) and
|weight| (width), all updated while the network trains. Changing the data, the inputs, the network,
the batch size or the seed starts a new run; the learning rate and the penalty change on the fly
(the printed code then replays the run as a schedule). Pieces: playground_model.py (the network and
its training), playground_drawing.py / network_diagram.py (the figure), playground_code.py (the
printed programs), playground_controls.py (the widgets).
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np

from dlcourse.viz.app import App
from dlcourse.viz.playground_code import dlcourse_code, torch_code
from dlcourse.viz.playground_controls import config_from_controls, make_controls, regularization, show_layer_count
from dlcourse.viz.playground_drawing import PlaygroundFigure
from dlcourse.viz.playground_model import MAX_LAYERS, PlaygroundConfig, PlaygroundRun
from dlcourse.viz.style import course_style, new_figure


class Playground(App):
    """The network playground app; see `playground` and the module docstring."""

    def __init__(self, dataset="circle", n=200, noise=0.0, train_fraction=0.5, features=("x1", "x2"),
                 hidden=(4, 2), activation="tanh", lr=0.03, regularization=None, reg_rate=0.0, batch_size=10,
                 seed=0, frame_ms: int = 40, train_ms: float = 15.0):  # fmt: skip
        super().__init__(title="Network playground")
        config = PlaygroundConfig(dataset=dataset, n=n, noise=noise, train_fraction=train_fraction,
                                  features=features, hidden=hidden, activation=activation, lr=lr,
                                  regularization=regularization, reg_rate=reg_rate, batch_size=batch_size,
                                  seed=seed)  # fmt: skip
        self.n, self.layers = config.n, len(config.hidden)
        self.frame_ms, self.train_ms = int(frame_ms), float(train_ms)  # a tick's period; its training budget
        self.steps_per_tick, self.ticking, self.hovered, self._numbers_shown = 1, False, None, 0.0
        self.numbers = widgets.HTML()  # epoch and losses, under the figure
        self.info = widgets.HTML("<i>hover over or click a neuron or a connection: its value and gradient</i>")
        self.code_output = widgets.Output()
        self.figure, _ = new_figure(figsize=(10.5, 4.4))
        self.rows = make_controls(self, config)
        show_layer_count(self, self.layers)
        self.figure.canvas.mpl_connect("motion_notify_event", self.safe(self.on_hover))
        self.figure.canvas.mpl_connect("button_press_event", self.safe(self.on_hover))
        self._start(PlaygroundRun(config))

    # ------------------------------------------------------------------ the run
    def _start(self, run: PlaygroundRun) -> None:
        """Make `run` the current one: new artists for its network and data, drawn in full."""
        self.run, self.hovered = run, None
        with course_style():
            self.view = PlaygroundFigure(self.figure, run)
        self.view.show_test = self.controls["show_test"].value
        self.view.discretize = self.controls["discretize"].value
        self.set_animated(self.view.animated)
        self._stale = True
        self.refresh(full=True)

    def configure(self, **changes) -> None:
        """Change the configuration from code, e.g. `pg.configure(hidden=(8, 8), noise=0.2)`: a new run."""
        import dataclasses

        config = dataclasses.replace(self.run.config, **changes)
        with self.lock:
            self.n, self.layers = config.n, len(config.hidden)
            self._show_config(config)
            self._start(PlaygroundRun(config))

    def _show_config(self, c: PlaygroundConfig) -> None:
        """Set the controls to the configuration `c`, without running their callbacks."""
        k = self.controls
        with self.hold_updates():
            k["dataset"].value, k["noise"].value, k["seed"].value = c.dataset, c.noise, c.seed
            k["train_percent"].value, k["batch_size"].value = round(100 * c.train_fraction), c.batch_size
            for name in (n[len("feature:") :] for n in k if n.startswith("feature:")):
                k[f"feature:{name}"].value = name in c.features
            for layer, size in enumerate(c.hidden, start=1):
                k[f"neurons:{layer}"].value = size
            k["activation"].value, k["regularization"].value = c.activation, c.regularization or "none"
        show_layer_count(self, len(c.hidden))

    def on_structure(self, change=None) -> None:
        """A control that defines the run changed: start a new run (a clear message if the choice is invalid)."""
        try:
            config = config_from_controls(self, self.layers)
        except ValueError as error:
            self.message(str(error), level="warning")
            return
        self.message("")
        self._start(PlaygroundRun(config))

    def add_layer(self) -> None:
        if self.layers < MAX_LAYERS:
            self.layers += 1
            show_layer_count(self, self.layers)
            self.on_structure()

    def remove_layer(self) -> None:
        if self.layers > 0:
            self.layers -= 1
            show_layer_count(self, self.layers)
            self.on_structure()

    def on_hyperparameters(self, change=None) -> None:
        """Learning rate or penalty changed: the run goes on with the new values."""
        k = self.controls
        self.run.set_hyperparameters(lr=k["lr"].value, regularization=regularization(self),
                                     reg_rate=k["reg_rate"].value)  # fmt: skip

    def on_view_options(self, change=None) -> None:
        self.view.show_test = self.controls["show_test"].value
        self.view.discretize = self.controls["discretize"].value
        self._stale = True
        self.refresh()

    # ------------------------------------------------------------------ training
    def train(self, epochs: int | None = None, steps: int | None = None) -> Playground:
        """Train `epochs` more epochs (or `steps` SGD steps) and show the result."""
        with self.lock:  # the canvas may be drawing in a widget thread (see App)
            self.run.train(epochs=epochs, steps=steps)
            self._after_training()
        return self

    def trained_twin(self, epochs: int | None = None, steps: int | None = None, **changes) -> PlaygroundRun:
        """A new run of this configuration (with `changes`, e.g. `hidden=(3,)`), trained without drawing.

        The app itself is untouched (still at its own epoch, for the learner to press play): the twin
        is what pressing play from a reset would reach — the same data, initial weights and batches —
        and a chapter cell can read and assert its results (`train_loss`, `test_loss`, `accuracy()`,
        `weights()`, `sparsity()`). Learning rate and penalty changed during the app's run are taken
        at their current values, from the start.
        """
        import dataclasses

        return PlaygroundRun(dataclasses.replace(self.run.config, **changes)).train(epochs=epochs, steps=steps)

    def step(self) -> None:
        """One epoch: the "step" button."""
        self.train(epochs=1)

    def reset(self) -> None:
        """The same configuration from its initial weights (same seed): epoch 0."""
        self._start(PlaygroundRun(self.run.config))

    def _after_training(self) -> None:
        if self.run.diverged_at is not None:
            self.message(f"diverged at step {self.run.diverged_at}: lower the learning rate, then reset",
                         level="error")  # fmt: skip
            self.controls["play"].value = False
        self._stale = True
        self.refresh()

    def on_play(self, change) -> None:
        """The play/pause toggle: a tick on the kernel's event loop trains a little and asks for a frame,
        every `frame_ms` (see _timed_tick)."""
        playing = bool(change["new"])
        self.controls["play"].icon = self.controls["play"].description = "pause" if playing else "play"
        if not self.live:
            if playing:
                self.message("playing needs a live canvas (a Jupyter kernel); use step or pg.train()", level="warning")
            return
        loop = self.figure.canvas.loop
        if playing and not self.ticking and loop is not None:
            self.ticking = True  # a tick is scheduled (this may run in a widget message's thread: threadsafe)
            loop.call_soon_threadsafe(self._timed_tick)
        if not playing:
            self.refresh()  # the numbers of the last tick

    def _timed_tick(self) -> None:
        """Run a tick on the kernel's event loop and schedule the next one `frame_ms` after this one began.

        (A plain timer waits `frame_ms` after each tick *ended*: with ~45 ms of training and drawing per
        tick, that made a tick every ~90 ms, 11 frames per second.)
        """
        if not self.controls["play"].value:
            self.ticking = False
            return
        started = time.perf_counter()
        self.safe(self.tick)()
        spent = time.perf_counter() - started
        self.figure.canvas.loop.call_later(max(0.002, self.frame_ms / 1000 - spent), self._timed_tick)

    def tick(self) -> None:
        """One animation tick: as many SGD steps as fit in `train_ms`, then a frame (when the browser is ready)."""
        if not self.controls["play"].value:
            return
        started = time.perf_counter()
        self.run.train_steps(self.steps_per_tick)
        spent = (time.perf_counter() - started) * 1000
        per_step = spent / self.steps_per_tick
        self.steps_per_tick = int(np.clip(self.train_ms / max(per_step, 1e-3), 1, 10 * self.run.steps_per_epoch))
        self._after_training()

    # ------------------------------------------------------------------ drawing
    def refresh(self, full: bool = False) -> None:
        """Show the run's state: in a browser at its next frame (prepare_frame), elsewhere at once.

        With a browser view the artists take the newest state only when a frame is drawn, so training
        ticks that no frame shows cost nothing; without one (code in a cell, nbval) they follow at once,
        so that what a cell reads from them (widths, pictures) is always current.
        """
        now = time.perf_counter()
        if not self.controls["play"].value or now - self._numbers_shown > 0.25:  # playing: 4 updates a second
            self._numbers_shown = now  # (each widget update costs the browser a re-layout)
            self.numbers.value = (f"<b>epoch {self.run.epoch:,.0f}</b> &nbsp; train loss {self.run.train_loss:.4f}"
                                  f" &nbsp; test loss {self.run.test_loss:.4f}")  # fmt: skip
        if not (self.live and self.figure.canvas.view):
            full = self.prepare_frame() or full
        if not self.live:
            self.redraw()
        else:
            self.redraw() if full else self.redraw_frame()

    def prepare_frame(self) -> bool:
        """Push the newest state into the artists; True if the loss axes grew (a full redraw)."""
        if not self._stale:
            return False
        self._stale = False
        return self.view.update(self.run)

    def on_hover(self, event) -> None:
        """Show the value and gradient of the neuron or connection under the mouse (hover or click)."""
        if event.inaxes is not self.view.ax_net:
            return
        target = self.view.diagram.hit(event.xdata, event.ydata)
        if target == self.hovered and event.name != "button_press_event":
            return
        self.hovered = target
        self.view.diagram.show_highlight(target)
        self.info.value = describe(self.inspect(target)) if target else ""
        self._stale = True
        self.refresh()

    def inspect(self, target) -> dict:
        """The value and gradient of ("neuron", column, index) or ("connection", layer, out, in).

        A neuron: its bias and ∂L/∂bias (inputs have none) and its output's range on the training
        points; a connection: its weight and ∂L/∂w. L is the training loss plus the penalty, on all
        training points at the current weights.
        """
        run = self.run
        weight_grads, bias_grads = run.gradients()
        if target[0] == "connection":
            _, layer, out, inp = target
            return {"kind": "connection", "layer": layer, "to": out, "from": inp,
                    "value": float(run.linears[layer].weight.data[out, inp]),
                    "gradient": float(weight_grads[layer][out, inp])}  # fmt: skip
        _, column, index = target
        outputs = run.layer_outputs_from_features(run.F_train)[column][:, index]
        info = {"kind": "neuron", "column": column, "index": index,
                "output_min": float(outputs.min()), "output_max": float(outputs.max())}  # fmt: skip
        if column > 0:
            info["value"] = float(run.linears[column - 1].bias.data[index])
            info["gradient"] = float(bias_grads[column - 1][index])
        return info

    # ------------------------------------------------------------------ code and weights
    def code(self, framework: str = "dlcourse") -> str:
        """The program that replays this run: framework "dlcourse" or "torch"."""
        if framework not in ("dlcourse", "torch"):
            raise ValueError(f"framework must be 'dlcourse' or 'torch', got {framework!r}")
        return dlcourse_code(self.run) if framework == "dlcourse" else torch_code(self.run)

    def show_code(self) -> None:
        """Print both programs (dlcourse, then PyTorch)."""
        print(self.code("dlcourse"), "\n# ---- the same in PyTorch " + "-" * 40 + "\n", self.code("torch"), sep="")

    def print_code(self) -> None:
        """The "show the code" button: the programs in the app's output area."""
        self.code_output.clear_output()
        with self.code_output:
            self.show_code()

    def state_dict(self) -> dict[str, np.ndarray]:
        """The current weights: {"0.weight": (out, in), "0.bias": (out,), …}, as nn.Sequential names them."""
        return self.run.state_dict()

    def export_weights(self, path: str = "playground_weights.npz") -> str:
        """Save the state_dict as a .npz file (the "export weights" button) and show how to load it."""
        np.savez(path, **self.state_dict())
        self.code_output.clear_output()
        with self.code_output:
            print(f"saved {path}: " + ", ".join(f"{k} {v.shape}" for k, v in self.state_dict().items()))
            print("dlcourse: model.load_state_dict(dict(np.load(path)))")
            print("PyTorch:  model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load(path).items()})")
        return path

    # ------------------------------------------------------------------ headless access
    model = property(lambda self: self.run.model)
    epoch = property(lambda self: self.run.epoch)
    train_loss = property(lambda self: self.run.train_loss)
    test_loss = property(lambda self: self.run.test_loss)

    def weights(self) -> list[np.ndarray]:
        return self.run.weights()

    def sparsity(self, threshold: float = 1e-3) -> float:
        return self.run.sparsity(threshold)

    def layout(self) -> widgets.Widget:
        header = widgets.HTML(f"<b>{self.title}</b>")
        return widgets.VBox([header, *self.rows[:3], self.figure_widget(), self.numbers, self.info, self.status,
                             *self.rows[3:], self.code_output, self.output])  # fmt: skip


def describe(info: dict) -> str:
    """One line of HTML for what `Playground.inspect` returns."""
    if info["kind"] == "connection":
        return (f"weight from neuron {info['from'] + 1} to neuron {info['to'] + 1} of layer {info['layer'] + 1}: "
                f"<b>w = {info['value']:+.4f}</b>, ∂L/∂w = {info['gradient']:+.2e}")  # fmt: skip
    where = "input" if info["column"] == 0 else f"layer {info['column']}"
    low, high = info["output_min"], info["output_max"]
    text = f"{where}, neuron {info['index'] + 1}: output on the training points in [{low:.3f}, {high:.3f}]"
    if "value" in info:
        text += f"; <b>bias b = {info['value']:+.4f}</b>, ∂L/∂b = {info['gradient']:+.2e}"
    return text


def playground(dataset: str = "circle", **kwargs) -> Playground:
    """A `Playground` (display it as the last line of a cell); keyword arguments as `Playground`."""
    return Playground(dataset, **kwargs)
