"""`dlcourse.nn.functional` (import as F): what layers are made of, as plain functions of tensors.

    from dlcourse.nn import functional as F
    h = F.relu(F.conv2d(x, weight, bias, padding=1))
    loss = F.cross_entropy(logits, labels)

Names and argument orders are PyTorch's, so code moves between the two easily. Inputs may be
tensors or arrays; targets and labels may be NumPy arrays or tensors. Options after the inputs
(`reduction`, `delta`, `margin`) are keyword-only, as they are in practice in PyTorch code.
"""

from __future__ import annotations

import numpy as np

from dlcourse.function import ShapeError
from dlcourse.ops import activations as A
from dlcourse.ops import conv as C
from dlcourse.ops import elementwise as E
from dlcourse.ops import losses as L
from dlcourse.ops import pool as P
from dlcourse.tensor import Tensor, tensor

_REDUCTIONS = ("mean", "sum", "none")


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


# ------------------------------------------------------------------------------------------ activations
def relu(x):
    """max(0, x) elementwise."""
    return E.ReLU.apply(_as_tensor(x))


def leaky_relu(x, negative_slope: float = 0.01):
    """x if x > 0 else negative_slope · x."""
    return E.LeakyReLU.apply(_as_tensor(x), negative_slope=negative_slope)


