"""Two apps for the recurrent chapter: an LSTM's gates over time, and gradients flowing back through time.

    from dlcourse.viz.recurrent import gate_inspector, gradient_flow_explorer
    gate_inspector(model, X, events=X[..., 1] > 0)   # gates i, f, g, o and the cell state of one sequence
    gradient_flow_explorer()                         # ‖dL/dh_t‖ for every step t, RNN vs LSTM, log scale

The numbers come from the library: the LSTM's `last_gates`/`last_cell_states` after a forward pass,
and `last_grad_norms` after `backward()` (see dlcourse/nn/rnn.py).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection

import dlcourse as dl
from dlcourse.nn.rnn import LSTM, RNN
from dlcourse.viz.app import App
from dlcourse.viz.limits import steady_log_limits
from dlcourse.viz.raster import Heatmap
from dlcourse.viz.style import COLORS, course_style, new_figure

GATES = {  # name → (what it does, colour map, colour limits)
    "i": ("input gate: how much of the candidate to write", "cividis", (0.0, 1.0)),
    "f": ("forget gate: how much of the old cell to keep", "cividis", (0.0, 1.0)),
    "g": ("candidate values to write", "PuOr_r", (-1.0, 1.0)),
    "o": ("output gate: how much of the cell to show", "cividis", (0.0, 1.0)),
}
_STYLE = {"description_width": "110px"}
_WIDE = widgets.Layout(width="310px")


def find_lstm(model) -> LSTM:
    """`model` itself if it is an nn.LSTM, else its first LSTM sub-module."""
    if isinstance(model, LSTM):
        return model
    found = [m for m in getattr(model, "modules", lambda: [])() if isinstance(m, LSTM)]
    if not found:
        raise TypeError(f"gate_inspector needs an nn.LSTM or a model containing one, got {type(model).__name__}")
    return found[0]


class GateInspector(App):
    """One sequence through a (trained) LSTM: the input, each gate and the cell state as (unit × time) heatmaps."""

    def __init__(self, model, sequences, events=None, index: int = 0):
        super().__init__(title="Inside an LSTM: gates and cell state over time")
        self.lstm = find_lstm(model)
        self.sequences = np.asarray(sequences, dtype=np.float64)
        if self.sequences.ndim != 3 or self.sequences.shape[2] != self.lstm.input_size:
            raise ValueError(
                f"gate_inspector: sequences must have shape (N, T, input_size={self.lstm.input_size}), "
                f"got {self.sequences.shape}"
            )
        self.events = None if events is None else np.asarray(events, dtype=bool)  # (N, T): steps to mark
        self.figure, axes = new_figure(6, 1, figsize=(9.5, 9.0))
        self.axes = list(axes)
        self.ax_x, *gate_axes, self.ax_c = axes
        self.heatmaps = {}
        with course_style():
            n_features = self.sequences.shape[2]
            self.input_lines = [self.ax_x.plot([], [], "o-", ms=3, lw=1.2, label=f"input {k}")[0]
                                for k in range(min(n_features, 4))]  # fmt: skip
            self.ax_x.set_ylabel("input")
            if n_features > 1:
                self.ax_x.legend(loc="upper right", ncols=min(n_features, 4))
            # heatmaps drawn by table lookup (raster.Heatmap): five imshow pictures cost ~12 ms a frame
            for ax, (name, (meaning, cmap, limits)) in zip(gate_axes, GATES.items()):
                self.heatmaps[name] = Heatmap(ax, cmap, vmin=limits[0], vmax=limits[1])
                ax.set_title(f"{name} — {meaning}", loc="left", fontsize=9)
            self.heatmaps["c"] = Heatmap(self.ax_c, "PuOr_r", vmin=-1.0, vmax=1.0)
            self.ax_c.set_title("c — the cell state (the memory carried along)", loc="left", fontsize=9)
            self.ax_c.set_xlabel("time step t")
            for image in self.heatmaps.values():
                image.axes.set_ylabel("unit")
                image.axes.grid(False)
                self.figure.colorbar(image.mappable, ax=image.axes, fraction=0.03, pad=0.01)
            spacer = self.figure.colorbar(self.heatmaps["i"].mappable, ax=self.ax_x, fraction=0.03, pad=0.01)
            spacer.ax.set_visible(False)  # the input panel lines up with the others
            self.event_marks = []  # dashed vertical lines at the marked steps, in every panel
            for ax in axes:
                marks = LineCollection([], colors=COLORS["vermillion"], linestyles="--", lw=1.2,
                                       transform=ax.get_xaxis_transform())  # fmt: skip
                ax.add_collection(marks)
                self.event_marks.append(marks)
            self.figure.tight_layout()
        # another sequence changes these only (blitting) while the lengths and the cell state's colour
        # scale stay (the scale moves in steps of √2, see update: then everything is redrawn): a full
        # redraw of the six panels costs ~150 ms, a frame ~15 ms
        self.set_animated([*self.input_lines, *self.heatmaps.values(), *self.event_marks])
        low, high = float(self.sequences.min()), float(self.sequences.max())
        self.ax_x.set_ylim(low - 0.1, high + 0.1)  # one scale for every sequence
        last = len(self.sequences) - 1
        self._spread = None  # the cell state's colour scale (update)
        self.add_control("index", widgets.IntSlider(value=min(index, last), min=0, max=last, description="sequence #",
                                                    style=_STYLE, layout=_WIDE), self.update)  # fmt: skip
        self.update()

    def states(self, index: int) -> dict:
        """{"i", "f", "g", "o", "c", "h"}: each (T, H) for sequence `index`, from the LSTM's own forward pass."""
        sequence = self.sequences[index]  # (T, I)
        x = sequence[None] if self.lstm.batch_first else sequence[:, None]  # (1, T, I) or (T, 1, I)
        with dl.no_grad():
            self.lstm(dl.tensor(x.astype(self.lstm.weight_hh_l0.dtype)))
        found = {name: np.asarray(values[:, 0]) for name, values in self.lstm.last_gates.items()}  # (T, H) each
        found["c"] = np.asarray(self.lstm.last_cell_states[:, 0])
        found["h"] = np.asarray(self.lstm.last_hidden_states[:, 0])
        return found

    def all_cell_states(self) -> np.ndarray:
        """The cell states of every sequence, (T, N, H) or (N, T, H), from one batched forward pass."""
        x = self.sequences if self.lstm.batch_first else self.sequences.transpose(1, 0, 2)  # (N, T, I) / (T, N, I)
        with dl.no_grad():
            self.lstm(dl.tensor(x.astype(self.lstm.weight_hh_l0.dtype)))
        return np.asarray(self.lstm.last_cell_states)

    def update(self, change=None):
        """Run the chosen sequence through the LSTM and redraw the input, gates, cell state and marks."""
        index = self.controls["index"].value
        if self._spread is None:  # before states(): the batched pass replaces the LSTM's recorded states
            self._spread = cell_state_scale(self.all_cell_states())
        sequence, found = self.sequences[index], self.states(index)
        steps, units = found["c"].shape
        t = np.arange(steps)
        for k, line in enumerate(self.input_lines):
            line.set_data(t, sequence[:, k])
        for name, image in self.heatmaps.items():
            image.set_data(found[name].T)  # (H, T): one row per unit
        # one colour scale for the cell state of every sequence (the largest |c| of them all, in steps of
        # √2): sequences compare by colour, and moving between them only blits; it grows if the model
        # (trained meanwhile) outgrows it
        spread = self._spread = max(self._spread, cell_state_scale(found["c"]))
        self.heatmaps["c"].set_clim(-spread, spread)
        for ax in self.axes:  # one time axis for every panel
            ax.set_xlim(-0.5, steps - 0.5)
        marked = np.flatnonzero(self.events[index]) if self.events is not None else np.array([], int)
        for marks in self.event_marks:
            marks.set_segments([[(m, 0.0), (m, 1.0)] for m in marked])
        text = (
            f"sequence {index}: {steps} steps, {units} units · mean forget gate {found['f'].mean():.2f} "
            f"(1 = keep the memory), mean input gate {found['i'].mean():.2f} · cell state in [{found['c'].min():.2f}, "
            f"{found['c'].max():.2f}]"
        )
        if len(marked):
            text += f" · marked steps: {', '.join(str(m) for m in marked)}"
        if steps == 1:
            text = f"a sequence of one step: nothing to remember yet — the cell only holds i·g. {text}"
        self.message(text, "warning" if steps == 1 else "info")
        self.show((steps, units, spread))


