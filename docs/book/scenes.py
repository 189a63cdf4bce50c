"""The course's live apps, recorded: one scene per animation in the book (and the README's pictures).

Each scene builds an app with the same factory a chapter calls and drives it through its public
controls (`dlcourse.viz.record`): the animation is what a learner would see pressing ▶ or dragging
a slider. A scene names the app class it shows, so the book puts it where the chapter displays that app.

    python docs/book/scenes.py OUT_DIR [--only 05_landscape ...]     # write OUT_DIR/<name>.webp
    python docs/book/scenes.py docs/img --readme                     # the README's pictures (make animations)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Scene:
    """One animation: `make()` returns (app, driver); the book shows it where the chapter shows `app_class`."""

    name: str  # file stem, starts with the chapter number: "05_landscape"
    app_class: str  # e.g. "LandscapeExplorer": the first output of this app in the chapter gets the animation
    factory: str  # the function a chapter calls to make that app (where no output shows the class name)
    caption: str
    make: Callable[[], tuple[object, Iterable]]
    fps: float = 12.0
    width: int = 720
    readme: str | None = None  # also written to docs/img/<readme>.webp for the README
    lossless: bool = True  # False for heatmaps: lossy WebP is then 3–4× smaller
    near: str | None = None  # a regex: put it after the first code cell matching it instead (same app, shown twice)

    @property
    def chapter(self) -> str:
        return self.name[:2]


# ---------------------------------------------------------------------------------------------- 00–04
def neuron():
    from dlcourse.viz import neuron_playground
    from dlcourse.viz.record import chain, sweep

    app = neuron_playground(w1=0.5, w2=0.8, b=-1.0, activation="sigmoid", x1=1.0, x2=0.5)
    turns = np.round(np.concatenate([np.linspace(0.5, -2.0, 11), np.linspace(-2.0, 2.0, 17)]), 2)
    return app, chain(sweep(app, "w1", turns), sweep(app, "b", np.round(np.linspace(-1.0, 2.0, 13), 2)))


def perceptron():
    from dlcourse.viz import perceptron_playground
    from dlcourse.viz.record import play

    app = perceptron_playground("apples_oranges", w1=0.5, w2=0.8, b=-1.0, lr=0.5)
    return app, play(app, "play", step=2)


def monitor():
    from dlcourse import data, nn, optim
    from dlcourse.viz import TrainingMonitor
    from dlcourse.viz.record import play

    X, y = data.xor(n=100, noise=0.15, seed=0)
    Y = y.reshape(-1, 1).astype(np.float32)
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Tanh(), nn.Linear(2, 1, seed=100), nn.Sigmoid())
    app = TrainingMonitor(model, (X, Y), nn.BCELoss(), optim.SGD(model.parameters(), lr=1.0), hidden=model[0:2],
                          epochs=300)  # fmt: skip
    return app, play(app, "play", step=10)


def trained(app, epochs: Iterable[int]) -> Iterator[None]:
    """The network playground played: each frame `epochs[i]` more epochs (its "step" button, `pg.train`)."""
    for count in epochs:
        app.train(epochs=count)
        yield


# a frame every 1, 2, 5, … epochs: the first epochs move most. 182 epochs, 21 frames
PLAYGROUND_EPOCHS = (1,) * 4 + (2,) * 4 + (5,) * 4 + (10,) * 5 + (25,) * 4


def playground_acts(config: dict, *changes: dict, epochs=PLAYGROUND_EPOCHS):
    """A chapter's network playground played from the start, then after each of `changes` (a new run, as
    when a learner sets the controls, `pg.configure`) played again."""
    from dlcourse.viz import playground
    from dlcourse.viz.record import still

    app = playground(**config)

    def acts():
        yield from trained(app, epochs)
        for change in changes:
            yield from still(3)  # a pause on the result
            app.configure(**change)
            yield
            yield from trained(app, epochs)

    return app, acts()


def playground_xor():
    """Chapter 02's playground as the chapter shows it: two hidden units (two lines) fail, three succeed."""
    return playground_acts(dict(dataset="xor", hidden=(2,), lr=0.1, seed=0), dict(hidden=(3,)))


