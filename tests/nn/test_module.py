"""Module and Parameter: registration, names like PyTorch's, modes, repr, state_dict / load_state_dict."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn
from tests.parity import torch_or_skip


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Conv2d(3, 2, 3, bias=False))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 5))
        self.scale = nn.Parameter(np.ones(5))

    def forward(self, x):
        return self.head(self.features(x)) * self.scale


def torch_twin(cls):
    """The same class written against torch.nn (so names and shapes can be compared)."""
    torch = torch_or_skip()

    class Twin(torch.nn.Module):
        def __init__(self):
            super().__init__()
            if cls is TwoLayer:
                self.fc1 = torch.nn.Linear(2, 4)
                self.act = torch.nn.Tanh()
                self.fc2 = torch.nn.Linear(4, 1)
            else:
                self.features = torch.nn.Sequential(
                    torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(3, 2, 3, bias=False)
                )
                self.head = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(2 * 4 * 4, 5))
                self.scale = torch.nn.Parameter(torch.ones(5))

    Twin.__name__ = cls.__name__
    return Twin()


@pytest.mark.parametrize("cls", [TwoLayer, Nested])
def test_names_and_shapes_equal_torch(cls):
    ours = cls()
    theirs = torch_twin(cls)
    expected = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    got = {k: v.shape for k, v in ours.state_dict().items()}
    assert list(got) == list(expected)  # same keys in the same order
    assert got == expected
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]


def test_sequential_keys_and_parameters():
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    params = list(model.parameters())
    assert len(params) == 4 and all(isinstance(p, nn.Parameter) for p in params)
    assert params[0] is model[0].weight


def test_registration_follows_assignment():
    model = TwoLayer()
    model.fc1 = nn.Linear(2, 7)  # replacing keeps the position
    assert model.state_dict()["fc1.weight"].shape == (7, 2)
    model.extra = nn.Parameter(np.zeros(3))
    assert list(model.state_dict())[0] == "extra"  # a module's own parameters come before its children's
    model.plain = dl.tensor(np.zeros(3))  # a plain tensor attribute is not a parameter
    assert "plain" not in model.state_dict()
    del model.extra
    assert "extra" not in model.state_dict()
    with pytest.raises(TypeError, match="nn.Parameter"):
        model.fc1.weight = dl.tensor(np.zeros((7, 2)))


def test_bias_false_and_shared_parameters():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and list(layer.state_dict()) == ["weight"]
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2  # counted once, as in PyTorch
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_forgetting_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_train_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.ReLU()))
    assert model.eval() is model
    assert all(not m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    assert len(list(model.modules())) == 5 and len(list(model.children())) == 2


def test_zero_grad_and_requires_grad():
    model = TwoLayer()
    model(dl.tensor(np.ones((3, 2), np.float32))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_parameter_defaults():
    p = nn.Parameter([1, 2, 3])
    assert p.requires_grad and p.dtype == np.float32 and isinstance(p, dl.Tensor)
    assert nn.Parameter(np.zeros(2)).dtype == np.float64  # float arrays keep their dtype
    assert nn.Parameter(np.zeros(2), dtype=np.float32).dtype == np.float32
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2., 3.]")
    assert (p * 2).is_leaf is False and type(p * 2) is dl.Tensor  # results of ops are plain tensors


def test_repr_like_torch():
    torch = torch_or_skip()
    ours = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Sequential(nn.Linear(4, 1, bias=False), nn.Sigmoid()))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 4),
        torch.nn.Tanh(),
        torch.nn.Sequential(torch.nn.Linear(4, 1, bias=False), torch.nn.Sigmoid()),
    )
    assert repr(ours) == repr(theirs)
    assert repr(nn.Conv2d(1, 8, 3, padding=1)) == repr(torch.nn.Conv2d(1, 8, 3, padding=1))
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert "(fc1): Linear(in_features=2, out_features=4, bias=True)" in repr(TwoLayer())


def test_state_dict_is_a_snapshot():
    layer = nn.Linear(2, 2)
    saved = layer.state_dict()
    layer.weight.data += 1
    assert not np.allclose(saved["weight"], layer.weight.data)
    layer.load_state_dict(saved)
    np.testing.assert_array_equal(saved["weight"], layer.weight.data)


def test_load_torch_state_dict_keeps_our_dtype_and_arrays():
    ours = TwoLayer()
    theirs = torch_twin(TwoLayer).double()  # float64 values into our float32 parameters
    arrays = [p.data for p in ours.parameters()]
    result = ours.load_state_dict(theirs.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, p), array in zip(ours.named_parameters(), arrays):
        assert (
            np.shares_memory(p.data, array) and p.dtype == np.float32
        )  # loaded in place: an optimizer still holds them
        np.testing.assert_allclose(p.data, theirs.state_dict()[name].numpy(), rtol=1e-6)


def test_load_state_dict_errors_name_the_problem():
    layer = nn.Linear(4, 3)
    good = layer.state_dict()
    before = layer.weight.data.copy()
    with pytest.raises(RuntimeError, match=r"missing key\(s\) \['bias'\]"):
        layer.load_state_dict({"weight": good["weight"] + 1})
    with pytest.raises(RuntimeError, match=r"unexpected key\(s\) \['scale'\]"):
        layer.load_state_dict({**good, "scale": np.ones(3)})
    with pytest.raises(RuntimeError, match=r"size mismatch for 'weight'.*\(3, 5\).*\(3, 4\)"):
        layer.load_state_dict({"weight": np.zeros((3, 5)), "bias": np.full(3, 7.0)})
    np.testing.assert_array_equal(layer.weight.data, before)  # nothing was loaded by a failed call
    assert not (layer.bias.data == 7).any()
    result = layer.load_state_dict({"weight": good["weight"] + 1, "other": 1}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_allclose(layer.weight.data, before + 1)


def test_deepcopy_gives_independent_parameters():
    model = TwoLayer()
    clone = copy.deepcopy(model)
    clone.fc1.weight.data += 1
    assert not np.allclose(clone.fc1.weight.data, model.fc1.weight.data)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]


def test_forward_missing_is_explained():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_apply_visits_every_module_and_double_converts():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1)))
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "Linear", "Sequential", "Sequential"]  # children before their parent

    def zero_biases(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)

    model.apply(zero_biases)
    assert not model[0].bias.data.any() and not model[1][0].bias.data.any()
    weight = model[0].weight
    assert model.double() is model and model[0].weight is weight
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model(dl.tensor(np.ones((2, 2)))).dtype == np.float64
    assert all(p.dtype == np.float32 for p in model.float().parameters())


def test_rnn_and_lstm_are_loaded_lazily_and_a_missing_file_is_explained(monkeypatch):
    import importlib
    import sys

    assert nn.LSTM.__name__ == "LSTM" and nn.RNN.__name__ == "RNN"
    real_import = importlib.import_module

    def without_rnn(name, *args):
        if name == "dlcourse.nn.rnn":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_rnn)
    monkeypatch.delitem(sys.modules, "dlcourse.nn.rnn")
    with pytest.raises(AttributeError, match="rnn.py is missing"):
        nn.LSTM  # noqa: B018 - the attribute access is the test
    assert nn.Linear(2, 1) is not None  # the rest of dlcourse.nn is unaffected