def cell_state_scale(cell_states) -> float:
    """The colour scale's half-width for these cell states: max |c| rounded up to a power of √2."""
    largest = max(float(np.nanmax(np.abs(cell_states))), 1e-6)
    return float(2 ** (np.ceil(2 * np.log2(largest)) / 2))


def gate_inspector(model, sequences, events=None, index: int = 0) -> GateInspector:
    """The gate app: model an nn.LSTM (or contains one) reading sequences (N, T, input_size) directly;
    events (N, T) booleans mark steps (e.g. the adding problem's markers) with dashed lines."""
    return GateInspector(model, sequences, events, index)


# ---------------------------------------------------------------------------------------------- gradients
def gradient_norms_through_time(
    cell: str, length: int, hidden_size: int = 32, forget_bias=None, recurrent_scale=1.0, batch=16, seed=0
) -> np.ndarray:
    """‖dL/dh_t‖ for t = 1 … length of a fresh, untrained RNN ("rnn") or LSTM ("lstm"), float64.

    L = Σ_n readout · h_T[n]: a loss that looks only at the last step, so every gradient at an earlier
    step t has travelled back T − t steps. Inputs are N(0, 1), one feature per step. forget_bias (LSTM):
    sets the forget gate's bias (b_ih + b_hh) to this value; recurrent_scale multiplies W_hh.
    """
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    rng = np.random.default_rng(seed)
    make = {"rnn": RNN, "lstm": LSTM}[cell]
    module = make(1, hidden_size, batch_first=True, seed=seed, dtype=np.float64)
    with dl.no_grad():
        module.weight_hh_l0.data *= recurrent_scale
        if cell == "lstm" and forget_bias is not None:
            forget = slice(hidden_size, 2 * hidden_size)  # rows of the forget gate (order i, f, g, o)
            module.bias_ih_l0.data[forget] = forget_bias
            module.bias_hh_l0.data[forget] = 0.0
    x = rng.normal(size=(batch, length, 1))  # (N, T, 1)
    readout = rng.normal(size=hidden_size) / np.sqrt(hidden_size)
    # only dL/dh_t is wanted: no weight gradients (the costly part of BPTT), the input's instead
    module.requires_grad_(False)
    output, _ = module(dl.tensor(x, requires_grad=True))
    (output[:, -1] * readout).sum().backward()  # only the last step's output enters the loss
    return np.array(module.last_grad_norms)