def playground_activations():
    """Chapter 03's playground: tanh closes a curve around the disc, ReLU a polygon, linear only a line."""
    config = dict(dataset="circle", hidden=(4, 2), activation="tanh", lr=0.1, seed=0)
    return playground_acts(config, dict(activation="relu"), dict(activation="linear"))


def playground_overfitting():
    """Chapter 10's playground: 20 noisy training points memorised, then the same with an L1 penalty."""
    config = dict(dataset="gauss", noise=0.3, train_fraction=0.1, hidden=(8, 8), lr=0.1, seed=0)
    return playground_acts(config, dict(regularization="l1", reg_rate=0.01), epochs=PLAYGROUND_EPOCHS + (25,) * 5)


def activations():
    from dlcourse.viz import activation_explorer
    from dlcourse.viz.record import chain, sweep

    app = activation_explorer("sigmoid", x0=-4.0)
    x0 = np.round(np.linspace(-4.0, 4.0, 11), 2)
    return app, chain(sweep(app, "x0", x0), sweep(app, "activation", ["tanh"]), sweep(app, "x0", x0[::-1]),
                      sweep(app, "activation", ["relu"]), sweep(app, "x0", x0))  # fmt: skip


def gradient_depth():
    from dlcourse.viz import gradient_depth_explorer
    from dlcourse.viz.record import sweep

    app = gradient_depth_explorer("sigmoid", depth=1, compare="relu")
    return app, sweep(app, "depth", range(2, 31))


def losses():
    """Chapter 04's loss explorer: the prediction slides past the target, then the classifier's score."""
    from dlcourse.viz import loss_explorer
    from dlcourse.viz.record import chain, sweep

    app = loss_explorer()
    prediction = np.round(np.concatenate([np.linspace(1.5, -3.0, 10), np.linspace(-3.0, 3.0, 13)]), 2)
    return app, chain(sweep(app, "prediction", prediction), sweep(app, "score", np.round(np.linspace(0.5, -4, 10), 2)),
                      sweep(app, "score", np.round(np.linspace(-4, 4, 17), 2)))  # fmt: skip


def outlier():
    from dlcourse.viz import outlier_fit
    from dlcourse.viz.record import sweep

    app = outlier_fit(outlier_x=8.0, outlier_y=0.0)
    heights = np.round(np.concatenate([np.linspace(0.0, 38.0, 14), np.linspace(38.0, -18.0, 20)]), 1)
    return app, sweep(app, "outlier_y", heights)


# ---------------------------------------------------------------------------------------------- 05–08
def landscape():
    from dlcourse.viz import landscape_explorer
    from dlcourse.viz.record import play

    app = landscape_explorer("bowl", condition=20, lr=0.02, adaptive_lr=0.2, steps=100)
    return app, play(app, "play", step=2, start=0)


def backprop():
    from dlcourse.scalar import Value
    from dlcourse.viz import graph_explorer
    from dlcourse.viz.record import play

    # chapter 06's neuron: o = tanh(x1·w1 + x2·w2 + b)
    x1, x2, w1, w2 = Value(2.0, label="x1"), Value(0.0, label="x2"), Value(-3.0, label="w1"), Value(1.0, label="w2")
    bias = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1·w1", "x2·w2"
    weighted = x1w1 + x2w2
    weighted.label = "x·w"
    n = weighted + bias
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    app = graph_explorer(o)
    return app, play(app, "play")


def regression():
    from dlcourse.viz import regression_fit
    from dlcourse.viz.record import play

    app = regression_fit(degree=3, hidden=16, lr=0.02)
    return app, play(app, "train", step=4)


def kmeans():
    from dlcourse.viz import kmeans_explorer
    from dlcourse.viz.record import play

    app = kmeans_explorer(k=4, seed=1, init="random")
    return app, play(app, "play")


