"""Layers against PyTorch: weights copied with load_state_dict, outputs and every gradient compared."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn
from tests.parity import torch_or_skip


def assert_module_matches_torch(ours, theirs, x, rtol=1e-9, atol=1e-10):
    """Copy torch's weights into ours (float64), then compare outputs, input gradients and parameter gradients."""
    torch = torch_or_skip()
    theirs = theirs.double()
    ours.load_state_dict(theirs.state_dict())
    x_ours = dl.tensor(x.copy(), requires_grad=True)
    x_torch = torch.tensor(x.copy(), requires_grad=True)
    out_ours, out_torch = ours(x_ours), theirs(x_torch)
    assert out_ours.dtype == np.float64
    np.testing.assert_allclose(out_ours.data, out_torch.detach().numpy(), rtol=rtol, atol=atol, err_msg="output")
    weights = np.random.default_rng(1).uniform(0.5, 1.5, size=out_ours.shape)
    (out_ours * dl.tensor(weights)).sum().backward()
    (out_torch * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x_ours.grad, x_torch.grad.numpy(), rtol=rtol, atol=atol, err_msg="input gradient")
    our_params = dict(ours.named_parameters())
    torch_params = dict(theirs.named_parameters())
    assert list(our_params) == list(torch_params)
    for name, p in torch_params.items():
        np.testing.assert_allclose(our_params[name].grad, p.grad.numpy(), rtol=rtol, atol=atol, err_msg=name)
    return out_ours


def randn(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# ---------------------------------------------------------------------------------------- Linear
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5), (5,)])
def test_linear_matches_torch(shape, bias):
    torch = torch_or_skip()
    assert_module_matches_torch(
        nn.Linear(5, 3, bias=bias, dtype=np.float64), torch.nn.Linear(5, 3, bias=bias), randn(*shape)
    )


def test_linear_shape_error_names_the_layer_and_shape():
    layer = nn.Linear(4, 3)
    with pytest.raises(dl.ShapeError) as error:
        layer(dl.tensor(np.zeros((8, 5), np.float32)))
    assert str(error.value) == "Linear(4 → 3) expects inputs with 4 features in the last axis, got shape (8, 5)"


def test_linear_default_init_like_torch():
    layer = nn.Linear(400, 300, seed=0)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32 and np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.99 * bound  # uniform over the whole interval ...
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.01)  # ... U(-b, b)
    np.testing.assert_array_equal(nn.Linear(400, 300, seed=0).weight.data, layer.weight.data)
    assert not np.allclose(nn.Linear(400, 300, seed=1).weight.data, layer.weight.data)


def test_float32_by_default():
    layer = nn.Linear(3, 2)
    out = layer(dl.tensor(np.ones((4, 3), np.float32)))
    assert layer.weight.dtype == np.float32 and out.dtype == np.float32


# ---------------------------------------------------------------------------------------- Conv2d
@pytest.mark.parametrize(
    "args, kwargs, shape",
    [
        ((2, 4, 3), {}, (2, 2, 7, 6)),
        ((3, 5, (3, 2)), dict(stride=2, padding=1), (2, 3, 8, 9)),
        ((1, 2, 3), dict(padding=1, bias=False), (3, 1, 5, 5)),
        ((2, 3, 1), dict(stride=(2, 1)), (1, 2, 5, 4)),
    ],
)
def test_conv2d_matches_torch(args, kwargs, shape):
    torch = torch_or_skip()
    assert_module_matches_torch(
        nn.Conv2d(*args, **kwargs, dtype=np.float64), torch.nn.Conv2d(*args, **kwargs), randn(*shape)
    )


def test_conv2d_default_init_and_errors():
    conv = nn.Conv2d(4, 8, 3, seed=0)
    bound = 1 / np.sqrt(4 * 3 * 3)
    assert conv.weight.shape == (8, 4, 3, 3) and conv.bias.shape == (8,)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound
    with pytest.raises(dl.ShapeError, match=r"expects inputs of shape \(N, 4, H, W\), got shape \(2, 3, 5, 5\)"):
        conv(dl.tensor(np.zeros((2, 3, 5, 5), np.float32)))
    with pytest.raises(TypeError, match="kernel_size"):
        nn.Conv2d(1, 1, 2.5)


# ---------------------------------------------------------------------------------------- pooling, flatten
@pytest.mark.parametrize(
    "ours, theirs, shape",
    [
        (lambda: nn.MaxPool2d(2), lambda t: t.nn.MaxPool2d(2), (2, 3, 6, 6)),
        (lambda: nn.MaxPool2d(3, stride=2), lambda t: t.nn.MaxPool2d(3, stride=2), (1, 2, 7, 8)),
        (lambda: nn.AvgPool2d(2), lambda t: t.nn.AvgPool2d(2), (2, 3, 6, 4)),
        (lambda: nn.AvgPool2d(3, stride=1), lambda t: t.nn.AvgPool2d(3, stride=1), (1, 2, 5, 5)),
        (lambda: nn.Flatten(), lambda t: t.nn.Flatten(), (2, 3, 4, 5)),
        (lambda: nn.Flatten(0), lambda t: t.nn.Flatten(0), (2, 3, 4)),
        (lambda: nn.Flatten(1, 2), lambda t: t.nn.Flatten(1, 2), (2, 3, 4, 5)),
    ],
    ids=["max2", "max3s2", "avg2", "avg3s1", "flatten", "flatten0", "flatten12"],
)
def test_shape_layers_match_torch(ours, theirs, shape):
    torch = torch_or_skip()
    out = assert_module_matches_torch(ours(), theirs(torch), randn(*shape))
    assert out.shape == tuple(theirs(torch)(torch.zeros(shape)).shape)


