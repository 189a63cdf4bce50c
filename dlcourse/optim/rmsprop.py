"""RMSprop: divide each step by the root of a running average of squared gradients."""

from __future__ import annotations

import numpy as np

from dlcourse.optim.optimizer import Optimizer, check_hyperparameters


class RMSprop(Optimizer):
    """PyTorch's rule, with g = ∇θ + weight_decay · θ:

        v ← α · v + (1 - α) · g²                  running average of squared gradients
        ḡ ← α · ḡ + (1 - α) · g                   (centered only: running average of gradients)
        d ← √v + eps                              (centered: d ← √(v - ḡ²) + eps, a variance estimate)
        θ ← θ - lr · g / d                        (momentum μ > 0: b ← μ · b + g / d,  θ ← θ - lr · b)

    State: "step", "square_avg" (v), "grad_avg" (ḡ, centered), "momentum_buffer" (b, momentum > 0).
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False):  # fmt: skip
        check_hyperparameters("RMSprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)  # = α · ḡ + (1 - α) · g, written as PyTorch's lerp
            denominator = square_avg - grad_avg * grad_avg
            np.sqrt(denominator, out=denominator)
        else:
            denominator = np.sqrt(square_avg)
        denominator += group["eps"]
        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += grad / denominator
            param -= group["lr"] * buffer
        else:
            np.divide(grad, denominator, out=denominator)  # denominator now holds g / d
            denominator *= group["lr"]
            param -= denominator
