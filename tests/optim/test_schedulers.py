"""Learning-rate schedulers: the lr sequence equals PyTorch's, epoch by epoch."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import optim
from tests.parity import torch_or_skip

SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),  # 40 epochs: past T_max the cosine rises again
]


def lr_sequence(lib, name, options, epochs=40):
    """[(get_last_lr(), lrs of the groups)] over `epochs` epochs, one optimizer step per epoch."""
    a = lib.tensor(np.ones(2), requires_grad=True)
    b = lib.tensor(np.ones(2), requires_grad=True)
    opt = lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=0.1, momentum=0.9)
    scheduler = getattr(lib.optim.lr_scheduler, name)(opt, **options)
    sequence = [list(scheduler.get_last_lr())]
    for _ in range(epochs):
        opt.zero_grad()
        ((a * a).sum() + (b * b).sum()).backward()
        opt.step()
        scheduler.step()
        sequence.append([float(lr) for lr in scheduler.get_last_lr()])
        assert sequence[-1] == [float(g["lr"]) for g in opt.param_groups]
    return np.array(sequence), a


@pytest.mark.parametrize("name, options", SCHEDULES, ids=[f"{n}-{o}" for n, o in SCHEDULES])
def test_lr_sequence_matches_torch(name, options):
    torch = torch_or_skip()
    ours, a = lr_sequence(dl, name, options)
    theirs, t = lr_sequence(torch, name, options)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert len(np.unique(ours[:, 0])) > 2  # the schedule did change the lr
    np.testing.assert_allclose(a.data, t.detach().numpy(), rtol=1e-10)  # and the optimizer used it


def test_step_lr_values():
    opt = optim.SGD([dl.tensor(np.ones(1), requires_grad=True)], lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(5):
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [1, 1, 0.1, 0.1, 0.01, 0.01])


def test_cosine_reaches_eta_min_at_t_max():
    opt = optim.SGD([dl.tensor(np.ones(1), requires_grad=True)], lr=0.5)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.1)
    for _ in range(4):
        scheduler.step()
    assert scheduler.get_last_lr()[0] == pytest.approx(0.1)
    assert opt.param_groups[0]["initial_lr"] == 0.5


def test_bad_arguments():
    opt = optim.SGD([dl.tensor(np.ones(1), requires_grad=True)], lr=0.5)
    with pytest.raises(ValueError, match="step_size"):
        optim.lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        optim.lr_scheduler.CosineAnnealingLR(opt, T_max=0)
