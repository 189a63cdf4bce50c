"""Three apps for chapter 07: a regression curve fitted live, k-means step by step, and a dendrogram.

    from dlcourse.viz.fitting import regression_fit, kmeans_explorer, dendrogram_explorer
    regression_fit()          # polynomial degree vs an MLP's hidden units / learning rate, training as you watch
    kmeans_explorer(X)        # play / step through assignment and update steps, centres moving
    dendrogram_explorer(X)    # the merge tree; cut it into n clusters and see them in the plane

The maths lives in plain functions (`polynomial_fit`, `make_regressor`, `train_steps`, `kmeans_frames`)
and in `dlcourse.cluster`; the apps only draw it.
"""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection

from dlcourse import data, nn, optim
from dlcourse.cluster import LINKAGES, agglomerative, cut_tree, dendrogram, kmeans
from dlcourse.nn import functional as F
from dlcourse.tensor import tensor
from dlcourse.viz.app import App
from dlcourse.viz.limits import steady_log_limits
from dlcourse.viz.style import CLASS_COLORS, COLORS, course_style, new_figure

CLUSTER_COLORS = [*CLASS_COLORS, COLORS["vermillion"], "#555555"]  # up to 8 clusters
_STYLE = {"description_width": "95px"}
_WIDE = widgets.Layout(width="300px")


# ---------------------------------------------------------------------------------------------- regression
def polynomial_fit(x, y, degree: int):
    """Least squares: the polynomial p of `degree` minimising Σᵢ (p(xᵢ) − yᵢ)², as a callable p(x)."""
    x, y = np.ravel(np.asarray(x, np.float64)), np.ravel(np.asarray(y, np.float64))
    with warnings.catch_warnings():  # degree ≥ number of points: many exact fits, lstsq picks one
        warnings.simplefilter("ignore", np.exceptions.RankWarning)
        return np.polynomial.Polynomial.fit(x, y, int(degree))  # x rescaled to [-1, 1]: well conditioned


def make_regressor(hidden: int, seed: int = 0) -> nn.Sequential:
    """ŷ = W₂ tanh(W₁x + b₁) + b₂: one input, `hidden` tanh units, one output (float64)."""
    return nn.Sequential(nn.Linear(1, hidden, dtype=np.float64, seed=seed), nn.Tanh(),
                         nn.Linear(hidden, 1, dtype=np.float64, seed=seed + 1))  # fmt: skip


def train_steps(model, optimizer, X, y, steps: int) -> list[float]:
    """`steps` full-batch steps on the MSE (zero_grad, forward, loss, backward, step); the loss of each.

    Stops early when the loss is no longer a finite number (the model diverged)."""
    X, y, losses = tensor(X), tensor(y), []
    with np.errstate(all="ignore"):  # a diverging run overflows; the caller reports it, not NumPy
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if not np.isfinite(losses[-1]):
                break
    return losses


