"""Optimizers: trajectories equal to PyTorch's (float64, 30 steps, every option), readable state, errors."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import optim
from tests.parity import torch_or_skip

STEPS = 30

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.005, alpha=0.9, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.1, eps=1e-4)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]


def make_problem(seed=0):
    """Initial parameters and data of a small tanh MLP regression (float64)."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(1, 5)), rng.normal(size=1)]
    x = rng.normal(size=(16, 3))
    y = np.sin(x.sum(axis=1, keepdims=True))
    return params, x, y


def mlp_loss(params, x, y):
    """The same expression for dlcourse tensors and torch tensors."""
    w1, b1, w2, b2 = params
    prediction = (x @ w1.T + b1).tanh() @ w2.T + b2
    return ((prediction - y) ** 2).mean()


def run_ours(name, options, groups=None, steps=STEPS):
    arrays, x, y = make_problem()
    params = [dl.tensor(a.copy(), requires_grad=True) for a in arrays]
    spec = params if groups is None else groups(params)
    opt = getattr(optim, name)(spec, **options)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        mlp_loss(params, dl.tensor(x), dl.tensor(y)).backward()
        opt.step()
        trajectory.append([p.data.copy() for p in params])
    return trajectory, params, opt


def run_torch(name, options, groups=None, steps=STEPS):
    torch = torch_or_skip()
    arrays, x, y = make_problem()
    params = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    spec = params if groups is None else groups(params)
    opt = getattr(torch.optim, name)(spec, **options)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        mlp_loss(params, torch.tensor(x), torch.tensor(y)).backward()
        opt.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory, params, opt


def assert_same_trajectory(ours, theirs):
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (p, q) in enumerate(zip(a, b)):
            np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-6, err_msg=f"parameter {i} after step {step + 1}")


@pytest.mark.parametrize("name, options", CONFIGS, ids=[f"{n}-{o}" for n, o in CONFIGS])
def test_trajectory_matches_torch(name, options):
    ours, _, _ = run_ours(name, options)
    theirs, _, _ = run_torch(name, options)
    assert_same_trajectory(ours, theirs)
    assert not np.allclose(ours[-1][0], make_problem()[0][0])  # the parameters did move


@pytest.mark.parametrize("name, options", CONFIGS, ids=[f"{n}-{o}" for n, o in CONFIGS])
def test_state_buffers_match_torch(name, options):
    _, our_params, our_opt = run_ours(name, options)
    _, torch_params, torch_opt = run_torch(name, options)
    for p, q in zip(our_params, torch_params):
        ours, theirs = our_opt.state[p], torch_opt.state[q]
        buffers = {k: v for k, v in theirs.items() if k != "step"}
        assert set(ours) - {"step"} == set(buffers), (set(ours), set(theirs))
        for key, value in buffers.items():
            np.testing.assert_allclose(ours[key], value.numpy(), rtol=1e-6, atol=1e-8, err_msg=key)
        if "step" in theirs:
            assert ours["step"] == int(theirs["step"]) == STEPS


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_param_groups_with_their_own_lr_match_torch(name):
    def groups(params):
        return [{"params": params[:2]}, {"params": params[2:], "lr": 0.001}]

    options = dict(lr=0.05, momentum=0.9) if name == "SGD" else dict(lr=0.01)
    ours, _, opt = run_ours(name, options, groups)
    theirs, _, _ = run_torch(name, options, groups)
    assert_same_trajectory(ours, theirs)
    assert [g["lr"] for g in opt.param_groups] == [options["lr"], 0.001]
    assert opt.param_groups[1]["params"][0] is opt.param_groups[1]["params"][0]


def test_generator_of_parameters_is_accepted():
    params = [dl.tensor(np.ones(3), requires_grad=True)]
    opt = optim.SGD((p for p in params), lr=0.5)
    (params[0] * params[0]).sum().backward()
    opt.step()
    np.testing.assert_allclose(params[0].data, np.zeros(3))  # 1 - 0.5 · 2 = 0


def test_parameters_without_grad_are_skipped_and_get_no_state():
    used = dl.tensor(np.ones(2), requires_grad=True)
    unused = dl.tensor(np.full(2, 3.0), requires_grad=True)
    opt = optim.Adam([used, unused], lr=0.1)
    (used * 2).sum().backward()
    opt.step()
    np.testing.assert_array_equal(unused.data, [3.0, 3.0])
    assert unused not in opt.state and used in opt.state
    assert opt.state[used]["step"] == 1
    assert not np.allclose(used.data, 1.0)


def test_update_is_in_place_and_leaves_grad_alone():
    p = dl.tensor(np.ones(3), requires_grad=True)
    array = p.data
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.5)
    (p * dl.tensor([1.0, 2.0, 3.0])).sum().backward()
    opt.step()
    assert np.shares_memory(p.data, array)  # same array: views and plots holding it see the update
    np.testing.assert_array_equal(p.grad, [1.0, 2.0, 3.0])  # weight decay did not leak into .grad
    np.testing.assert_allclose(p.data, 1 - 0.1 * (np.array([1.0, 2.0, 3.0]) + 0.5))


def test_float32_parameters_stay_float32():
    p = dl.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    for name in ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]:
        opt = getattr(optim, name)([p], lr=0.1)
        (p * p).sum().backward()
        opt.step()
        p.grad = None
        assert p.data.dtype == np.float32, name
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray)), name


def test_zero_grad_sets_none_or_zeros():
    p = dl.tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


def test_closure_is_called_and_its_loss_returned():
    p = dl.tensor(np.array([2.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 4.0
    np.testing.assert_allclose(p.data, [1.0])  # 2 - 0.25 · 4


def test_errors_are_clear():
    p = dl.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match="single tensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([], lr=0.1)
    with pytest.raises(ValueError, match="invalid lr -1"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(TypeError, match="only optimize tensors"):
        optim.SGD([np.ones(3)], lr=0.1)
    with pytest.raises(ValueError, match="leaf"):
        optim.SGD([p * 2], lr=0.1)


def test_module_instead_of_parameters_is_explained():
    nn = pytest.importorskip("dlcourse.nn")
    with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
        optim.SGD(nn.Linear(2, 1), lr=0.1)


def test_repr_lists_hyperparameters():
    opt = optim.Adam([dl.tensor(np.ones(2), requires_grad=True)], lr=0.01)
    text = repr(opt)
    assert text.startswith("Adam (") and "lr: 0.01" in text and "betas: (0.9, 0.999)" in text
