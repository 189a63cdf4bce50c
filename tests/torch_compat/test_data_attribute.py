"""`.data` answers PyTorch's in-place idioms (`x.grad.data.zero_()`, `f.data.sub_(f.grad.data * lr)`) and stays
the NumPy array the chapters compute on."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from tests.parity import torch_or_skip


def _blitz_update(lib):
    """The 60 Minute Blitz's manual update: `f.data.sub_(f.grad.data * learning_rate)`."""
    weight = lib.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    x = lib.tensor([[1.0, 2.0], [3.0, -1.0]])
    for _ in range(3):
        loss = ((x @ weight) ** 2).sum()
        if weight.grad is not None:
            weight.grad.data.zero_()
        loss.backward()
        weight.data.sub_(weight.grad.data * 0.01)
    return np.array(weight.detach().numpy()), float(loss.item())


def test_the_blitz_update_through_data_matches_torch():
    torch = torch_or_skip()
    ours, our_loss = _blitz_update(dl)
    theirs, their_loss = _blitz_update(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert our_loss == pytest.approx(their_loss, rel=1e-6)


@pytest.mark.parametrize(
    "method, args, expected",
    [
        ("zero_", (), [0.0, 0.0, 0.0]),
        ("fill_", (7,), [7.0, 7.0, 7.0]),
        ("add_", ([1.0, 1.0, 1.0],), [2.0, -1.0, 4.0]),
        ("sub_", (1.0,), [0.0, -3.0, 2.0]),
        ("mul_", (2.0,), [2.0, -4.0, 6.0]),
        ("div_", (2.0,), [0.5, -1.0, 1.5]),
        ("copy_", ([9.0, 8.0, 7.0],), [9.0, 8.0, 7.0]),
        ("clamp_", (-1.0, 2.0), [1.0, -1.0, 2.0]),
    ],
)
def test_each_in_place_method_of_data_changes_the_tensor_as_torch_does(method, args, expected):
    ours = dl.tensor([1.0, -2.0, 3.0], requires_grad=True)
    result = getattr(ours.data, method)(*[dl.tensor(a) if isinstance(a, list) else a for a in args])
    np.testing.assert_array_equal(ours.detach().numpy(), expected)
    assert np.shares_memory(result, ours.detach().numpy())  # returns itself, as torch's do
    torch = torch_or_skip()
    theirs = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    getattr(theirs.data, method)(*[torch.tensor(a) if isinstance(a, list) else a for a in args])
    np.testing.assert_array_equal(theirs.detach().numpy(), expected)


def test_add_and_sub_take_alpha_like_torch():
    x = dl.tensor([1.0, 2.0])
    x.data.add_(dl.tensor([1.0, 1.0]), alpha=3)
    x.data.sub_(1.0, alpha=0.5)
    np.testing.assert_array_equal(x.numpy(), [3.5, 4.5])


def test_changes_through_data_are_not_tracked_and_keep_the_version():
    # torch: "changes made through .data are not tracked by autograd" (and do not bump the version)
    w = dl.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    w.data.mul_(10.0)
    y.backward()  # no "modified by an inplace operation" error
    np.testing.assert_allclose(w.grad.numpy(), [20.0, 40.0])  # 2·w with w's values at backward time, like torch


def test_data_is_still_numpy_for_the_chapters():
    w = dl.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert isinstance(w.data, np.ndarray) and w.data.dtype == np.float32
    assert type(w.data * 2) is np.ndarray and type(np.abs(w.data)) is np.ndarray  # results are plain arrays
    snapshot = w.data.copy()
    assert type(snapshot) is np.ndarray and not np.shares_memory(snapshot, w.numpy())
    w.data[0, 0] = 5.0  # writes go into the tensor
    assert w[0, 0].item() == 5.0
    assert repr(w.data).startswith("array(")
