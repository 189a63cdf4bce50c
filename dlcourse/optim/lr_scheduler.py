"""Learning-rate schedules: change each parameter group's "lr" as training goes on (call `.step()` per epoch).
Typical use:

    scheduler = optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(30):
        train_one_epoch()
        scheduler.step()
"""

from __future__ import annotations

import math


class LRScheduler:
    """Base class: remembers each group's starting lr ("initial_lr") and sets `get_lr()` at every `step()`."""

    def __init__(self, optimizer, last_epoch: int = -1):
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()  # like PyTorch: epoch 0's learning rate is set on construction

    def get_lr(self) -> list[float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set every group's lr."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last `step()`, one per parameter group."""
        return list(self._last_lr)


class StepLR(LRScheduler):
    """Every `step_size` epochs, multiply the learning rate by `gamma`: lr_t = lr₀ · gamma^⌊t / step_size⌋."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive number of epochs, got {step_size}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        # multiply the current lr (as PyTorch does), so a change made by hand in between is kept
        current = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return current
        return [lr * self.gamma for lr in current]


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (lr₀ - eta_min) · (1 + cos(π · t / T_max)) / 2: a half cosine from lr₀ down to eta_min.

    After T_max epochs it rises again (the cosine continues), as in PyTorch.
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive number of epochs, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]
