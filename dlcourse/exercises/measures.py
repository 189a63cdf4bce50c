"""Public measurements that some exercises apply to the learner's answer (they state what is measured).

They hold no answer: e.g. `step_network_outputs` runs the learner's own weights on the four corners, and
the exercise says which outputs it wants.
"""

from __future__ import annotations

import numpy as np

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _step(z):
    return (np.asarray(z) >= 0).astype(float)


def step_network_outputs(weights) -> np.ndarray:
    """Outputs of the 2-layer step network (W1, b1, W2, b2) on the corners (0,0), (0,1), (1,0), (1,1).

    Weights follow nn.Linear's layout: W1 (h, 2), b1 (h,), W2 (1, h), b2 (1,)."""
    if not isinstance(weights, tuple | list) or len(weights) != 4:
        raise ValueError("answer with a tuple (W1, b1, W2, b2) of four arrays")
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in weights)
    hidden = W1.shape[0] if W1.ndim == 2 else None
    if not (
        W1.ndim == 2 and W1.shape[1] == 2 and b1.shape == (hidden,) and W2.shape == (1, hidden) and b2.shape == (1,)
    ):
        raise ValueError(
            f"shapes must be W1 (h, 2), b1 (h,), W2 (1, h), b2 (1,) — like nn.Linear; got W1 {W1.shape}, "
            f"b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}"
        )
    return _step(_step(CORNERS @ W1.T + b1) @ W2.T + b2)[:, 0]  # (4,)


def bowl_final_loss(lr, condition: float = 50.0, start=(-4.5, 2.0), steps: int = 200) -> float:
    """Loss of gradient descent on f = ½(x² + κy²) after `steps` steps at learning rate `lr` (inf if it blew up)."""
    if isinstance(lr, bool) or not isinstance(lr, int | float | np.number) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"answer with one positive number (the learning rate), got {lr!r}")
    point, curvature = np.array(start, dtype=float), np.array([1.0, condition])
    for _ in range(steps):
        point = point - float(lr) * curvature * point  # ∇f = (x, κy)
        if not np.all(np.isfinite(point)) or np.abs(point).max() > 1e12:
            return float("inf")
    return 0.5 * float(np.sum(curvature * point**2))