def dendrogram():
    """Chapter 07's merge tree cut into 1, 2, … 8 clusters, then the same points under the other linkages."""
    from dlcourse import data
    from dlcourse.viz import dendrogram_explorer
    from dlcourse.viz.record import chain, sweep

    centres = np.array([[-5.0, -3.0], [-1.0, 4.0], [4.0, -4.0], [5.0, 3.0]])  # the chapter's 60 points
    X = data.blobs(n=400, centers=centres, std=1.0, seed=0)[0][:60]
    app = dendrogram_explorer(X, linkage="ward", n_clusters=1)
    return app, chain(sweep(app, "n_clusters", range(2, 9)), sweep(app, "n_clusters", [4]),
                      sweep(app, "linkage", ["single", "complete", "average", "ward"]))  # fmt: skip


def convolution():
    from dlcourse.viz import convolution_explorer
    from dlcourse.viz.record import play

    app = convolution_explorer(index=3, preset="edge x")
    return app, play(app, "play")


# ---------------------------------------------------------------------------------------------- 09–11
def gates():
    """An LSTM trained briefly on the adding problem (chapter 09's task), then sequence after sequence."""
    from dlcourse import data, nn, optim
    from dlcourse.train import fit
    from dlcourse.viz import gate_inspector
    from dlcourse.viz.record import sweep

    X, y = data.adding_problem(n=128, length=30, seed=0)
    lstm, head = nn.LSTM(2, 16, batch_first=True, seed=0), nn.Linear(16, 1, seed=1)

    class Reader(nn.Module):
        def __init__(self):
            super().__init__()
            self.recurrent, self.head = lstm, head

        def forward(self, x):
            out, _ = self.recurrent(x)  # (N, T, 16)
            return self.head(out[:, -1])  # (N, 1): from the last step only

    model = Reader()
    fit(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.02), data.DataLoader(X, y, batch_size=32, seed=0),
        epochs=8, progress=False)  # fmt: skip
    app = gate_inspector(model, X[:10], events=X[:10, :, 1] > 0, index=0)
    return app, sweep(app, "index", range(1, 10))


def gradient_flow():
    from dlcourse.viz import gradient_flow_explorer
    from dlcourse.viz.record import sweep

    app = gradient_flow_explorer(length=2)
    return app, sweep(app, "length", range(5, 101, 5))


def capacity():
    from dlcourse.viz import capacity_explorer
    from dlcourse.viz.record import play

    app = capacity_explorer()
    return app, play(app, "train", step=2)


def width():
    from dlcourse.viz import width_explorer
    from dlcourse.viz.record import play

    app = width_explorer("bumpy", hidden=16)
    return app, play(app, "train", step=2)


def bumps():
    from dlcourse.viz import bump_builder
    from dlcourse.viz.record import sweep

    app = bump_builder("sine", steepness=10.0, n_bumps=1)
    return app, sweep(app, "n_bumps", [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32])


