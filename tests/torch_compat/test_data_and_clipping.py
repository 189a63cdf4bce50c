"""`dlcourse.utils.data` and `nn.utils.clip_grad_*` against torch (issues 14 and 15)."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn
from dlcourse.utils.data import DataLoader, Dataset, TensorDataset, random_split
from tests.parity import torch_or_skip


def _grads(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) * scale for shape in [(3, 4), (4,), (2, 3)]]


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (0.3, float("inf")), (2, 3)])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    torch = torch_or_skip()
    grads = _grads(scale=2.0)
    ours = [dl.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad, t.grad = dl.tensor(g.copy()), torch.tensor(g.copy())
    kept = ours[0].grad
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, dl.Tensor)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-12)
    assert ours[0].grad is kept  # changed in place


def test_clip_grad_norm_skips_missing_grads_and_accepts_one_tensor():
    torch = torch_or_skip()
    w, tw = dl.tensor([3.0, 4.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
    w.grad, tw.grad = dl.tensor([3.0, 4.0]), torch.tensor([3.0, 4.0])
    unused = dl.tensor([1.0], requires_grad=True)  # grad None: skipped, as in torch
    assert nn.utils.clip_grad_norm_([w, unused], 1.0).item() == pytest.approx(5.0)
    torch.nn.utils.clip_grad_norm_(tw, 1.0)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-6)
    assert nn.utils.clip_grad_norm_(unused, 1.0).item() == 0.0


def test_clip_grad_norm_nonfinite():
    w = dl.tensor([1.0, 2.0], requires_grad=True)
    w.grad = dl.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    assert np.isinf(nn.utils.clip_grad_norm_([w], 1.0).item())


def test_clip_grad_value_matches_torch():
    torch = torch_or_skip()
    grads = _grads(seed=1, scale=2.0)
    ours = [dl.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad, t.grad = dl.tensor(g.copy()), torch.tensor(g.copy())
    assert nn.utils.clip_grad_value_(ours, 0.7) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.grad.data, t.grad.numpy())


def test_tensor_dataset_and_loader_give_torchs_batches():
    torch = torch_or_skip()
    X = np.arange(20.0, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    ours = list(DataLoader(TensorDataset(dl.tensor(X), dl.tensor(y)), batch_size=4))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)), 4))
    assert len(ours) == len(theirs) == 3
    for (xb, yb), (txb, tyb) in zip(ours, theirs):
        np.testing.assert_array_equal(xb.data, txb.numpy())
        assert yb.tolist() == tyb.tolist() and str(yb.dtype) == "int64"


class Squares(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return float(i), i * i


def test_custom_dataset_collates_numbers_like_torch():
    torch = torch_or_skip()
    (xb, yb), *_ = DataLoader(Squares(), batch_size=3)
    (txb, tyb), *_ = torch.utils.data.DataLoader(Squares(), batch_size=3)
    assert xb.tolist() == txb.tolist() and yb.tolist() == tyb.tolist()
    assert str(yb.dtype) == "int64" and str(xb.dtype) == str(txb.dtype).removeprefix("torch.")


def test_shuffle_visits_every_sample_once_and_drop_last():
    loader = DataLoader(TensorDataset(dl.arange(10)), batch_size=3, shuffle=True, generator=dl.Generator())
    seen = sorted(v for (batch,) in loader for v in batch.tolist())
    assert seen == list(range(10)) and len(loader) == 4
    assert len(DataLoader(TensorDataset(dl.arange(10)), batch_size=3, drop_last=True)) == 3
    assert loader.dataset is not None


def test_random_split_is_a_partition():
    parts = random_split(TensorDataset(dl.arange(10)), [7, 3], generator=dl.Generator().manual_seed(0))
    values = sorted(part[i][0].item() for part in parts for i in range(len(part)))
    assert [len(p) for p in parts] == [7, 3] and values == list(range(10))


def test_course_dataloader_takes_a_dataset_or_a_list_of_pairs():
    from dlcourse.data import DataLoader as CourseLoader

    pairs = [(np.ones(3, np.float32) * i, i) for i in range(5)]  # a torch-style list of (x, y) samples
    batches = list(CourseLoader(pairs, batch_size=2))
    assert [yb.tolist() for _, yb in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0][0].shape == (2, 3)
    xb, yb = next(iter(CourseLoader(np.zeros((4, 2)), np.arange(4), batch_size=2)))  # the arrays form still works
    assert xb.shape == (2, 2)


def test_loader_errors_name_the_problem():
    with pytest.raises(TypeError, match="TensorDataset"):
        DataLoader(5)
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(dl.zeros(3), dl.zeros(4))
    with pytest.raises(RuntimeError, match="same shape"):
        list(DataLoader([(np.zeros(2), 0), (np.zeros(3), 1)], batch_size=2))
