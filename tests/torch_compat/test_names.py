"""Module-level names, Tensor methods, dtypes and keywords with PyTorch's meaning (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from tests.parity import assert_matches_torch, torch_or_skip


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.tensor([1, 0, 4]),
        lambda lib: lib.tensor([1.0, 2.5]),
        lambda lib: lib.tensor(3),
        lambda lib: lib.tensor([True, False]),
        lambda lib: lib.tensor([1, 2]) * 0.5,
        lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 2]),
        lambda lib: lib.tensor([1, 2]) + lib.tensor([0.5, 0.5]),
        lambda lib: lib.tensor([1.0, 2.0]) * lib.tensor([2, 3]),
        lambda lib: lib.arange(5),
        lambda lib: lib.arange(0, 1, 0.25),
        lambda lib: lib.zeros(2, 3, dtype=lib.long),
        lambda lib: lib.ones(size=(2,)),
        lambda lib: lib.full((2,), 7),
        lambda lib: lib.eye(3),
        lambda lib: lib.linspace(-1, 1, 5),
        lambda lib: lib.tensor([[1.0, 2.0]]).type(lib.float64),
        lambda lib: lib.tensor([1.7, -2.2]).long(),
        lambda lib: lib.tensor([1.0, 2.0]) > 1.5,
    ],
)
def test_values_and_dtypes_match_torch(make):
    torch = torch_or_skip()
    ours, theirs = make(dl), make(torch)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(np.asarray(ours), theirs.numpy(), rtol=1e-6)
    assert ours.size() == tuple(theirs.size()) and ours.numel() == theirs.numel() and ours.dim() == theirs.dim()


def test_arange_has_no_accumulated_rounding():
    assert dl.arange(-8, 8, 0.1)[80].item() == 0.0  # the example: was -7.6e-6
    assert dl.arange(-8, 8, 0.1).shape == (160,)


def test_dtype_aliases():
    assert dl.float is dl.float32 and dl.double is dl.float64 and dl.long is dl.int64
    assert dl.tensor([1.0]).dtype == dl.float and dl.tensor([1]).dtype == dl.long
    assert dl.tensor([1, 2], dtype=dl.float32).dtype == np.float32
    assert dl.tensor([1.0]).type() == "torch.FloatTensor"
    with pytest.raises(RuntimeError, match="floating point"):
        dl.tensor([1, 2], requires_grad=True)  # as torch: integers have no gradient


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: lib.sin(x) * lib.cos(y),
        lambda lib, x, y: lib.matmul(x, y.t()),
        lambda lib, x, y: lib.mm(x, y.T),
        lambda lib, x, y: lib.dot(x[0], y[1]),
        lambda lib, x, y: lib.relu(x - 0.2),
        lambda lib, x, y: lib.cat([x, y], dim=1),
        lambda lib, x, y: lib.stack([x, y], dim=0),
        lambda lib, x, y: x.pow(3).mul(y).add(1.0),
        lambda lib, x, y: x.norm(),
        lambda lib, x, y: x.norm(dim=1),
        lambda lib, x, y: x.softmax(dim=1),
        lambda lib, x, y: x.log10(),
        lambda lib, x, y: x.clone() * 2,
        lambda lib, x, y: x.sum(dim=0, keepdim=True),
        lambda lib, x, y: x.mean(dim=-1),
        lambda lib, x, y: lib.max(x, 1)[0],
        lambda lib, x, y: x.max(dim=0).values,
        lambda lib, x, y: x.view(-1),
        lambda lib, x, y: x.transpose(0, 1),
        lambda lib, x, y: x.var(dim=1),
        lambda lib, x, y: x.std(),
        lambda lib, x, y: lib.maximum(x, y),
        lambda lib, x, y: lib.where(x > y, x, y),
        lambda lib, x, y: x.expand(2, 2, 3),
    ],
)
def test_functions_and_methods_match_torch(fn):
    torch = torch_or_skip()
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.2, 1.0, (2, 2, 3))
    assert_matches_torch(lambda a, b: fn(dl, a, b), lambda a, b: fn(torch, a, b), [x, y])


def test_argmax_and_max_with_dim_give_indices():
    torch = torch_or_skip()
    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], np.float32)
    _, ours = dl.max(dl.tensor(a), 1)
    _, theirs = torch.max(torch.tensor(a), 1)
    assert ours.tolist() == theirs.tolist() and ours.dtype == np.int64
    assert dl.argmax(dl.tensor(a), dim=1).tolist() == torch.argmax(torch.tensor(a), dim=1).tolist()


def test_grad_fn_and_backward_gradient_keyword():
    x = dl.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    assert x.grad_fn is None and y.grad_fn is not None
    y.backward(gradient=dl.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [3.0, 1.5]


def test_generators_reproduce_and_manual_seed_resets():
    a = dl.randn(3, generator=dl.Generator().manual_seed(1))
    b = dl.randn(size=(3,), generator=dl.Generator().manual_seed(1))
    assert a.tolist() == b.tolist()
    dl.manual_seed(5)
    first = dl.rand(2).tolist(), dl.randint(0, 10, (4,)).tolist()
    dl.manual_seed(5)
    assert (dl.rand(2).tolist(), dl.randint(0, 10, (4,)).tolist()) == first
    assert dl.randint(3, (5,)).dtype == np.int64
    assert dl.rand_like(dl.zeros(2, 2)).shape == dl.randn_like(dl.zeros(2, 2)).shape == (2, 2)


def test_from_numpy_shares_memory_and_tensor_copies():
    array = np.zeros(3)
    shared, copied = dl.from_numpy(array), dl.tensor(array)
    array[0] = 1.0
    assert shared[0].item() == 1.0 and copied[0].item() == 0.0


def test_save_and_load_tensors_and_state_dicts(tmp_path):
    from dlcourse import nn

    model = nn.Linear(3, 2)
    dl.save(model.state_dict(), tmp_path / "model.pt")
    copy = nn.Linear(3, 2, seed=7)
    copy.load_state_dict(dl.load(tmp_path / "model.pt"))
    np.testing.assert_array_equal(copy.weight.data, model.weight.data)
    dl.save({"step": 3, "x": dl.arange(4)}, tmp_path / "mixed.pt")
    loaded = dl.load(tmp_path / "mixed.pt")
    assert loaded["step"] == 3 and loaded["x"].tolist() == [0, 1, 2, 3]


def test_load_refuses_files_that_would_run_code(tmp_path):
    import pickle

    (tmp_path / "evil.pt").write_bytes(pickle.dumps(print))
    with pytest.raises(pickle.UnpicklingError, match="only loads files written by dl.save"):
        dl.load(tmp_path / "evil.pt")


def test_cpu_is_the_only_device():
    x = dl.tensor([1.0])
    assert x.to("cpu") is x and x.cpu() is x and x.device == "cpu"
    assert x.to(dl.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to("cuda")
    assert not dl.cuda.is_available()
    assert dl.device("cpu").type == "cpu"


def test_mean_of_an_empty_tensor_is_nan_like_torch():
    torch = torch_or_skip()
    assert np.isnan(dl.zeros(0).mean().item()) and np.isnan(torch.zeros(0).mean().item())
    assert dl.zeros(0, 3).mean(dim=0).shape == tuple(torch.zeros(0, 3).mean(dim=0).shape) == (3,)


def test_cross_entropy_with_probability_targets_matches_torch():
    # torch's CrossEntropyLoss docstring, second example: target = torch.randn(3, 5).softmax(dim=1)
    torch = torch_or_skip()
    rng = np.random.default_rng(4)
    logits, raw = rng.standard_normal((2, 3, 5))
    probabilities = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    for reduction in ("mean", "sum", "none"):
        assert_matches_torch(
            lambda x, p, r=reduction: dl.nn.functional.cross_entropy(x, p, reduction=r),
            lambda x, p, r=reduction: torch.nn.functional.cross_entropy(x, p, reduction=r),
            [logits, probabilities],
        )


@pytest.mark.parametrize("padding", [0, 1, (1, 0)])
@pytest.mark.parametrize("unbatched", [False, True])
def test_max_pool_padding_and_unbatched_images_match_torch(padding, unbatched):
    torch = torch_or_skip()
    x = np.random.default_rng(5).standard_normal((2, 3, 5, 6))
    x = x[0] if unbatched else x
    assert_matches_torch(
        lambda t: dl.nn.MaxPool2d(2, 2, padding=padding)(t),
        lambda t: torch.nn.MaxPool2d(2, 2, padding=padding)(t),
        [x],
    )


def test_conv_and_avg_pool_accept_one_unbatched_image_like_torch():
    torch = torch_or_skip()
    rng = np.random.default_rng(6)
    image, weight, bias = rng.standard_normal((3, 7, 7)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    assert_matches_torch(
        lambda x, w, b: dl.nn.functional.avg_pool2d(dl.nn.functional.conv2d(x, w, b, padding=1), 2),
        lambda x, w, b: torch.nn.functional.avg_pool2d(torch.nn.functional.conv2d(x, w, b, padding=1), 2),
        [image, weight, bias],
    )
    layer = dl.nn.Conv2d(3, 4, 3)
    assert layer(dl.tensor(image.astype(np.float32))).shape == (4, 5, 5)