SCENES = [
    Scene(
        "00_neuron",
        "NeuronPlayground",
        "neuron_playground",
        "One neuron: the weight w1, then the bias b, "
        "turned like volume knobs; the output over the input plane follows.",
        neuron,
        fps=8,
        lossless=False,
    ),  # fmt: skip
    Scene(
        "01_perceptron",
        "PerceptronPlayground",
        "perceptron_playground",
        "The perceptron learning rule, one "
        "point at a time: each mistake tilts and shifts the boundary until apples and oranges are apart.",
        perceptron,
        fps=5,
    ),  # fmt: skip
    Scene(
        "02_monitor",
        "TrainingMonitor",
        "TrainingMonitor",
        "An MLP learning noisy XOR: decision boundary, the "
        "hidden layer's view of the data, the loss, weights and gradients, as ▶ trains it.",
        monitor,
        fps=6,
        lossless=False,
        readme="monitor",
    ),  # fmt: skip
    Scene(
        "02_playground",
        "Playground",
        "playground",
        "The network playground on XOR: two hidden units draw two soft lines and cannot separate the four "
        "quadrants; with three (after the pause) the output's picture closes in on them. Each neuron is drawn as "
        "its output over the plane, each connection by sign (colour) and size (width).",
        playground_xor,
        fps=6,
        lossless=False,
    ),
    Scene(
        "03_activations",
        "ActivationExplorer",
        "activation_explorer",
        "Sigmoid, tanh and ReLU with their "
        "derivatives: the slope at the moving point is what backpropagation multiplies by.",
        activations,
        fps=6,
    ),
    Scene(
        "03_depth",
        "GradientDepthExplorer",
        "gradient_depth_explorer",
        "Gradient size per layer as the network gets deeper: sigmoid's fades away layer by layer, ReLU's does not.",
        gradient_depth,
        fps=6,
    ),  # fmt: skip
    Scene(
        "03_playground",
        "Playground",
        "playground",
        "One network, three activations on the circle data: tanh closes a curve around the disc, ReLU a "
        "polygon of straight pieces, and linear (the last run) can only draw one straight line.",
        playground_activations,
        fps=6,
        lossless=False,
    ),
    Scene(
        "04_losses",
        "LossExplorer",
        "loss_explorer",
        "The losses as the prediction slides past the target (MSE, MAE, Huber), then as the classifier's score "
        "for the true class falls and rises (cross-entropy, hinge): each curve and its slope at the dot.",
        losses,
        fps=6,
    ),
    Scene(
        "04_outlier",
        "OutlierFit",
        "outlier_fit",
        "One point dragged up and down: the MSE line chases it, MAE and Huber barely move.",
        outlier,
        fps=7,
    ),  # fmt: skip
    Scene(
        "05_landscape",
        "LandscapeExplorer",
        "landscape_explorer",
        "Six optimizers race from the same start on "
        "an ill-conditioned bowl (κ = 20): SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam, run by "
        "dlcourse's own optimizers.",
        landscape,
        fps=15,
        readme="landscape",
    ),  # fmt: skip
    Scene(
        "06_backprop",
        "GraphExplorer",
        "graph_explorer",
        "The backward pass through o = tanh(x1·w1 + x2·w2 + b), "
        "node by node: each gradient is the one after it times a local derivative.",
        backprop,
        fps=1.5,
        near=r"graph_explorer\(o\)",
    ),
    Scene(
        "07_regression",
        "RegressionFit",
        "regression_fit",
        "An MLP fitted by gradient descent, step by step, next to the least-squares polynomial.",
        regression,
        fps=6,
    ),  # fmt: skip
    Scene(
        "07_kmeans",
        "KMeansExplorer",
        "kmeans_explorer",
        "k-means: assign every point to its nearest centre, move each centre to the mean of its points, repeat.",
        kmeans,
        fps=2,
    ),  # fmt: skip
    Scene(
        "07_dendrogram",
        "DendrogramExplorer",
        "dendrogram_explorer",
        "Hierarchical clustering of 60 points: the merge tree cut into 1 to 8 clusters, then cut at 4 under "
        "single, complete, average and Ward linkage.",
        dendrogram,
        fps=2,
    ),
    Scene(
        "08_convolution",
        "ConvolutionExplorer",
        "convolution_explorer",
        "A 3×3 edge filter sliding over a "
        "handwritten digit: each window's weighted sum becomes one pixel of the feature map.",
        convolution,
        fps=5,
    ),
    Scene(
        "09_gates",
        "GateInspector",
        "gate_inspector",
        "Inside an LSTM trained on the adding problem: its gates "
        "and cell state over time, sequence after sequence (dashed: the two marked numbers).",
        gates,
        fps=1.5,
    ),
    Scene(
        "09_gradient_flow",
        "GradientFlowExplorer",
        "gradient_flow_explorer",
        "How much gradient reaches step t as sequences get longer: the RNN's vanishes, the LSTM's survives.",
        gradient_flow,
        fps=5,
    ),  # fmt: skip
    Scene(
        "10_capacity",
        "CapacityExplorer",
        "capacity_explorer",
        "A big MLP on 20 noisy points: training loss "
        "keeps falling while validation loss turns up — overfitting, as it happens.",
        capacity,
        fps=6,
    ),
    Scene(
        "10_playground",
        "Playground",
        "playground",
        "A 2-8-8-1 network on 20 noisy training points: the test loss parts from the training loss as the "
        "output bends around single points; then the same with an L1 penalty — many connections thin to hairlines "
        "and the two losses stay together.",
        playground_overfitting,
        fps=6,
        lossless=False,
    ),
    Scene(
        "11_width",
        "WidthExplorer",
        "width_explorer",
        "A 16-unit tanh layer learning a bumpy target: each unit's share, and their sum closing in.",
        width,
        fps=6,
        lossless=False,
    ),  # fmt: skip
    Scene(
        "11_bumps",
        "BumpBuilder",
        "bump_builder",
        "Sigmoid pairs make bumps; more, narrower bumps trace the sine ever closer.",
        bumps,
        fps=3,
    ),  # fmt: skip
]


