"""Loss functions that need their own op: for numerical stability, or a gradient simpler than the chain.

Each returns one loss per element (or per row); `nn.functional` applies the reduction (mean/sum/none),
whose backward hands every element its share (1/N for the mean). Losses that are plain tensor
arithmetic (MSE, L1, Huber, hinge) are written as such in nn/functional.py.
"""

from __future__ import annotations

import numpy as np

from dlcourse.function import Function, ShapeError
from dlcourse.kernels.softmax_ce import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from dlcourse.ops.conv import contiguous


def check_class_labels(fn: str, what: str, scores: np.ndarray, labels) -> np.ndarray:
    """Labels as N int64 class indices in [0, C) for scores (N, C), or an error that says what is wrong."""
    if scores.ndim != 2:
        hint = f"; for a single example use {what}.reshape(1, -1)" if scores.ndim == 1 else ""
        raise ShapeError(f"{fn} expects {what} of shape (N, C), got {scores.shape}{hint}")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"{fn}: labels must be integer class indices, got dtype {labels.dtype}; convert them with "
            "labels.long() (a tensor) or labels.astype(int) (an array); class probabilities are a float "
            "target of the logits' shape (N, C)"
        )
    n, c = scores.shape
    if labels.shape != (n,):
        hint = "; flatten them with labels.reshape(-1)" if labels.size == n else ""
        raise ShapeError(
            f"{fn}: {what} {scores.shape} have N={n} rows, so labels need shape ({n},), got {labels.shape}{hint}"
        )
    outside = np.flatnonzero((labels < 0) | (labels >= c))
    if outside.size:
        i = outside[0]
        raise ValueError(f"{fn}: labels must be in [0, C) for C={c} classes; got {labels[i]} at position {i}")
    return contiguous(labels.astype(np.int64, copy=False))


class CrossEntropy(Function):
    """loss[i] = logsumexp(z[i]) - z[i, y[i]] for logits z (N, C);  dloss[i]/dz[i] = softmax(z[i]) - onehot(y[i]).

    Softmax, log and picking the class fused in one kernel (kernels/softmax_ce.py): finite for any logits.
    """

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        return None  # forward's messages already name the shapes

    @staticmethod
    def forward(ctx, logits, labels):
        labels = check_class_labels("cross_entropy", "logits", logits, labels)
        if logits.dtype.kind != "f":
            raise TypeError(f"cross_entropy: logits must be floating point, got dtype {logits.dtype}")
        logits = contiguous(logits)
        ctx.save_for_backward(logits)
        ctx.labels = labels
        return softmax_cross_entropy_forward(logits, labels)  # (N,)

    @staticmethod
    def backward(ctx, grad_out):
        (logits,) = ctx.saved
        grad_loss = contiguous(grad_out.astype(logits.dtype, copy=False))  # (N,): 1/N each for the mean
        return softmax_cross_entropy_backward(logits, ctx.labels, grad_loss)


class BinaryCrossEntropy(Function):
    """ℓ = -(t·log p + (1 - t)·log(1 - p)), logs clamped at -100 (PyTorch's choice, so p = 0 gives 100, not inf).

    dℓ/dp = (p - t) / (p(1 - p))  (denominator at least 1e-12, as in PyTorch);  dℓ/dt = log(1 - p) - log p.
    """

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        return None

    @staticmethod
    def forward(ctx, p, t):
        if p.size and (p.min() < 0 or p.max() > 1):
            raise ValueError(
                f"binary_cross_entropy: input must be probabilities in [0, 1], got values from {p.min():.4g} "
                f"to {p.max():.4g}; for raw scores (logits) use binary_cross_entropy_with_logits"
            )
        with np.errstate(divide="ignore"):  # log 0 = -inf, clamped to -100 on the next line
            log_p = np.maximum(np.log(p), -100)
            log_1mp = np.maximum(np.log1p(-p), -100)
        ctx.save_for_backward(p, t, log_p, log_1mp)
        return -(t * log_p + (1 - t) * log_1mp)

    @staticmethod
    def backward(ctx, grad_out):
        p, t, log_p, log_1mp = ctx.saved
        needs_p, needs_t = ctx.needs_input_grad
        grad_p = grad_out * (p - t) / np.maximum(p * (1 - p), 1e-12) if needs_p else None
        grad_t = grad_out * (log_1mp - log_p) if needs_t else None
        return grad_p, grad_t


class BinaryCrossEntropyWithLogits(Function):
    """ℓ = max(z, 0) - z·t + log(1 + e^{-|z|}): BCE of p = σ(z) without forming p;  dℓ/dz = σ(z) - t,  dℓ/dt = -z.

    The form never exponentiates a positive number, so z = ±1000 gives a finite loss (σ(z) would round
    to exactly 0 or 1 and log 0 = -inf).
    """

    @classmethod
    def explain_error(cls, error, *arrays, **options):
        return None

    @staticmethod
    def forward(ctx, z, t):
        ctx.save_for_backward(z, t)
        return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))

    @staticmethod
    def backward(ctx, grad_out):
        z, t = ctx.saved
        needs_z, needs_t = ctx.needs_input_grad
        grad_z = grad_t = None
        if needs_z:
            with np.errstate(over="ignore"):  # e^{1000} = inf gives σ = 1/inf = 0, the right limit
                sigma = 1 / (1 + np.exp(-z))
            grad_z = grad_out * (sigma - t)
        if needs_t:
            grad_t = -grad_out * z
        return grad_z, grad_t
