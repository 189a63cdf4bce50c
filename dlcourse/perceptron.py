"""A single artificial neuron and Rosenblatt's perceptron learning rule, in plain NumPy.

    from dlcourse.perceptron import neuron, perceptron_predict, train_perceptron
    neuron(x=[1.0, 0.5], w=[0.5, 0.8], b=-1.0, activation="sigmoid")   # f(w·x + b)
    run = train_perceptron(X, y, epochs=20)                             # the rule, point by point
    run.converged, run.final_accuracy, run.steps[3]                     # what happened at each step

Chapter 00 uses `neuron` (one weighted sum, one activation); chapter 01 the perceptron: a neuron
with the step activation and a learning rule that nudges w and b after every mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def step(z):
    """Heaviside step: 1 where z ≥ 0, else 0 (the perceptron's yes/no activation)."""
    return np.where(np.asarray(z) >= 0, 1, 0)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)): squashes any number into (0, 1)."""
    z = np.asarray(z, dtype=np.float64)
    # e^(−|z|) never overflows; the two branches are the same formula rearranged
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)): squashes into (−1, 1), centred on 0."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def relu(z):
    """ReLU(z) = max(0, z): passes positive values, silences negative ones."""
    return np.maximum(0.0, np.asarray(z, dtype=np.float64))


def linear(z):
    """Identity f(z) = z: no activation at all."""
    return np.asarray(z, dtype=np.float64)


ACTIVATIONS = {"step": step, "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "linear": linear}


def weighted_sum(x, w, b):
    """z = w·x + b = w₁x₁ + w₂x₂ + … + b; x may be one input (d,) or a batch (n, d)."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.shape[-1:] != w.shape:
        raise ValueError(f"x has {x.shape[-1:]} features per input but w has shape {w.shape}: they must match")
    return x @ w + b


def neuron(x, w, b, activation="sigmoid"):
    """One neuron: output = f(w·x + b) with f one of ACTIVATIONS ("step", "sigmoid", "tanh", "relu", "linear")."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[activation](weighted_sum(x, w, b))


def perceptron_predict(X, w, b):
    """ŷ = step(X·w + b): class 1 on the side the weight vector points to, class 0 on the other."""
    return step(weighted_sum(X, w, b))


def perceptron_update(x, y, w, b, lr=1.0):
    """One step of the rule: w ← w + η(y − ŷ)x,  b ← b + η(y − ŷ); nothing changes when ŷ = y."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    error = y - int(step(x @ w + b))  # +1: said 0, should be 1;  −1: said 1, should be 0;  0: right
    return w + lr * error * x, b + lr * error


def decision_boundary(w, b, extent):
    """The segment of the line w₁x₁ + w₂x₂ + b = 0 inside the box extent = (x_min, x_max, y_min, y_max).

    Returns (xs, ys) with two points each, or two empty arrays when w = 0 (no line at all) or the
    line misses the box.
    """
    (w1, w2), (x0, x1, y0, y1) = np.asarray(w, dtype=np.float64), extent
    tol = 1e-12 * max(1.0, abs(x1 - x0), abs(y1 - y0))
    points = []
    if w2 != 0:  # where the line crosses the left and right edges
        points += [(x, -(w1 * x + b) / w2) for x in (x0, x1)]
    if w1 != 0:  # … and the bottom and top edges
        points += [(-(w2 * y + b) / w1, y) for y in (y0, y1)]
    inside = [(x, y) for x, y in points if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol]
    if len(inside) < 2:
        return np.array([]), np.array([])
    inside = np.array(inside)  # (k, 2); a line through a corner hits two edges at the same point
    start = inside[0]
    end = inside[np.argmax(np.linalg.norm(inside - start, axis=1))]
    if np.allclose(start, end):  # only touches a corner
        return np.array([]), np.array([])
    return np.array([start[0], end[0]]), np.array([start[1], end[1]])


@dataclass
class Step:
    """What the learning rule did with one training point (weights before and after)."""

    epoch: int
    index: int  # which training point (row of X)
    w_before: np.ndarray
    b_before: float
    prediction: int
    target: int
    w_after: np.ndarray
    b_after: float
    accuracy_after: float  # on the whole training set, with the new weights

    @property
    def mistake(self) -> bool:
        return self.prediction != self.target


@dataclass
class PerceptronRun:
    """The whole training run: every step, and the accuracy at the end of every epoch."""

    w_initial: np.ndarray
    b_initial: float
    steps: list[Step] = field(default_factory=list)
    epoch_accuracy: list[float] = field(default_factory=list)
    converged: bool = False  # True once an epoch went by without a single mistake

    @property
    def w(self) -> np.ndarray:
        return self.steps[-1].w_after if self.steps else self.w_initial

    @property
    def b(self) -> float:
        return self.steps[-1].b_after if self.steps else self.b_initial

    @property
    def final_accuracy(self) -> float:
        return self.epoch_accuracy[-1] if self.epoch_accuracy else float("nan")

    @property
    def epochs(self) -> int:
        return len(self.epoch_accuracy)

    def weights_at(self, step: int) -> tuple[np.ndarray, float]:
        """(w, b) after the first `step` updates (step 0: the starting weights)."""
        if step <= 0:
            return self.w_initial, self.b_initial
        last = self.steps[min(step, len(self.steps)) - 1]
        return last.w_after, last.b_after


def train_perceptron(X, y, w=None, b=0.0, lr=1.0, epochs=100, stop_when_converged=True) -> PerceptronRun:
    """Sweep the training points in order, applying `perceptron_update` to each, for up to `epochs` epochs.

    On linearly separable data the rule stops making mistakes after finitely many updates (Novikoff's
    theorem); on anything else, XOR for instance, some point is always misclassified and it never settles.
    """
    X = np.asarray(X, dtype=np.float64)  # (n, d)
    y = np.asarray(y).astype(int)  # (n,) labels 0/1
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"need X of shape (n, d) and y of shape (n,), got {X.shape} and {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"perceptron labels must be 0 or 1, got {sorted(set(y.tolist()))}")
    w = np.zeros(X.shape[1]) if w is None else np.asarray(w, dtype=np.float64).copy()
    run = PerceptronRun(w_initial=w.copy(), b_initial=float(b))
    b = float(b)
    for epoch in range(epochs):
        mistakes = 0
        for i in range(len(X)):
            prediction = int(step(X[i] @ w + b))
            w_new, b_new = perceptron_update(X[i], y[i], w, b, lr)
            accuracy = float(np.mean(perceptron_predict(X, w_new, b_new) == y))
            run.steps.append(Step(epoch, i, w, b, prediction, int(y[i]), w_new, float(b_new), accuracy))
            mistakes += prediction != y[i]
            w, b = w_new, float(b_new)
        run.epoch_accuracy.append(float(np.mean(perceptron_predict(X, w, b) == y)))
        if mistakes == 0:
            run.converged = True
            if stop_when_converged:
                break
    return run