def scenes_for(chapters: Iterable[str] | None = None, names: Iterable[str] | None = None) -> list[Scene]:
    """The scenes of the given chapter numbers ("05") and/or names; all of them when both are None."""
    chapters, names = set(chapters or ()), set(names or ())
    unknown = names - {scene.name for scene in SCENES}
    if unknown:
        raise KeyError(f"no scene named {', '.join(sorted(unknown))}")
    if not chapters and not names:
        return list(SCENES)
    return [scene for scene in SCENES if scene.chapter in chapters or scene.name in names]


def recipe(scene: Scene) -> str:
    """Everything of this file that the scene's recording depends on: its settings, the source of its `make`
    and of the functions and values of this module that `make` uses (the book's cache key: editing one
    scene re-records that scene only; the caption is not in the picture)."""
    import inspect
    import types

    module = sys.modules[__name__]
    parts = [repr((scene.name, scene.fps, scene.width, scene.lossless))]
    seen, todo = set(), [scene.make, record_scene]
    while todo:
        function = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        parts += [inspect.getsource(function), repr((function.__defaults__, function.__kwdefaults__))]
        codes, names = [function.__code__], set()
        while codes:
            code = codes.pop()
            names.update(code.co_names)
            codes += [const for const in code.co_consts if isinstance(const, types.CodeType)]
        for name in sorted(names):
            value = getattr(module, name, None)
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                todo.append(value)
            elif isinstance(value, int | float | str | tuple | list | dict):
                parts.append(f"{name} = {value!r}")
    return "\n".join(parts)


def record_scene(scene: Scene, out_dir: Path, name: str | None = None):
    """Build the scene's app, drive it and write OUT_DIR/<name>.webp (default: the scene's); returns the Recording."""
    import matplotlib

    matplotlib.use("Agg")  # the recording is a picture: no widget frontend, no ipympl
    from dlcourse.viz.record import record

    app, driver = scene.make()
    return record(app, driver, Path(out_dir) / f"{name or scene.name}.webp", fps=scene.fps, width=scene.width,
                  lossless=scene.lossless)  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--only", nargs="*", default=None, help="scene names (default: all)")
    parser.add_argument("--chapters", nargs="*", default=None, help="chapter numbers, e.g. 05 08")
    parser.add_argument("--readme", action="store_true", help="only the README's pictures, named as it links them")
    args = parser.parse_args(argv)
    chosen = scenes_for(args.chapters, args.only)
    if args.readme:
        chosen = [scene for scene in chosen if scene.readme]
    for scene in chosen:
        start = time.perf_counter()
        made = record_scene(scene, args.out_dir, scene.readme if args.readme else None)
        print(f"{made.path}: {made.frames} frames, {made.size[0]}×{made.size[1]}, {made.bytes / 1024:.0f} KiB, "
              f"{made.seconds:.1f} s loop, recorded in {time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