def test_flatten_needs_enough_axes():
    with pytest.raises(dl.ShapeError, match=r"got shape \(4,\)"):
        nn.Flatten()(dl.tensor(np.zeros(4)))


# ---------------------------------------------------------------------------------------- activations
ACTIVATIONS = [
    ("ReLU", (), {}),
    ("LeakyReLU", (0.2,), {}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("ELU", (0.5,), {}),
    ("GELU", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("Softmax", (), {"dim": 1}),
    ("Softmax", (0,), {}),
    ("LogSoftmax", (), {"dim": -1}),
    ("Identity", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs", ACTIVATIONS, ids=[f"{n}{a}{k}" for n, a, k in ACTIVATIONS])
def test_activation_matches_torch(name, args, kwargs):
    torch = torch_or_skip()
    x = randn(4, 5)
    x[0, 0] = 0.0  # the kink of ReLU-like functions: both libraries use derivative 0 there
    assert_module_matches_torch(getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs), x)


def test_softmax_axis_alias():
    x = dl.tensor(randn(3, 4))
    np.testing.assert_allclose(nn.Softmax(axis=0)(x).data.sum(axis=0), np.ones(4))
    assert repr(nn.Softmax(axis=0)) == "Softmax(dim=0)"


# ---------------------------------------------------------------------------------------- Dropout
def test_dropout_scales_survivors_and_is_identity_in_eval():
    x = dl.tensor(np.ones((200, 500)), requires_grad=True)
    drop = nn.Dropout(0.3, seed=0)
    y = drop(x)
    kept = y.data != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)  # survivors scaled by 1/(1-p)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.7)  # the gradient goes through the same mask
    drop.eval()
    assert not drop.training
    np.testing.assert_array_equal(drop(x).data, x.data)
    drop.train()
    assert (drop(x).data == 0).any()


def test_dropout_is_deterministic_per_seed_and_fresh_per_call():
    x = dl.tensor(np.ones((50, 50)))
    a, b = nn.Dropout(0.5, seed=3), nn.Dropout(0.5, seed=3)
    first = a(x).data
    np.testing.assert_array_equal(first, b(x).data)
    assert not np.array_equal(first, a(x).data)  # a new mask on every call
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).data, x.data)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.Dropout(1.5)


def test_model_eval_switches_dropout_off():
    model = nn.Sequential(nn.Linear(10, 10, seed=0), nn.Dropout(0.5, seed=0))
    x = dl.tensor(np.ones((4, 10), np.float32))
    model.eval()
    np.testing.assert_allclose(model(x).data, model[0](x).data)
    model.train()
    assert not np.allclose(model(x).data, model[0](x).data)


# ---------------------------------------------------------------------------------------- Sequential
def test_sequential_container_behaviour():
    layers = [nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    assert head(dl.tensor(np.ones((5, 2), np.float32))).shape == (5, 4)
    model.append(nn.Sigmoid())
    assert len(model) == 4 and isinstance(model[3], nn.Sigmoid)
    with pytest.raises(IndexError, match="out of range"):
        model[7]
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("out", nn.Linear(3, 1))]))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    with pytest.raises(TypeError, match="forget the parentheses"):
        nn.Sequential(nn.Linear(2, 2), nn.ReLU)


def test_module_list_registers_its_modules():
    blocks = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    assert list(blocks.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert len(blocks) == 2 and blocks[1] is list(blocks)[1]


def test_w1_mlp_matches_torch():
    torch = torch_or_skip()
    ours = nn.Sequential(nn.Linear(2, 4, dtype=np.float64), nn.Tanh(), nn.Linear(4, 1, dtype=np.float64), nn.Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    assert_module_matches_torch(ours, theirs, np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64))


def test_w3_cnn_matches_torch():
    torch = torch_or_skip()

    def build(lib, **kw):
        return lib.Sequential(
            lib.Conv2d(1, 8, 3, padding=1, **kw), lib.ReLU(), lib.MaxPool2d(2),
            lib.Conv2d(8, 16, 3, padding=1, **kw), lib.ReLU(), lib.MaxPool2d(2),
            lib.Flatten(), lib.Linear(64, 10, **kw),
        )  # fmt: skip

    ours = build(nn, dtype=np.float64)
    theirs = build(torch.nn)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()
    }
    assert_module_matches_torch(ours, theirs, randn(5, 1, 8, 8))
