"""Loss modules against PyTorch's (values and input gradients, every reduction), plus HingeLoss."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn
from tests.parity import torch_or_skip

RNG = np.random.default_rng(0)
PREDICTION = RNG.normal(size=(6, 3))
TARGET = RNG.normal(size=(6, 3))
PROBABILITIES = RNG.uniform(0.05, 0.95, size=(6, 3))
BINARY = (RNG.uniform(size=(6, 3)) > 0.5).astype(np.float64)
CLASSES = np.array([0, 2, 1, 2, 0, 1])

CASES = [
    ("MSELoss", {}, PREDICTION, TARGET),
    ("L1Loss", {}, PREDICTION, TARGET),
    ("HuberLoss", {}, PREDICTION, TARGET),
    ("HuberLoss", {"delta": 0.5}, PREDICTION, TARGET),
    ("BCELoss", {}, PROBABILITIES, BINARY),
    ("BCEWithLogitsLoss", {}, PREDICTION, BINARY),
    ("CrossEntropyLoss", {}, PREDICTION, CLASSES),
    ("NLLLoss", {}, np.log(PROBABILITIES / PROBABILITIES.sum(axis=1, keepdims=True)), CLASSES),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, options, prediction, target", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_loss_module_matches_torch(name, options, prediction, target, reduction):
    torch = torch_or_skip()
    ours = getattr(nn, name)(reduction=reduction, **options)
    theirs = getattr(torch.nn, name)(reduction=reduction, **options)
    x_ours = dl.tensor(prediction.copy(), requires_grad=True)
    x_torch = torch.tensor(prediction.copy(), requires_grad=True)
    loss_ours = ours(x_ours, dl.tensor(target))
    loss_torch = theirs(x_torch, torch.tensor(target))
    np.testing.assert_allclose(loss_ours.data, loss_torch.detach().numpy(), rtol=1e-9, atol=1e-12)
    weights = np.random.default_rng(1).uniform(0.5, 1.5, size=loss_ours.shape)
    (loss_ours * dl.tensor(weights)).sum().backward()
    (loss_torch * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x_ours.grad, x_torch.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_hinge_loss(reduction, margin):
    torch = torch_or_skip()
    scores = np.array([2.0, 0.3, -0.4, -2.0, 0.9, -0.1])
    labels = np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])
    x_ours = dl.tensor(scores.copy(), requires_grad=True)
    loss = nn.HingeLoss(reduction=reduction, margin=margin)(x_ours, dl.tensor(labels))
    x_torch = torch.tensor(scores.copy(), requires_grad=True)
    per_example = torch.clamp(margin - torch.tensor(labels) * x_torch, min=0)
    expected = {"mean": per_example.mean(), "sum": per_example.sum(), "none": per_example}[reduction]
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-12)
    loss.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x_ours.grad, x_torch.grad.numpy(), rtol=1e-12)


def test_reduction_is_checked_and_shown():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="average")
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.HuberLoss(reduction="sum", delta=2.0)) == "HuberLoss(reduction='sum', delta=2.0)"


def test_losses_have_no_parameters_and_train_a_model():
    model = nn.Linear(3, 1, seed=0)
    loss_fn = nn.MSELoss()
    assert list(loss_fn.parameters()) == []
    x = dl.tensor(np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32))
    y = x @ dl.tensor(np.array([[1.0], [-2.0], [0.5]], np.float32))
    before = loss_fn(model(x), y).item()
    for _ in range(100):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    assert loss.item() < 0.01 * before
