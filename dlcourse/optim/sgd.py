"""Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov) and weight decay."""

from __future__ import annotations

import numpy as np

from dlcourse.optim.optimizer import Optimizer, check_hyperparameters


class SGD(Optimizer):
    """θ ← θ - lr · g, where g = ∇θ + weight_decay · θ, or with momentum μ (PyTorch's exact rule):

        b ← μ · b + (1 - dampening) · g      (b = g on the first step)
        θ ← θ - lr · b                       (nesterov: θ ← θ - lr · (g + μ · b))

    State per parameter: "momentum_buffer" (b), when momentum ≠ 0.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 nesterov: bool = False, weight_decay: float = 0):  # fmt: skip
        check_hyperparameters("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * param  # a new array: the learner's .grad stays the true gradient
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.copy()
            else:
                buffer *= momentum
                dampening = group["dampening"]
                buffer += grad if dampening == 0 else (1 - dampening) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= lr * grad
