"""One helper for PyTorch parity: run the same computation in dlcourse and torch, compare values and grads.

    from tests.parity import assert_matches_torch
    assert_matches_torch(lambda x, w: (x @ w).tanh().sum(),      # dlcourse version
                         lambda x, w: (x @ w).tanh().sum(),      # torch version
                         [x_array, w_array])

Skips the calling test when torch is not installed (torch is a test oracle, never a dependency).
"""

from __future__ import annotations

import numpy as np
import pytest


def torch_or_skip():
    """The torch module, or skip the test (cleanly) where it is not installed."""
    return pytest.importorskip("torch")


def assert_matches_torch(dl_fn, torch_fn, arrays, requires_grad=None, rtol=1e-5, atol=1e-6, reduce=True):
    """Forward values and input gradients of `dl_fn(*tensors)` equal those of `torch_fn(*torch_tensors)`.

    `arrays` are NumPy arrays (float arrays become grad-requiring inputs unless `requires_grad` says
    otherwise). Non-scalar outputs are reduced with the same fixed random weights on both sides.
    """
    torch = torch_or_skip()
    import dlcourse as dl

    if requires_grad is None:
        requires_grad = [np.asarray(a).dtype.kind == "f" for a in arrays]
    dl_inputs = [dl.tensor(np.array(a), requires_grad=g) for a, g in zip(arrays, requires_grad)]
    torch_inputs = [torch.tensor(np.array(a), requires_grad=bool(g)) for a, g in zip(arrays, requires_grad)]
    dl_out = dl_fn(*dl_inputs)
    torch_out = torch_fn(*torch_inputs)
    np.testing.assert_allclose(
        np.asarray(dl_out.data), torch_out.detach().numpy(), rtol=rtol, atol=atol, err_msg="forward values differ"
    )
    if not any(requires_grad):
        return
    weights = np.random.default_rng(0).uniform(0.5, 1.5, size=dl_out.shape).astype(dl_out.dtype)
    (dl_out * dl.tensor(weights)).sum().backward()
    (torch_out * torch.tensor(weights)).sum().backward()
    for i, (d, t, g) in enumerate(zip(dl_inputs, torch_inputs, requires_grad)):
        if not g:
            continue
        expected = np.zeros_like(np.asarray(arrays[i])) if t.grad is None else t.grad.numpy()
        got = np.zeros_like(expected) if d.grad is None else d.grad
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=f"gradient of input {i} differs")