class RegressionFit(App):
    """Noisy samples of a function, a least-squares polynomial and an MLP trained by gradient descent."""

    def __init__(self, X=None, y=None, truth=np.sin, degree=3, hidden=16, lr=0.02, optimizer="adam",
                 steps_per_frame=20, frames=100, seed=0):  # fmt: skip
        super().__init__(title="Regression: fit a curve to noisy samples")
        if X is None:
            X, y = data.sine(n=40, noise=0.15, seed=seed)
        self.X, self.y = np.asarray(X, np.float64).reshape(-1, 1), np.asarray(y, np.float64).reshape(-1, 1)
        self.truth, self.seed, self.steps_per_frame = truth, seed, int(steps_per_frame)
        lo, hi = float(self.X.min()), float(self.X.max())
        self.grid = np.linspace(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 300)[:, None]  # (300, 1)
        self.figure, (self.ax, self.ax_loss) = new_figure(1, 2, figsize=(10.5, 4.0))
        with course_style():
            self.ax.plot(self.X, self.y, "o", color="0.35", ms=4, label="training samples")
            if truth is not None:
                self.ax.plot(self.grid, truth(self.grid), "--", color="0.6", lw=1.2, label="true function")
            (self.poly_line,) = self.ax.plot([], [], color=COLORS["orange"], label="polynomial (least squares)")
            (self.mlp_line,) = self.ax.plot([], [], color=COLORS["blue"], label="MLP (gradient descent)")
            spread = float(self.y.max() - self.y.min())
            self.ax.set(xlabel="x", ylabel="y", ylim=(self.y.min() - 0.3 * spread, self.y.max() + 0.3 * spread))
            self.ax.legend(loc="upper left", fontsize=7)
            (self.loss_line,) = self.ax_loss.plot([], [], color=COLORS["blue"], label="MLP training MSE")
            self.poly_level = self.ax_loss.axhline(np.nan, color=COLORS["orange"], ls="--", label="polynomial MSE")
            self.ax_loss.set(xlabel="training step", ylabel="MSE (log scale)", yscale="log", ylim=(1e-3, 10.0),
                            title="training loss")  # fmt: skip
            self.ax_loss.legend(loc="upper right", fontsize=7)
            self.figure.tight_layout()
        # a training frame moves these only (blitting); the loss axes grow in jumps (see _draw_model)
        self.set_animated([self.poly_line, self.mlp_line, self.loss_line, self.poly_level])
        self._loss_limits = None
        add = self.add_control
        add("degree", widgets.IntSlider(value=degree, min=0, max=15, description="poly degree", style=_STYLE,
                                        layout=_WIDE), self.update_polynomial)  # fmt: skip
        add("hidden", widgets.IntSlider(value=hidden, min=1, max=64, description="hidden units", style=_STYLE,
                                        layout=_WIDE), self.restart)  # fmt: skip
        add("lr", widgets.FloatLogSlider(value=lr, min=-4, max=1, description="learning rate", style=_STYLE,
                                         layout=_WIDE, readout_format=".1e"), self.restart)  # fmt: skip
        choices = [("Adam", "adam"), ("SGD + momentum 0.9", "sgd")]
        add("optimizer", widgets.Dropdown(options=choices, value=optimizer, description="optimizer", style=_STYLE,
                                          layout=_WIDE), self.restart)  # fmt: skip
        frame = widgets.IntSlider(value=0, min=0, max=int(frames), description="frame", style=_STYLE, layout=_WIDE)
        add("frame", frame, lambda change: self.train_to(change["new"]))
        self.add_player("train", frame, interval_ms=40)
        self.add_button("reset", "reset training", lambda: self.restart(), icon="undo")
        self.update_polynomial()
        self.restart()

    def update_polynomial(self, change=None):
        """Refit the least-squares polynomial of the chosen degree and redraw it (instant: one linear solve)."""
        degree = self.controls["degree"].value
        self.poly = polynomial_fit(self.X, self.y, degree)
        self.poly_mse = float(np.mean((self.poly(self.X) - self.y) ** 2))
        self.poly_line.set_data(self.grid.ravel(), self.poly(self.grid.ravel()))
        self.poly_line.set_label(f"polynomial, degree {degree}")
        self.poly_level.set_ydata([self.poly_mse] * 2)
        self.ax.legend(loc="upper left", fontsize=7)
        self._report()

    def restart(self, change=None):
        """A fresh MLP and optimizer from the current controls; training starts again at step 0."""
        c = self.controls
        self.model = make_regressor(c["hidden"].value, seed=self.seed)
        params, lr = self.model.parameters(), c["lr"].value
        self.optimizer = optim.Adam(params, lr=lr) if c["optimizer"].value == "adam" else optim.SGD(params, lr, 0.9)
        self.losses, self.frames_done, self.diverged_at = [], 0, None
        with self.hold_updates():
            c["frame"].value = 0
        self._draw_model()

    def train_to(self, frame: int):
        """Train until `frame` · steps_per_frame steps are done (going back means training again from 0)."""
        if frame < self.frames_done:
            with self.hold_updates():
                self.restart()
                self.controls["frame"].value = frame
        while self.frames_done < frame and self.diverged_at is None:
            self.losses += train_steps(self.model, self.optimizer, self.X, self.y, self.steps_per_frame)
            self.frames_done += 1
            limit = 1e3 * max(self.losses[0], 1e-3)  # a thousand times worse than at the start: exploded
            exploded = [i for i, v in enumerate(self.losses) if not np.isfinite(v) or v > limit]
            if exploded:
                self.diverged_at = exploded[0] + 1
        self._draw_model()

    @property
    def mlp_mse(self) -> float:
        """The MLP's training MSE after the latest step (NaN before training)."""
        return self.losses[-1] if self.losses else float("nan")

    def _draw_model(self):
        with np.errstate(all="ignore"):
            curve = np.asarray(self.model(tensor(self.grid)).data).ravel()
        self.mlp_line.set_data(self.grid.ravel(), curve if self.diverged_at is None else np.full_like(curve, np.nan))
        steps = np.arange(1, len(self.losses) + 1)
        shown = np.where(np.isfinite(self.losses), self.losses, np.nan) if self.losses else []
        self.loss_line.set_data(steps, shown)
        # limits that rarely move, so that most frames only blit (a full redraw is ~100 ms): the steps of
        # the whole run the frame slider spans, the loss in whole decades with two spare below
        run = self.controls["frame"].max * self.steps_per_frame if "frame" in self.controls else 0
        x_limit = max(run, 2 ** int(np.ceil(np.log2(max(len(self.losses), self.steps_per_frame, 1)))))
        finite = [v for v in [*self.losses, self.poly_mse] if np.isfinite(v) and v > 0]
        old = None if self._loss_limits is None else self._loss_limits[1:]
        y_limits = steady_log_limits(old, min(finite), max(finite), margin=2) if finite else self.ax_loss.get_ylim()
        self._loss_limits = (x_limit, *y_limits)
        self.ax_loss.set_xlim(0, x_limit)
        self.ax_loss.set_ylim(y_limits)
        self._report()

    def _report(self):
        if not hasattr(self, "losses"):
            return
        c = self.controls
        text = f"polynomial degree {c['degree'].value}: training MSE {self.poly_mse:.4f}"
        if c["degree"].value == 0:
            text += " (degree 0 is a constant: the mean of y)"
        text += f" · MLP with {c['hidden'].value} tanh units after {len(self.losses)} steps: "
        level = "info"
        if self.diverged_at is not None:
            text += f"diverged at step {self.diverged_at} (the loss exploded) — lower the learning rate"
            level = "error"
        elif self.losses:
            text += f"training MSE {self.mlp_mse:.4f}"
        else:
            text += "untrained — press ▶ to train"
        self.message(text, level)
        self.show((self.controls["degree"].value, self._loss_limits))  # the legend names the degree


