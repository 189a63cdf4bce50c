"""Run several dlcourse optimizers from the same start on a 2-D surface and record their paths.

Each optimizer moves its own 2-element float64 Tensor [x, y]. The surface is evaluated at all their
points in one autograd graph per step (row i of an (A, 2) tensor only affects loss i), so one
`backward()` gives every optimizer its gradient; then each optimizer takes its own `step()`.

    paths = run_trajectories(get_surface("rosenbrock"), ("sgd", "adam"), start=(-1.5, 2.5), steps=300)
    paths["adam"].path          # (n_points, 2) positions, start included
    paths["sgd"].diverged_at    # None, or the step at which it blew up

Mini-batch noise is imitated by adding σ·N(0, I) to every gradient; all optimizers get the *same*
noise sequence (drawn from `seed`), so differences between their paths come from the methods alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import dlcourse as dl
from dlcourse import optim

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
ADAPTIVE = {"adagrad", "rmsprop", "adam", "adamw"}  # their lr is a step length in parameter units
LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}


@dataclass
class Trajectory:
    """One optimizer's run: positions (n, 2), losses (n,), and the step at which it diverged (or None)."""

    name: str
    path: np.ndarray
    losses: np.ndarray
    diverged_at: int | None = None

    @property
    def final(self) -> np.ndarray:
        return self.path[-1]

    def upto(self, step: int) -> np.ndarray:
        """The path from the start to `step` (stops at the last finite point of a diverged run)."""
        return self.path[: min(step, len(self.path) - 1) + 1]


def make_optimizer(name: str, params, lr=0.01, adaptive_lr=None, momentum=0.9, betas=(0.9, 0.999)):
    """The dlcourse optimizer called `name` (one of OPTIMIZERS) with the explorer's hyperparameters."""
    step = adaptive_lr if (name in ADAPTIVE and adaptive_lr is not None) else lr
    if name == "sgd":
        return optim.SGD(params, lr=step)
    if name == "momentum":
        return optim.SGD(params, lr=step, momentum=momentum)
    if name == "nesterov":
        return optim.SGD(params, lr=step, momentum=momentum, nesterov=momentum > 0)
    if name == "adagrad":
        return optim.Adagrad(params, lr=step)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=step)
    if name == "adam":
        return optim.Adam(params, lr=step, betas=betas)
    if name == "adamw":
        return optim.AdamW(params, lr=step, betas=betas)
    raise ValueError(f"unknown optimizer {name!r}: choose from {OPTIMIZERS + ('adamw',)}")


def run_trajectories(
    surface,
    optimizers=OPTIMIZERS,
    start=None,
    steps: int | None = None,
    lr: float | None = None,
    adaptive_lr: float | None = None,
    momentum: float = 0.9,
    betas=(0.9, 0.999),
    noise: float = 0.0,
    seed: int = 0,
    limit: float = 1e6,
) -> dict[str, Trajectory]:
    """Minimise `surface` with each optimizer for `steps` steps from `start`; stop one that diverges.

    Divergence: a position or loss that is NaN/inf or larger than `limit` in absolute value. The
    diverged optimizer's path ends at its last finite point and `diverged_at` records the step.
    Defaults (start, steps, lr, adaptive_lr) come from the surface.
    """
    start = np.asarray(surface.start if start is None else start, dtype=np.float64)
    if start.shape != (2,):
        raise ValueError(f"start must be a point (x, y), got shape {start.shape}")
    steps = int(surface.steps if steps is None else steps)
    if steps < 0:
        raise ValueError(f"steps must be ≥ 0, got {steps}")
    lr = surface.lr if lr is None else lr
    adaptive_lr = surface.adaptive_lr if adaptive_lr is None else adaptive_lr
    names = list(dict.fromkeys(optimizers))  # keep the order, drop repeats
    params = [dl.tensor(start.copy(), requires_grad=True) for _ in names]
    optims = [make_optimizer(name, [param], lr, adaptive_lr, momentum, betas) for name, param in zip(names, params)]
    paths = [[start.copy()] for _ in names]
    losses = [[] for _ in names]
    diverged: dict[int, int] = {}  # optimizer index → step at which it diverged
    # the same noise for every optimizer: differences between paths come from the methods, not the draws
    kicks = noise * np.random.default_rng(seed).standard_normal((steps, 2))  # (steps, 2)

    active = list(range(len(names)))
    for k in range(steps + 1):
        if not active:
            break
        # every active optimizer's point in one tensor, so one forward/backward serves them all
        points = dl.tensor(np.stack([params[i].data for i in active]), requires_grad=True)  # (A, 2)
        loss = surface.value(points[:, 0], points[:, 1])  # (A,): each row's loss depends on its row only
        values = np.asarray(loss.data, dtype=np.float64)
        bad = ~np.isfinite(values) | (np.abs(values) > limit)
        for row, i in enumerate(active):
            if bad[row]:
                diverged[i] = k
                paths[i].pop()  # the position that produced a non-finite loss is not drawn
            else:
                losses[i].append(values[row])
        if k == steps:
            break  # the last position is evaluated (its loss recorded) but not stepped from
        loss.sum().backward()
        grads = points.grad.data + kicks[k]  # (A, 2)
        stepped = [i for row, i in enumerate(active) if not bad[row]]
        for row, i in enumerate(active):
            if not bad[row]:
                params[i].grad = grads[row]
                optims[i].step()
        if stepped:
            positions = np.stack([params[i].data for i in stepped])  # (S, 2), checked all at once
            ok = np.isfinite(positions).all(axis=1) & (np.abs(positions).max(axis=1) <= limit)
            for row, i in enumerate(stepped):
                if ok[row]:
                    paths[i].append(positions[row])
                else:
                    diverged[i] = k + 1
        active = [i for i in active if i not in diverged]

    return {
        name: Trajectory(
            name,
            np.array(paths[i]).reshape(-1, 2),  # (n_points, 2)
            np.array(losses[i], dtype=np.float64),
            diverged.get(i),
        )
        for i, name in enumerate(names)
    }
