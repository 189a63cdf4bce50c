"""Adagrad: each parameter's step is divided by the root of the sum of all its past squared gradients."""

from __future__ import annotations

import numpy as np

from dlcourse.optim.optimizer import Optimizer, check_hyperparameters


class Adagrad(Optimizer):
    """PyTorch's rule, with t the step count and g = ∇θ + weight_decay · θ:

        s ← s + g²                                   (s starts at initial_accumulator_value)
        θ ← θ - lr / (1 + (t - 1) · lr_decay) · g / (√s + eps)

    Parameters with large past gradients take small steps. State: "step" (t), "sum" (s).
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10):  # fmt: skip
        check_hyperparameters(
            "Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, eps=eps,
        )  # fmt: skip
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)  # fmt: skip
        super().__init__(params, defaults)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        step = state["step"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])  # the decayed learning rate
        squares_sum = state["sum"]
        squares_sum += grad * grad
        std = np.sqrt(squares_sum)
        std += group["eps"]
        np.divide(grad, std, out=std)  # std now holds g / (√s + eps)
        std *= clr
        param -= std