def regression_fit(**options) -> RegressionFit:
    """The regression app (options: X, y, truth, degree, hidden, lr, optimizer, steps_per_frame, frames, seed)."""
    return RegressionFit(**options)


# ---------------------------------------------------------------------------------------------- k-means
def kmeans_frames(result) -> list[tuple]:
    """What the animation shows: [(phase, centres (k, d), labels (n,) or None)], phases start/assign/update.

    An iteration is two frames: "update" moves each centre to the mean of its points (colours unchanged),
    then "assign" recolours every point by its nearest centre."""
    frames = [("start", result.history[0][0], None), ("assign", *result.history[0])]
    for t in range(1, len(result.history)):
        frames.append(("update", result.history[t][0], result.history[t - 1][1]))
        frames.append(("assign", *result.history[t]))
    return frames


def inertia(X, centers, labels) -> float:
    """J = Σᵢ ‖xᵢ − c_label(i)‖²: how far the points are from their centres."""
    return float(((np.asarray(X, np.float64) - centers[labels]) ** 2).sum())


_PHASE_TEXT = {
    "start": "start: {k} centres placed ({init}); no point belongs to any yet",
    "assign": "assignment step: every point takes the colour of its nearest centre",
    "update": "update step: every centre moves to the mean of its points",
}


class KMeansExplorer(App):
    """k-means on 2-D points, one half-step at a time: assign (recolour) and update (move centres)."""

    def __init__(self, X=None, k=4, seed=0, init="random", max_iter=50):
        super().__init__(title="k-means, step by step")
        self.X = np.asarray(data.blobs(n=300, centers=4, std=1.0, seed=1)[0] if X is None else X, np.float64)
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise ValueError(f"kmeans_explorer draws 2-D points: X must have shape (n, 2), got {self.X.shape}")
        self.max_iter = max_iter
        self.figure, (self.ax, self.ax_j) = new_figure(1, 2, figsize=(10.0, 4.2))
        with course_style():
            self.points = self.ax.scatter(self.X[:, 0], self.X[:, 1], s=14, color="0.75", edgecolor="none")
            self.trails = LineCollection([], colors="0.2", linewidths=1.0, linestyles=":", zorder=3)
            self.ax.add_collection(self.trails)
            self.centers = self.ax.scatter([], [], s=220, marker="X", edgecolor="black", linewidth=1.5, zorder=4)
            self.ax.set(xlabel="x1", ylabel="x2", title="points and centres (dotted: the centres' paths)")
            (self.j_line,) = self.ax_j.plot([], [], "o-", color=COLORS["blue"], ms=3)
            (self.j_point,) = self.ax_j.plot([], [], "o", color=COLORS["vermillion"], ms=9)
            self.ax_j.set(xlabel="step (assign / update)", ylabel="inertia J", title="J never goes up")
            self.figure.tight_layout()
        # a step recolours and moves these only (blitting); a new run (k, seed, init) redraws everything
        self.set_animated([self.points, self.trails, self.centers, self.j_line, self.j_point])
        add = self.add_control
        add("k", widgets.IntSlider(value=k, min=1, max=len(CLUSTER_COLORS), description="k (clusters)",
                                   style=_STYLE, layout=_WIDE), self.rerun)  # fmt: skip
        add("seed", widgets.IntSlider(value=seed, min=0, max=20, description="start (seed)", style=_STYLE,
                                      layout=_WIDE), self.rerun)  # fmt: skip
        add("init", widgets.Dropdown(options=["random", "k-means++"], value=init, description="init", style=_STYLE,
                                     layout=_WIDE), self.rerun)  # fmt: skip
        step = widgets.IntSlider(value=0, min=0, max=1, description="step", style=_STYLE, layout=_WIDE)
        add("step", step, lambda change: self.show_frame(change["new"]))
        self.add_player("play", step, interval_ms=500)
        self.add_button("next", "next step", lambda: self._move(1), icon="step-forward")
        self.add_button("back", "back", lambda: self._move(-1), icon="step-backward")
        self.rerun()

    def rerun(self, change=None):
        """Run k-means from scratch with the current k, seed and init; show its first frame."""
        c = self.controls
        self.result = kmeans(self.X, c["k"].value, seed=c["seed"].value, init=c["init"].value, max_iter=self.max_iter)
        self.frames = kmeans_frames(self.result)
        self.j_values = [np.nan] + [inertia(self.X, ctr, lab) for _, ctr, lab in self.frames[1:]]
        self.ax_j.set_xlim(-0.5, len(self.frames) - 0.5)
        finite = self.j_values[1:]
        self.ax_j.set_ylim(0, max(finite) * 1.08 if max(finite) > 0 else 1.0)
        with self.hold_updates():
            c["step"].max = len(self.frames) - 1
            c["step"].value = 0
        self.show_frame(0)

    def _move(self, delta):
        step = self.controls["step"]
        step.value = int(np.clip(step.value + delta, 0, step.max))

    def show_frame(self, f: int):
        """Draw animation frame f: point colours, centres and their paths so far, inertia up to f."""
        f = min(int(f), len(self.frames) - 1)
        phase, centers, labels = self.frames[f]
        colors = np.array(CLUSTER_COLORS)
        self.points.set_facecolor("0.75" if labels is None else colors[labels])
        self.centers.set_offsets(centers)
        self.centers.set_facecolor(colors[: len(centers)])
        path = np.array([ctr for _, ctr, _ in self.frames[: f + 1]])  # (frames so far, k, 2)
        self.trails.set_segments([path[:, j] for j in range(len(centers))])
        self.j_line.set_data(np.arange(f + 1), self.j_values[: f + 1])
        self.j_point.set_data([f], [self.j_values[f]])
        c = self.controls
        text = f"step {f}/{len(self.frames) - 1} · " + _PHASE_TEXT[phase].format(k=c["k"].value, init=c["init"].value)
        if labels is not None:
            text += f" · J = {self.j_values[f]:.1f}"
        if f == len(self.frames) - 1:
            text += f" · converged after {self.result.n_iter} iterations: the colours no longer change"
        self.message(text)
        self.show((c["k"].value, c["seed"].value, c["init"].value))  # the J axes change with a new run only


