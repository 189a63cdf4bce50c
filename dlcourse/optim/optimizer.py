"""`Optimizer`: the base class of SGD, Adam, …, with PyTorch's `param_groups`, `state`, `step()`, `zero_grad()`.

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in data:
        opt.zero_grad()             # forget the previous batch's gradients
        loss_fn(model(x), y).backward()
        opt.step()                  # move every parameter against its gradient
    opt.state[model.fc1.weight]["momentum_buffer"]     # what the optimizer remembers, per parameter

A subclass only writes `update(param, grad, state, group)`: how one parameter moves, given its
gradient, its own state dict and its group's hyperparameters. Updates change `param.data` in place
with NumPy's in-place operations (`a -= b`, `np.sqrt(a, out=a)`), which avoids new arrays where it
can: a training run makes thousands of steps.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from dlcourse.tensor import Tensor


class Optimizer:
    """Holds the parameters (in `param_groups`) and their per-parameter `state`; `step()` updates them."""

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        # parameter → its buffers, e.g. {"step": 3, "exp_avg": array}; empty until its first step
        self.state: defaultdict[Tensor, dict] = defaultdict(dict)
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__} expects an iterable of parameters, got a single tensor; "
                "pass a list: [w] (or model.parameters())"
            )
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(
                f"{type(self).__name__} expects parameters, got the module {type(params).__name__}; "
                "pass model.parameters()"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list (does the model have parameters?)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add parameters with their own hyperparameters, e.g. {"params": [w], "lr": 0.01}."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"a parameter group must be a dict with a 'params' key, got {group!r}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__} can only optimize tensors, got a {type(p).__name__} in the parameters"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{type(self).__name__} can only optimize leaf tensors (made by you, not computed from "
                    "others); a parameter here is the result of an operation"
                )
        already = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in already for p in params):
            raise ValueError("some parameters appear more than once in the optimizer's parameter groups")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown hyperparameter(s) {sorted(unknown)} in a parameter group")
        group = {**self.defaults, **group, "params": params}
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: set it to None (default), or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.data[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient (those with grad None are skipped).

        `closure`, if given, recomputes the loss (zero_grad, forward, backward) and its value is returned.
        """
        loss = closure() if closure is not None else None
        state = self.state
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                self.update(p._data, grad._data, state[p], group)  # the arrays themselves: the hot loop
        return loss

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:  # pragma: no cover
        """Change `param` (the parameter's array) in place, using `grad`, its `state` and `group`'s settings."""
        raise NotImplementedError

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params")
        return "\n".join(lines) + "\n)"


def check_hyperparameters(name: str, **values) -> None:
    """Raise a clear ValueError for a negative learning rate, momentum, eps or weight decay."""
    for key, value in values.items():
        if value < 0:
            raise ValueError(f"{name}: invalid {key} {value} (it must be ≥ 0)")
