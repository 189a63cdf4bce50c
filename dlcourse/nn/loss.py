"""Loss modules: `loss_fn = nn.MSELoss(); loss = loss_fn(prediction, target)`, each wrapping its `F` function.

`reduction` says how the per-example losses are combined: "mean" (default), "sum" or "none" (keep
one loss per example). Any differentiable function of tensors works as a custom loss as well.
"""

from __future__ import annotations

from dlcourse.nn import functional as F
from dlcourse.nn.module import Module

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    """Base of the loss modules: stores and checks `reduction`."""

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class MSELoss(_Loss):
    """Mean squared error: ℓ = (prediction - target)²."""

    def forward(self, input, target):  # noqa: A002 - PyTorch's argument name
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: ℓ = |prediction - target|."""

    def forward(self, input, target):  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """ℓ = ½ d² if |d| ≤ delta else delta · (|d| - ½ delta), d = prediction - target: MSE near 0, L1 far out."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [super().extra_repr(), f"delta={self.delta}"]))


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities p: ℓ = -(y log p + (1 - y) log(1 - p))."""

    def forward(self, input, target):  # noqa: A002
        return F.binary_cross_entropy(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits z (p = σ(z)), computed stably: ℓ = max(z, 0) - z·y + log(1 + e^{-|z|})."""

    def forward(self, input, target):  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """ℓ = -log softmax(logits)[class] for logits (N, C) and class indices (N,): softmax + NLL in one step."""

    def forward(self, input, target):  # noqa: A002
        return F.cross_entropy(input, target, reduction=self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood: ℓ = -log_probs[class] for log-probabilities (N, C) (e.g. from LogSoftmax)."""

    def forward(self, input, target):  # noqa: A002
        return F.nll_loss(input, target, reduction=self.reduction)


class HingeLoss(_Loss):
    """ℓ = max(0, margin - y · score) for labels y ∈ {-1, +1}: the SVM loss (not in PyTorch)."""

    def __init__(self, reduction: str = "mean", margin: float = 1.0):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input, target):  # noqa: A002
        return F.hinge_loss(input, target, margin=self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [super().extra_repr(), f"margin={self.margin}"]))