def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ)."""
    return E.Sigmoid.apply(_as_tensor(x))


def tanh(x):
    """tanh x = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ)."""
    return E.Tanh.apply(_as_tensor(x))


def elu(x, alpha: float = 1.0):
    """x if x > 0 else α(eˣ - 1)."""
    return E.ELU.apply(_as_tensor(x), alpha=alpha)


def gelu(x, approximate: str = "none"):
    """x · Φ(x), Φ the standard normal CDF (approximate="tanh": PyTorch's tanh formula)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return E.GELU.apply(_as_tensor(x), approximate=approximate)


def softmax(x, axis: int = -1, *, dim: int | None = None):
    """exp(xᵢ) / Σⱼ exp(xⱼ) along `axis` (PyTorch's `dim=` works too); computed as exp(x - max)."""
    return A.Softmax.apply(_as_tensor(x), axis=axis if dim is None else dim)


def log_softmax(x, axis: int = -1, *, dim: int | None = None):
    """xᵢ - log Σⱼ exp(xⱼ) along `axis`, computed as (x - max) - log Σ exp(x - max): no overflow, no log 0."""
    return A.LogSoftmax.apply(_as_tensor(x), axis=axis if dim is None else dim)


# ------------------------------------------------------------------------------------------ layers
def linear(x, weight, bias=None):
    """y = x Wᵀ + b for x (..., in_features), weight (out_features, in_features), bias (out_features,)."""
    x, weight = _as_tensor(x), _as_tensor(weight)
    if weight.ndim != 2:
        raise ShapeError(f"linear expects weight of shape (out_features, in_features), got {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        features = x.shape[-1] if x.ndim else "no"
        raise ShapeError(
            f"linear: input {x.shape} has {features} features (last axis) but weight {weight.shape} "
            f"expects in_features={weight.shape[1]}"
        )
    out = x @ weight.T  # (..., out_features)
    return out if bias is None else out + bias


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """out[n, o] = bias[o] + Σ_c x[n, c] ⋆ weight[o, c] for x (N, C_in, H, W), weight (C_out, C_in, KH, KW).

    stride and padding: an int or a (height, width) pair; padding adds zeros around every image.
    Output (N, C_out, OH, OW), OH = (H + 2·padding - KH) // stride + 1.
    """
    bias = None if bias is None else _as_tensor(bias)
    x = _as_tensor(x)
    if x.ndim == 3:  # one unbatched image (C, H, W), as PyTorch accepts: a batch of one
        return C.Conv2d.apply(x.unsqueeze(0), _as_tensor(weight), bias, stride=stride, padding=padding)[0]
    return C.Conv2d.apply(x, _as_tensor(weight), bias, stride=stride, padding=padding)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The maximum of every kernel_size window of x (N, C, H, W) or (C, H, W); stride defaults to kernel_size.

    `padding` adds -∞ around every image (so padding never wins a maximum), as in PyTorch, which
    allows at most half the kernel size.
    """
    x = _as_tensor(x)
    if x.ndim == 3:  # one unbatched image (C, H, W)
        return max_pool2d(x.unsqueeze(0), kernel_size, stride, padding)[0]
    pad_h, pad_w = (padding, padding) if isinstance(padding, int) else tuple(padding)
    if pad_h or pad_w:
        kernel_h, kernel_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
        if 2 * pad_h > kernel_h or 2 * pad_w > kernel_w:
            raise ValueError(f"max_pool2d: padding {padding} should be at most half of kernel_size {kernel_size}")
        stride = kernel_size if stride is None else stride
        x = _pad_with(x, pad_h, pad_w, -np.inf)
    return P.MaxPool2d.apply(x, kernel_size=kernel_size, stride=stride)


def _pad_with(x: Tensor, pad_h: int, pad_w: int, value: float) -> Tensor:
    """x (N, C, H, W) with pad_h rows and pad_w columns of `value` on each side (constants: no gradient)."""
    from dlcourse.tensor_functions.joining import cat

    n, c, h, w = x.shape
    rows = tensor(np.full((n, c, pad_h, w), value, dtype=x.dtype))
    x = cat([rows, x, rows], dim=2)  # (N, C, H + 2·pad_h, W)
    columns = tensor(np.full((n, c, h + 2 * pad_h, pad_w), value, dtype=x.dtype))
    return cat([columns, x, columns], dim=3)  # (N, C, H + 2·pad_h, W + 2·pad_w)


def avg_pool2d(x, kernel_size, stride=None):
    """The mean of every kernel_size window of x (N, C, H, W) or (C, H, W); stride defaults to kernel_size."""
    x = _as_tensor(x)
    if x.ndim == 3:  # one unbatched image (C, H, W)
        return P.AvgPool2d.apply(x.unsqueeze(0), kernel_size=kernel_size, stride=stride)[0]
    return P.AvgPool2d.apply(x, kernel_size=kernel_size, stride=stride)


def dropout(x, p: float = 0.5, training: bool = True, seed=None, *, generator=None):
    """Inverted dropout: y = x · mask / (1 - p), mask ~ Bernoulli(1 - p), when training; y = x otherwise.

    Dividing by 1 - p keeps every value's expectation, so evaluation needs no rescaling. The mask
    comes from `seed` (an int) or `generator` (a np.random.Generator); p = 1 zeroes everything.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p is the probability of zeroing a value and must be in [0, 1], got {p}")
    x = _as_tensor(x)
    if not training or p == 0:
        return x
    source = seed if generator is None else generator
    rng = source if isinstance(source, np.random.Generator) else np.random.default_rng(source)
    keep = rng.random(x.shape) >= p  # True with probability 1 - p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)  # p = 1: all dropped (and no 1/0)
    return x * (keep * scale).astype(x.dtype)


# ------------------------------------------------------------------------------------------ losses
def _reduce(fn: str, loss: Tensor, reduction: str) -> Tensor:
    """Combine per-element losses: their mean, their sum, or all of them ("none")."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{fn}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _input_and_target(fn: str, input, target):  # noqa: A002 - PyTorch's argument name
    """input as a Tensor; target (Tensor or array) in its dtype and with exactly its shape.

    A target of another shape is an error, not a broadcast: prediction (N, 1) minus target (N,) would
    silently become an (N, N) matrix of all pairs, and the loss would be wrong but finite.
    """
    input = _as_tensor(input)
    if isinstance(target, Tensor) and not target.requires_grad:
        target = target._data
    if not isinstance(target, Tensor):
        target = np.asarray(target).astype(input.dtype, copy=False)
    if target.shape != input.shape:
        if input.shape == (*target.shape, 1):
            hint = "reshape the target with y.reshape(-1, 1)"
        elif target.shape == (*input.shape, 1):
            hint = "flatten the target with y.reshape(-1)"
        else:
            hint = "they must be equal"
        raise ShapeError(f"{fn}: input {input.shape} and target {target.shape} shapes differ; {hint}")
    return input, target


def mse_loss(input, target, *, reduction: str = "mean"):  # noqa: A002
    """ℓ = (input - target)², averaged (reduction="mean"), summed ("sum") or kept per element ("none")."""
    input, target = _input_and_target("mse_loss", input, target)
    diff = input - target
    return _reduce("mse_loss", diff * diff, reduction)


def l1_loss(input, target, *, reduction: str = "mean"):  # noqa: A002
    """ℓ = |input - target|."""
    input, target = _input_and_target("l1_loss", input, target)
    return _reduce("l1_loss", abs(input - target), reduction)


def huber_loss(input, target, *, reduction: str = "mean", delta: float = 1.0):  # noqa: A002
    """ℓ = ½d² if |d| < delta else delta·(|d| - ½delta), d = input - target: quadratic near 0, linear far out."""
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input, target = _input_and_target("huber_loss", input, target)
    diff = input - target
    size = abs(diff)
    quadratic = 0.5 * diff * diff
    linear_part = delta * (size - 0.5 * delta)
    return _reduce("huber_loss", E.Where.apply(quadratic, linear_part, condition=size._data < delta), reduction)


def binary_cross_entropy(input, target, *, reduction: str = "mean"):  # noqa: A002
    """ℓ = -(t·log p + (1 - t)·log(1 - p)) for probabilities p = input in [0, 1]; logs clamped at -100."""
    input, target = _input_and_target("binary_cross_entropy", input, target)
    return _reduce("binary_cross_entropy", L.BinaryCrossEntropy.apply(input, target), reduction)


def binary_cross_entropy_with_logits(input, target, *, reduction: str = "mean"):  # noqa: A002
    """Binary cross-entropy of p = σ(input), computed from the logits directly: stable for any logit."""
    input, target = _input_and_target("binary_cross_entropy_with_logits", input, target)
    return _reduce("binary_cross_entropy_with_logits", L.BinaryCrossEntropyWithLogits.apply(input, target), reduction)


def _labels(target):
    return target._data if isinstance(target, Tensor) else target


def cross_entropy(input, target, *, reduction: str = "mean"):  # noqa: A002
    """ℓᵢ = -log softmax(input[i])[target[i]] for logits (N, C) and integer class labels (N,) in [0, C).

    Softmax and log fused (kernels/softmax_ce.py): finite loss and gradients even for logits of ±1000.
    A float target of the same shape (N, C) holds class probabilities, as in PyTorch:
    ℓᵢ = -Σ_c target[i, c] · log softmax(input[i])[c].
    """
    input = _as_tensor(input)  # noqa: A001 - PyTorch's argument name
    labels = _labels(target)
    if np.asarray(labels).dtype.kind == "f" and np.shape(labels) == input.shape and input.ndim == 2:
        probabilities = target if isinstance(target, Tensor) else tensor(np.asarray(labels, dtype=input.dtype))
        loss = -(probabilities * log_softmax(input, dim=1)).sum(dim=1)  # (N,)
        return _reduce("cross_entropy", loss, reduction)
    loss = L.CrossEntropy.apply(input, labels=labels)  # (N,)
    return _reduce("cross_entropy", loss, reduction)


def nll_loss(input, target, *, reduction: str = "mean"):  # noqa: A002
    """ℓᵢ = -input[i, target[i]] for log-probabilities (N, C) (e.g. from log_softmax) and labels (N,)."""
    log_probs = _as_tensor(input)
    labels = L.check_class_labels("nll_loss", "log_probs", log_probs._data, _labels(target))
    return _reduce("nll_loss", -log_probs[np.arange(len(labels)), labels], reduction)


def hinge_loss(input, target, *, margin: float = 1.0, reduction: str = "mean"):  # noqa: A002
    """The SVM loss. Binary: ℓ = max(0, margin - y·s) for scores s and labels y in {-1, +1} (0/1 become -1/+1).

    Multi-class, when input is (N, C) scores and target (N,) class indices in [0, C):
    ℓᵢ = Σ_{j ≠ yᵢ} max(0, margin - s[i, yᵢ] + s[i, j]) / C  (PyTorch's multi_margin_loss).
    Zero once the right answer wins by at least `margin`: points far on the right side cost nothing.
    """
    scores = _as_tensor(input)
    labels = np.asarray(_labels(target))
    if scores.ndim == 2 and scores.shape[1] > 1 and labels.ndim == 1:
        labels = L.check_class_labels("hinge_loss", "scores", scores._data, labels)
        n, c = scores.shape
        correct = scores[np.arange(n), labels].reshape(n, 1)  # (N, 1): the score of the right class
        others = np.ones((n, c), scores.dtype)
        others[np.arange(n), labels] = 0  # the right class itself is not a rival
        per_row = (E.ReLU.apply(margin - correct + scores) * others).sum(axis=1) / c  # (N,)
        return _reduce("hinge_loss", per_row, reduction)
    scores, y = _input_and_target("hinge_loss", scores, labels)
    values = set(np.unique(y).tolist())
    if values <= {0.0, 1.0} and 0.0 in values:
        y = 2 * y - 1  # 0/1 labels → -1/+1
    elif not values <= {-1.0, 1.0}:
        raise ValueError(f"hinge_loss: binary targets must be -1/+1 (or 0/1), got values {sorted(values)}")
    return _reduce("hinge_loss", E.ReLU.apply(margin - scores * y), reduction)
