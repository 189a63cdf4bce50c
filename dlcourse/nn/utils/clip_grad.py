"""Gradient clipping with PyTorch's signatures and results: `clip_grad_norm_` and `clip_grad_value_`.

Clipping keeps one unlucky batch (or an exploding RNN gradient) from throwing the weights far
away. `clip_grad_norm_` rescales all gradients together, so the update keeps its direction and
only its length is capped; `clip_grad_value_` clamps each gradient entry on its own.
"""

from __future__ import annotations

import math

import numpy as np

from dlcourse.tensor import Tensor


def _with_grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients by min(1, max_norm / (total_norm + 1e-6)); return total_norm (a Tensor).

    total_norm is the `norm_type`-norm of all gradients seen as one long vector (inf: the largest
    |entry|), measured *before* clipping — the number to log to see how large gradients get.
    """
    params = _with_grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not params:
        return Tensor(np.zeros((), dtype=np.float32))
    grads = [p.grad._data for p in params]
    if math.isinf(norm_type):
        total = max(float(np.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        per_tensor = [np.sum(np.abs(g.astype(np.float64)) ** norm_type) for g in grads]
        total = float(np.sum(per_tensor)) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot "
            "be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    scale = min(max_norm / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):  # a non-finite norm gives nan gradients, as in torch
        for g in grads:
            g *= g.dtype.type(scale)  # in place: p.grad keeps its identity, as in torch
    return Tensor(np.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters, clip_value, foreach=None) -> None:
    """Clamp every gradient entry into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _with_grads(parameters):
        np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
