"""In-place operations follow PyTorch's rules (issue 15): same values, same errors, same gradients."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn
from tests.parity import torch_or_skip


def _regression(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    return dl.tensor(x), dl.tensor(y)


def test_the_tutorial_update_in_a_parameters_loop_trains_the_model():
    # The silent bug of issue 15: `p -= lr * p.grad` rebound p and nothing was updated.
    x, y = _regression()
    model = nn.Sequential(nn.Linear(3, 1))
    losses = []
    for _ in range(50):
        loss = ((model(x) - y) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with dl.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.01 * losses[0]


def test_in_place_update_keeps_the_same_tensor_and_array():
    w = dl.tensor([1.0, 2.0], requires_grad=True)
    array = w.data
    (w * w).sum().backward()
    with dl.no_grad():
        w -= 0.5 * w.grad
    assert np.shares_memory(w.data, array) and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.data, [0.0, 0.0])


def test_in_place_on_a_leaf_that_requires_grad_outside_no_grad_raises_like_torch():
    torch = torch_or_skip()
    w = dl.tensor([1.0, 2.0], requires_grad=True)
    tw = torch.tensor([1.0, 2.0], requires_grad=True)
    for change in (lambda t: t.add_(1), lambda t: t.__isub__(1), lambda t: t.zero_()):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad") as ours:
            change(w)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            change(tw)
        assert "no_grad" in str(ours.value)  # ours also says what to do


def test_changing_a_tensor_saved_for_backward_raises_at_backward_like_torch():
    torch = torch_or_skip()
    for lib in (dl, torch):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = lib.tensor([0.5, 0.5, 0.5])
        y = (w * x).sum()  # Mul saves x
        x.add_(1.0)  # ... which changes now
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()
        e = w.exp()  # Exp saves its output
        e.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            e.sum().backward()


def test_updating_a_weight_between_forward_and_backward_is_caught():
    # The classic mistake: step before backward of a graph that used the old weights.
    w = dl.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with dl.no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match="version 1; expected version 0"):
        loss.backward()


@pytest.mark.parametrize(
    "change",
    [
        lambda t, o: t.add_(o),
        lambda t, o: t.sub_(o, alpha=2.0),
        lambda t, o: t.mul_(o),
        lambda t, o: t.div_(o),
        lambda t, o: t.__iadd__(o),
        lambda t, o: t.__imul__(o),
        lambda t, o: t.clamp_(-0.5, 0.5),
        lambda t, o: t.copy_(o),
        lambda t, o: t.zero_(),
        lambda t, o: t.fill_(0.25),
        lambda t, o: t.__setitem__(1, 0.0),
        lambda t, o: t.__setitem__(slice(0, 2), o[:2]),
    ],
)
def test_in_place_ops_inside_a_graph_give_torchs_values_and_gradients(change):
    torch = torch_or_skip()
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.5, 1.5, (2, 4))
    results = []
    for lib in (dl, torch):
        x = lib.tensor(a, requires_grad=True)
        other = lib.tensor(b, requires_grad=True)
        h = x * 3.0  # a non-leaf: in-place is allowed and recorded
        change(h, other)
        (h * lib.tensor(np.arange(4.0))).sum().backward()
        grad_other = np.zeros(4) if other.grad is None else np.asarray(other.grad.detach())
        results.append((np.asarray(h.detach()), np.asarray(x.grad.detach()), grad_other))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_item_assignment_on_plain_tensors():
    y = dl.tensor([1, 2, 3])
    y[0] = 0
    assert y.tolist() == [0, 2, 3] and y.dtype == np.int64
    z = dl.zeros(2, 3)
    z[:, 1] = dl.tensor([5.0, 6.0])
    assert z.tolist() == [[0, 5, 0], [0, 6, 0]]


def test_in_place_errors_name_the_problem():
    x = dl.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast"):
        x += 0.5  # torch: result type Float can't be cast to the desired output type Long
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        dl.zeros(3).add_(dl.ones(2, 3))


def test_grad_is_a_tensor_with_torchs_idioms():
    x = dl.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert isinstance(x.grad, dl.Tensor)
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]
    (x * x).sum().backward()
    x.grad.data[...] = 0  # .data is the NumPy array: NumPy writes work too
    assert x.grad.tolist() == [0.0, 0.0]
    x.grad = None
    with pytest.raises(RuntimeError, match="shape"):
        x.grad = np.zeros(3)


def test_numpy_array_updated_with_a_tensor_gradient():
    # Chapters write `p.data -= lr * p.grad` with .data the NumPy array: it must keep working.
    w = dl.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data -= 0.25 * w.grad
    np.testing.assert_allclose(w.data, [0.5, 1.0])
