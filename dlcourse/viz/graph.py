"""The computation graph of a scalar `Value` expression, and a walk through its backward pass.

    from dlcourse.scalar import Value
    from dlcourse.viz.graph import graph_explorer
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = (a * b + a) * 4.0
    graph_explorer(L)             # step / play through backward(): one node at a time, grads filled in

Every node is a box with its value (from the forward pass) and its gradient dL/d(node) ("?" until
the backward pass reaches it); every edge carries the local derivative d(parent)/d(child). Inputs
are on the left, the output on the right: the columns are a node's depth (the longest path from an
input), so every edge points rightwards. Drawn with matplotlib only (no graphviz). The Values
themselves are never changed: the app replays `Value.backward()` on its own copy of the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.path import Path

from dlcourse.scalar import Value
from dlcourse.viz.app import App
from dlcourse.viz.style import COLORS, course_style, new_figure

MAX_NODES = 60  # beyond this the boxes no longer fit on a screen
_FILL = {"input": "#D6ECFA", "op": "white", "output": "#FBE3C0"}
_CURRENT, _DONE = "#F0E442", "#E3F4EC"  # yellow: the node being processed; pale green: finished


@dataclass
class GraphLayout:
    """Nodes in topological order (inputs first), where to draw them, and the edges child → parent."""

    nodes: list  # [Value], topological order: every node after the nodes it was computed from
    positions: np.ndarray  # (n_nodes, 2): x = column (depth), y = row
    edges: list  # [(child index, parent index, local derivative d parent / d child)]
    parents: list  # parents[i] = indices of the nodes computed from node i


def node_name(node: Value, index: int) -> str:
    """What a node is called in boxes and messages: its label, else its operation and index."""
    return node.label or (f"{node.op} #{index}" if node.op else f"const #{index}")


def graph_layout(root: Value, max_nodes: int = MAX_NODES) -> GraphLayout:
    """Lay out the graph of `root` in columns by depth; order each column to keep edges short."""
    if not isinstance(root, Value):
        raise TypeError(f"graph_layout needs a dlcourse.scalar.Value, got {type(root).__name__}")
    nodes = root.topological_order()
    if len(nodes) > max_nodes:
        raise ValueError(
            f"this graph has {len(nodes)} nodes, too many to draw legibly (at most {max_nodes}); "
            "draw a smaller expression, e.g. one neuron instead of a whole network"
        )
    index = {id(node): i for i, node in enumerate(nodes)}
    edges = [
        (index[id(c)], i, float(g)) for i, node in enumerate(nodes) for c, g in zip(node.children, node.local_grads)
    ]
    parents = [[] for _ in nodes]
    for child, parent, _ in edges:
        parents[child].append(parent)

    depth = np.zeros(len(nodes), dtype=int)
    for i, node in enumerate(nodes):  # topological order: the children's depths are already known
        if node.children:
            depth[i] = 1 + max(depth[index[id(c)]] for c in node.children)
    for i in reversed(range(len(nodes))):  # an input sits just left of the first node that uses it
        if not nodes[i].children and parents[i]:
            depth[i] = min(depth[p] for p in parents[i]) - 1
    depth -= depth.min()

    columns = [list(np.flatnonzero(depth == d)) for d in range(depth.max() + 1)]
    y = np.zeros(len(nodes))

    def place(column, neighbours_of):  # barycentre heuristic: sit near the nodes you connect to
        keys = [np.mean([y[j] for j in neighbours_of(i)]) if neighbours_of(i) else y[i] for i in column]
        column[:] = [column[k] for k in np.argsort(-np.asarray(keys), kind="stable")]  # high y first
        for row, i in enumerate(column):
            y[i] = (len(column) - 1) / 2 - row

    children_of = [[index[id(c)] for c in node.children] for node in nodes]
    for column in columns:
        place(column, lambda i: [])  # first guess: topological order
    for neighbours, sweep in ((children_of, columns), (parents, columns[::-1]), (children_of, columns)):
        for column in sweep:
            place(column, lambda i, nb=neighbours: nb[i])
    positions = np.stack([depth.astype(float), y], axis=1)  # (n_nodes, 2)
    return GraphLayout(nodes=nodes, positions=positions, edges=edges, parents=parents)


@dataclass
class BackwardTrace:
    """`Value.backward()` replayed one node at a time: what every gradient is after each step."""

    order: list  # node indices processed at steps 1, 2, …: reversed topological order, inputs skipped
    grads: np.ndarray  # (n_steps + 1, n_nodes): accumulated dL/d(node) after each step (row 0: the seed)
    reached: np.ndarray  # (n_steps + 1, n_nodes) bool: the node has received some gradient
    final: np.ndarray  # (n_steps + 1, n_nodes) bool: all of the node's parents are done, its grad is complete


def backward_trace(layout: GraphLayout) -> BackwardTrace:
    """Run the backward pass on copies of the numbers: child.grad += local · node.grad, node by node."""
    n = len(layout.nodes)
    root = n - 1  # the last node in topological order is the output
    grad, reached, done = np.zeros(n), np.zeros(n, bool), np.zeros(n, bool)
    grad[root], reached[root] = 1.0, True  # the seed: dL/dL = 1
    order = [i for i in reversed(range(n)) if layout.nodes[i].children]
    rows = []

    def snapshot():
        final = np.array([all(done[p] for p in layout.parents[i]) for i in range(n)])
        rows.append((grad.copy(), reached.copy(), final))

    snapshot()
    for i in order:
        for child, parent, local in layout.edges:
            if parent == i:
                grad[child] += local * grad[i]  # the chain rule; += sums over every path
                reached[child] = True
        done[i] = True
        snapshot()
    grads, reached_rows, final_rows = (np.array(r) for r in zip(*rows))
    return BackwardTrace(order=order, grads=grads, reached=reached_rows, final=final_rows)


class GraphExplorer(App):
    """The graph of a scalar expression; step through its backward pass and watch the grads fill in."""

    def __init__(self, root: Value, show_local=True, interval_ms: int = 900):
        super().__init__(title="Backpropagation, one node at a time")
        self.graph = graph_layout(root)
        self.trace = backward_trace(self.graph)
        self.names = [node_name(node, i) for i, node in enumerate(self.graph.nodes)]
        self._build_figure()
        n_steps = len(self.trace.order)
        step = widgets.IntSlider(value=0, min=0, max=max(n_steps, 1), description="step", disabled=n_steps == 0)
        self.add_control("step", step, lambda change: self.show_step(change["new"]))
        self.add_player("play", step, interval_ms=interval_ms)
        self.add_button("back", "back", lambda: self._move(-1), icon="step-backward")
        self.add_button("next", "next node", lambda: self._move(+1), icon="step-forward")
        self.add_button("reset", "reset", lambda: self._move(-len(self.trace.grads)), icon="undo")
        check = widgets.Checkbox(value=show_local, description="local derivatives on edges", indent=False)
        self.add_control("show_local", check, lambda change: self.show_step(self.step))
        self.show_step(0)

    # ------------------------------------------------------------------ figure
    def _build_figure(self):
        pos = self.graph.positions
        columns, rows = int(pos[:, 0].max()) + 1, int(max(np.unique(pos[:, 0], return_counts=True)[1]))
        size = (min(max(1.9 * columns, 6.0), 13.0), min(max(0.95 * rows + 0.8, 3.0), 8.0))
        self.figure, self.ax = new_figure(figsize=size)
        ax = self.ax
        with course_style():
            segments = [pos[[child, parent]] for child, parent, _ in self.graph.edges]
            ax.add_collection(LineCollection(segments, colors="0.6", linewidths=1.2, zorder=1))
            self.highlight = LineCollection([], colors=COLORS["vermillion"], linewidths=3.0, zorder=2)
            ax.add_collection(self.highlight)
            self.edge_texts = []
            seen = {}
            for child, parent, local in self.graph.edges:
                repeat = seen[(child, parent)] = seen.get((child, parent), -1) + 1  # x·x: two edges, one line
                x, y = 0.45 * pos[child] + 0.55 * pos[parent] + [0.0, 0.16 - 0.3 * repeat]
                self.edge_texts.append(ax.text(x, y, f"∂ {local:.3g}", fontsize=7, ha="center", va="center",
                                               color=COLORS["blue"], zorder=3))  # fmt: skip
            box = dict(boxstyle="round,pad=0.35", fc="white", ec="0.4", lw=1.0)
            text_style = dict(ha="center", va="center", fontsize=8, family="monospace", zorder=4)
            self.node_texts = [ax.text(x, y, "", bbox=dict(box), **text_style) for x, y in pos]
            ax.set_xlim(-0.6, columns - 0.4)
            ax.set_ylim(pos[:, 1].min() - 0.7, pos[:, 1].max() + 0.7)
            ax.set_axis_off()
            ax.set_title("inputs on the left, output on the right · blue: local derivative d(parent)/d(child)",
                         fontsize=9)  # fmt: skip
            self.figure.tight_layout()
        self.set_animated([self.highlight, *self.node_texts])  # a step redraws the boxes and the highlight only

    # ------------------------------------------------------------------ fast frames
    _windows: dict = {}  # a box's look (node, text, colours) → its window on the canvas
    _boxes: dict = {}  # (look, highlighted edges through its window) → the window's picture

    def _on_full_draw(self, event):
        self._windows, self._boxes = {}, {}  # a new background: the pictures of the boxes on it are void
        self._overlapping = False
        super()._on_full_draw(event)

    def _paint_frame(self) -> bool:
        """Blit, pasting the picture of each box that looks as it did before instead of drawing its text.

        A step changes a few boxes; drawing the text of all of them costs ~35 ms a frame. A box's picture
        (its window and what shows around it) is kept per look — text, colours and the highlighted edges
        that cross it — and pasted back when that look returns: pixel for pixel what drawing gives, as
        long as no two windows overlap (else every box is drawn).
        """
        if self._background is None:
            return False
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        self.figure.draw_artist(self.highlight)
        renderer = canvas.get_renderer()
        edges = [Path(self.ax.transData.transform(segment)) for segment in self.highlight.get_segments()]
        windows, boxes = self._windows, self._boxes
        for i, text in enumerate(self.node_texts):
            patch = text.get_bbox_patch()
            look = (i, text.get_text(), patch.get_facecolor(), patch.get_edgecolor(), patch.get_linewidth())
            window = windows.get(look)
            kept = boxes.get((look, self._crossing(edges, window))) if window is not None else None
            if kept is not None and not self._overlapping:
                canvas.restore_region(kept)
                continue
            self.figure.draw_artist(text)
            window = windows[look] = patch.get_window_extent(renderer).padded(6)  # edge line, antialiasing
            others = [w for (j, *_), w in windows.items() if j != i]
            self._overlapping = self._overlapping or any(window.overlaps(w) for w in others)
            if len(boxes) >= 400:  # ~40 kB each: a large graph stepped through for long keeps the newest only
                boxes.clear()
            boxes[look, self._crossing(edges, window)] = canvas.copy_from_bbox(window)
        return True

    _overlapping = False  # two boxes' windows overlap: pasting one could cover the other

    @staticmethod
    def _crossing(edges, window) -> tuple:
        """The highlighted edges that pass through `window` (within their own width), as coordinates."""
        near = window.padded(4)
        return tuple(tuple(np.round(e.vertices, 1).ravel()) for e in edges if e.intersects_bbox(near, filled=False))

    # ------------------------------------------------------------------ stepping
    @property
    def step(self) -> int:
        return min(self.controls["step"].value, len(self.trace.order))

    @property
    def current(self):
        """Index of the node processed at the current step (None at step 0)."""
        return self.trace.order[self.step - 1] if self.step > 0 else None

    def _move(self, delta: int):
        slider = self.controls["step"]
        slider.value = int(np.clip(slider.value + delta, 0, slider.max))

    def grad_text(self, i: int, step: int | None = None) -> str:
        """How node i's gradient is shown after `step`: '?' before it is reached, else the number."""
        step = self.step if step is None else step
        return f"{self.trace.grads[step, i]:.4g}" if self.trace.reached[step, i] else "?"

    def show_step(self, k: int):
        """Draw the graph after k backward steps: grads so far, the current node and its edges."""
        k = min(int(k), len(self.trace.order))
        current = self.trace.order[k - 1] if k > 0 else None
        grads, pos = self.trace.grads, self.graph.positions
        n = len(self.graph.nodes)
        for i, (node, text) in enumerate(zip(self.graph.nodes, self.node_texts)):
            kind = "output" if i == n - 1 else ("op" if node.children else "input")
            title = self.names[i] if not node.label or not node.op else f"{node.label} ({node.op})"
            text.set_text(f"{title}\ndata {node.data:.4g}\ngrad {self.grad_text(i, k)}")
            finished = k > 0 and i in self.trace.order[:k]
            fill = _CURRENT if i == current else (_DONE if finished else _FILL[kind])
            edge = COLORS["vermillion"] if i == current else ("0.15" if self.trace.final[k, i] else "0.6")
            text.get_bbox_patch().set(facecolor=fill, edgecolor=edge, linewidth=2.4 if i == current else 1.0)
        shown = self.controls["show_local"].value
        for text in self.edge_texts:
            text.set_visible(shown)
        if current is None:
            self.highlight.set_segments([])
            root = self.names[n - 1]
            text = (f"forward pass done: every box shows its value. The backward pass starts at the output: "
                    f"d{root}/d{root} = 1. Press 'next node'.")  # fmt: skip
            if not self.trace.order:
                text = "a single number, no operations: nothing to backpropagate through"
        else:
            edges = [(c, local) for c, p, local in self.graph.edges if p == current]
            self.highlight.set_segments([pos[[c, current]] for c, _ in edges])
            g = grads[k, current]
            pushes = "; ".join(f"{self.names[c]}.grad += {a:.3g} × {g:.3g} = {a * g:+.3g}" for c, a in edges)
            text = f"step {k}/{len(self.trace.order)}: at {self.names[current]} (grad {g:.4g}, complete) → {pushes}"
            if k == len(self.trace.order):
                text += " · done: every grad is final"
        self.message(text)
        self.show(shown)  # the edge labels (shown or not) are the only non-animated change


def graph_explorer(root: Value, **options) -> GraphExplorer:
    """The backward-pass app for the graph of `root` (options: show_local, interval_ms)."""
    return GraphExplorer(root, **options)