class GradientFlowExplorer(App):
    """‖dL/dh_t‖ against t for an untrained RNN and LSTM: watch it vanish (or explode) as T grows."""

    def __init__(self, length: int = 50, forget_bias: float = 0.0, recurrent_scale: float = 1.0,
                 hidden_size: int = 32, max_length: int = 200, seed: int = 0):  # fmt: skip
        super().__init__(title="Backpropagation through time: how much gradient reaches step t?")
        self.hidden_size, self.seed = hidden_size, seed
        self.figure, self.ax = new_figure(figsize=(8.5, 4.0))
        with course_style():
            (self.rnn_line,) = self.ax.plot([], [], "o-", ms=2.5, color=COLORS["blue"], label="RNN (tanh)")
            (self.lstm_line,) = self.ax.plot([], [], "o-", ms=2.5, color=COLORS["vermillion"], label="LSTM")
            self.ax.set(yscale="log", xlabel="time step t (the loss is computed at the last step T)",
                        ylabel=r"$\|\partial L/\partial h_t\|$  (log scale)")  # fmt: skip
            self.ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2)  # above the plot: hides no line
            self.figure.tight_layout()
        self.set_animated([self.rnn_line, self.lstm_line])  # a slider move redraws the lines only (blitting)
        self._cache = {}  # (model, length, setting) → norms: dragging a slider back and forth is instant
        self._y_limits = None
        add = self.add_control
        add("length", widgets.IntSlider(value=length, min=1, max=max_length, description="length T",
                                        style=_STYLE, layout=_WIDE), self.update)  # fmt: skip
        add("scale", widgets.FloatSlider(value=recurrent_scale, min=0.25, max=4.0, step=0.05, style=_STYLE,
                                         description="RNN W_hh × ", layout=_WIDE), self.update)  # fmt: skip
        add("forget_bias", widgets.FloatSlider(value=forget_bias, min=-3.0, max=6.0, step=0.25, style=_STYLE,
                                               description="LSTM forget bias", layout=_WIDE), self.update)  # fmt: skip
        self.update()

    def update(self, change=None):
        """Recompute both models' gradient norms per step and redraw (log scale)."""
        c = self.controls
        length = c["length"].value
        size, seed, scale = self.hidden_size, self.seed, c["scale"].value
        forget_bias = c["forget_bias"].value
        with np.errstate(over="ignore", invalid="ignore"):
            if ("rnn", length, scale) not in self._cache:
                self._cache["rnn", length, scale] = gradient_norms_through_time(
                    "rnn", length, size, recurrent_scale=scale, seed=seed
                )
            if ("lstm", length, forget_bias) not in self._cache:
                self._cache["lstm", length, forget_bias] = gradient_norms_through_time(
                    "lstm", length, size, forget_bias, seed=seed
                )
        self.rnn_norms, self.lstm_norms = self._cache["rnn", length, scale], self._cache["lstm", length, forget_bias]
        t = np.arange(1, length + 1)
        drawn = []
        for line, norms in ((self.rnn_line, self.rnn_norms), (self.lstm_line, self.lstm_norms)):
            shown = np.where(np.isfinite(norms) & (norms > 0), norms, np.nan)  # log scale: no 0, no inf
            line.set_data(t, shown)
            drawn.append(shown)
        values = np.concatenate(drawn)
        values = values[np.isfinite(values)]
        low, high = (values.min(), values.max()) if values.size else (1e-3, 1.0)
        # limits in jumps (whole decades; the time axis in steps of 25), so that most moves only blit
        y_limits = self._y_limits = steady_log_limits(self._y_limits, low, high)
        x_limit = 25 * int(np.ceil(max(length, 2) / 25)) + 0.5
        self.ax.set_ylim(y_limits)
        self.ax.set_xlim(0.5, x_limit)
        self.message(*self._summary(length))
        self.show((y_limits, x_limit))

    def _summary(self, length):
        """The status line: how much of the last step's gradient is left at step 1, for each model."""
        if length == 1:
            return "T = 1: the loss sits at the only step, so no gradient has to travel back through time.", "warning"
        parts, level = [], "info"
        for name, norms in (("RNN", self.rnn_norms), ("LSTM", self.lstm_norms)):
            if not np.all(np.isfinite(norms)):
                parts.append(f"{name}: the gradient overflowed (inf) — it exploded")
                level = "warning"
                continue
            if norms[-1] == 0:
                parts.append(f"{name}: no gradient even at step T (all units saturated)")
                continue
            ratio = norms[0] / norms[-1]
            verdict = "vanished" if ratio < 1e-3 else "exploded" if ratio > 1e3 else "survived"
            parts.append(f"{name}: ‖dL/dh_1‖ / ‖dL/dh_T‖ = {ratio:.1e} ({verdict})")
        return f"after {length - 1} steps back — " + " · ".join(parts), level


def gradient_flow_explorer(length: int = 50, **options) -> GradientFlowExplorer:
    """The gradient-through-time app (options: forget_bias, recurrent_scale, hidden_size, max_length, seed)."""
    return GradientFlowExplorer(length, **options)