def kmeans_explorer(X=None, **options) -> KMeansExplorer:
    """The k-means app on 2-D points X (default: four blobs); options: k, seed, init, max_iter."""
    return KMeansExplorer(X, **options)


# ---------------------------------------------------------------------------------------------- dendrogram
def cut_height(Z, n_clusters: int) -> float:
    """A height where cutting the tree leaves `n_clusters` clusters: between the last kept and first undone merge."""
    heights = np.asarray(Z)[:, 2]
    n = len(heights) + 1
    above = heights[n - n_clusters] if n_clusters > 1 else heights[-1] * 1.1
    below = heights[n - n_clusters - 1] if n_clusters < n else 0.0
    return float((above + below) / 2)


class DendrogramExplorer(App):
    """Agglomerative clustering: the merge tree (right) cut into n clusters, shown in the plane (left)."""

    def __init__(self, X=None, linkage="ward", n_clusters=3):
        super().__init__(title="Hierarchical clustering: cut the tree")
        self.X = np.asarray(data.blobs(n=36, centers=3, std=0.9, seed=2)[0] if X is None else X, np.float64)
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise ValueError(f"dendrogram_explorer draws 2-D points: X must have shape (n, 2), got {self.X.shape}")
        self.figure, (self.ax, self.ax_tree) = new_figure(1, 2, figsize=(10.5, 4.2))
        with course_style():
            self.points = self.ax.scatter(self.X[:, 0], self.X[:, 1], s=30, edgecolor="white", zorder=3)
            for i, (x, y) in enumerate(self.X if len(self.X) <= 60 else []):
                self.ax.annotate(str(i), (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points", color="0.4")
            self.ax.set(xlabel="x1", ylabel="x2", title="the flat clusters below the cut")
            self.figure.tight_layout()
        self._tree_version = 0  # bumped when the tree is rebuilt: the background changes
        add = self.add_control
        add("linkage", widgets.Dropdown(options=list(LINKAGES), value=linkage, description="linkage", style=_STYLE,
                                        layout=_WIDE), self.rebuild)  # fmt: skip
        most = min(len(CLUSTER_COLORS), len(self.X))
        add("n_clusters", widgets.IntSlider(value=n_clusters, min=1, max=most, description="clusters", style=_STYLE,
                                            layout=_WIDE), self.update)  # fmt: skip
        self.rebuild()

    def rebuild(self, change=None):
        """Build the tree with the chosen linkage and draw its dendrogram."""
        self.Z = agglomerative(self.X, linkage=self.controls["linkage"].value).Z
        self.ax_tree.clear()
        with course_style():
            drawn = dendrogram(self.Z, ax=self.ax_tree, color="0.5")
            self.tree_lines = self.ax_tree.collections[-1]
            self.leaves = drawn["leaves"]
            self.cut_line = self.ax_tree.axhline(0.0, color=COLORS["vermillion"], ls="--", lw=1.2)
            self.ax_tree.set_title(f"dendrogram ({self.controls['linkage'].value} linkage)")
        # a cut recolours the points and branches and moves the line only (blitting)
        self.set_animated([self.points, self.tree_lines, self.cut_line])
        self._tree_version += 1
        self.update()

    def update(self, change=None):
        """Cut the tree into the chosen number of clusters: colour points and branches, move the cut line."""
        k = self.controls["n_clusters"].value
        self.labels = cut_tree(self.Z, k)
        height = cut_height(self.Z, k)
        colors = np.array(CLUSTER_COLORS)
        self.points.set_facecolor(colors[self.labels])
        self.cut_line.set_ydata([height, height])
        n = len(self.X)
        representative = list(range(n)) + [int(self.Z[i, 0]) for i in range(n - 1)]  # one point under each node
        for node in range(n, 2 * n - 1):
            while representative[node] >= n:
                representative[node] = representative[representative[node]]
        link_colors = [colors[self.labels[representative[n + i]]] if self.Z[i, 2] < height else "0.55"
                       for i in range(n - 1)]  # fmt: skip
        self.tree_lines.set_colors(link_colors)
        sizes = np.bincount(self.labels, minlength=k)
        self.message(f"cut at height {height:.2f} → {k} cluster(s) of sizes {sizes.tolist()}: every merge below "
                     f"the dashed line is kept, every merge above it is undone")  # fmt: skip
        self.show(self._tree_version)


def dendrogram_explorer(X=None, **options) -> DendrogramExplorer:
    """The dendrogram app on 2-D points X (default: 36 points in three blobs); options: linkage, n_clusters."""
    return DendrogramExplorer(X, **options)
