"""Adam and AdamW: momentum plus a per-parameter step size from a running average of squared gradients."""

from __future__ import annotations

import math

import numpy as np

from dlcourse.optim.optimizer import Optimizer, check_hyperparameters


class Adam(Optimizer):
    """PyTorch's rule, with t the step count and g = ∇θ + weight_decay · θ:

        m ← β₁ · m + (1 - β₁) · g             first moment (a momentum)
        v ← β₂ · v + (1 - β₂) · g²            second moment (amsgrad: v̂ ← max(v̂, v) is used below)
        θ ← θ - lr / (1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

    The divisions by (1 - βᵗ) undo the bias of m and v towards their zero start.
    State: "step" (t), "exp_avg" (m), "exp_avg_sq" (v), "max_exp_avg_sq" (v̂, amsgrad).
    """

    decoupled_weight_decay = False  # AdamW: True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 amsgrad: bool = False):  # fmt: skip
        name = type(self).__name__
        check_hyperparameters(name, lr=lr, eps=eps, weight_decay=weight_decay)
        if not all(0 <= beta < 1 for beta in betas):
            raise ValueError(f"{name}: invalid betas {betas} (each must be in [0, 1))")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            if self.decoupled_weight_decay:
                param *= 1 - lr * weight_decay  # AdamW: shrink θ directly, not through the gradient
            else:
                grad = grad + weight_decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)  # = β₁ · m + (1 - β₁) · g, written as PyTorch's lerp
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            second_moment = state["max_exp_avg_sq"]
        else:
            second_moment = exp_avg_sq
        step_size = lr / (1 - beta1**step)
        denominator = np.sqrt(second_moment)
        denominator /= math.sqrt(1 - beta2**step)
        denominator += group["eps"]
        np.divide(exp_avg, denominator, out=denominator)  # denominator now holds m / (…)
        denominator *= step_size
        param -= denominator


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ · (1 - lr · weight_decay) before the Adam step (default 1e-2).

    In Adam, weight decay enters the gradient and is then rescaled per parameter; AdamW shrinks every
    weight by the same factor, which regularises as intended (Loshchilov & Hutter, 2019).
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False):  # fmt: skip
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
