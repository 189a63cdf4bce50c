"""Losses: gradcheck of every loss and reduction, stability at extreme inputs, and the errors learners meet."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.nn import functional as F
from tests.parity import assert_matches_torch, torch_or_skip

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(0)
LABELS = np.array([0, 3, 1, 1, 2, 3])


def leaf(array):
    return dl.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


# name -> (loss function of two tensors, input array, target array or labels, whether the target gets a gradient)
CASES = {
    "mse": (F.mse_loss, RNG.standard_normal((6, 3)), RNG.standard_normal((6, 3)), True),
    "l1": (F.l1_loss, RNG.standard_normal((6, 3)), RNG.standard_normal((6, 3)), True),
    "huber": (  # differences both inside and outside delta = 0.7
        lambda x, t, **kw: F.huber_loss(x, t, delta=0.7, **kw),
        2 * RNG.standard_normal((6, 3)),
        RNG.standard_normal((6, 3)),
        True,
    ),
    "bce": (F.binary_cross_entropy, RNG.uniform(0.05, 0.95, (6, 3)), RNG.uniform(0, 1, (6, 3)), True),
    "bce_logits": (
        F.binary_cross_entropy_with_logits,
        3 * RNG.standard_normal((6, 3)),
        RNG.uniform(0, 1, (6, 3)),
        True,
    ),
    "cross_entropy": (F.cross_entropy, 2 * RNG.standard_normal((6, 4)), LABELS, False),
    "nll": (F.nll_loss, RNG.standard_normal((6, 4)), LABELS, False),
    "hinge_binary": (F.hinge_loss, RNG.standard_normal(8), np.array([1, -1, -1, 1, 1, -1, 1, -1]), False),
    "hinge_binary_01": (
        F.hinge_loss,
        RNG.standard_normal((8, 1)),
        np.array([[1], [0], [0], [1], [1], [0], [1], [0]]),
        False,
    ),
    "hinge_multiclass": (F.hinge_loss, RNG.standard_normal((6, 4)), LABELS, False),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_every_loss(name, reduction):
    loss, x, target, target_grad = CASES[name]
    inputs = [leaf(x), leaf(target) if target_grad else target]
    if reduction != "none":
        assert loss(*inputs, reduction=reduction).shape == ()
    assert dl.gradcheck(lambda x, t: loss(x, t, reduction=reduction), *inputs)


def test_reduction_none_keeps_one_loss_per_element_or_row():
    for name, (loss, x, target, _) in CASES.items():
        per_item = loss(x, target, reduction="none")
        rows = name in ("cross_entropy", "nll", "hinge_multiclass")
        assert per_item.shape == ((x.shape[0],) if rows else x.shape), name
        np.testing.assert_allclose(loss(x, target, reduction="sum").item(), per_item.data.sum(), rtol=1e-12)
        np.testing.assert_allclose(loss(x, target).item(), per_item.data.mean(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_finite_and_matches_torch_for_logits_of_1000(dtype):
    torch = torch_or_skip()
    logits = np.array([[1000, -1000, 0], [-1000, 1000, 999], [0, 0, 0], [-1000, -1000, -1000]], dtype)
    labels = np.array([1, 2, 0, 2])
    out = F.cross_entropy(dl.tensor(logits, requires_grad=True), labels)
    assert np.isfinite(out.item())
    assert_matches_torch(
        lambda z, y: F.cross_entropy(z, y, reduction="none"),
        lambda z, y: torch.nn.functional.cross_entropy(z, y, reduction="none"),
        [logits, labels],
    )


def test_cross_entropy_equals_log_softmax_plus_nll():
    logits, labels = leaf(3 * RNG.standard_normal((5, 7))), RNG.integers(0, 7, 5)
    fused = F.cross_entropy(logits, labels, reduction="none")
    composed = F.nll_loss(F.log_softmax(logits, axis=1), labels, reduction="none")
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-12)


def test_binary_cross_entropy_clamps_log_at_minus_100_like_torch():
    torch = torch_or_skip()
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    out = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_allclose(out.data, [100, 100, 0, 0, np.log(2)], rtol=1e-12)
    assert_matches_torch(
        lambda p, t: F.binary_cross_entropy(p, t, reduction="none"),
        lambda p, t: torch.nn.functional.binary_cross_entropy(p, t, reduction="none"),
        [p, t],
        requires_grad=[True, False],
        rtol=1e-7,
    )


def test_binary_cross_entropy_with_logits_is_stable():
    torch = torch_or_skip()
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0], np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0], np.float32)
    out = F.binary_cross_entropy_with_logits(z, t, reduction="none")
    np.testing.assert_allclose(out.data, [0, 0, 1000, 1000, np.log(2)], rtol=1e-6)
    assert_matches_torch(
        lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction="none"),
        lambda z, t: torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="none"),
        [z, t],
    )


def test_hinge_loss_values_and_label_mapping():
    scores = np.array([2.0, 0.5, -0.3, -3.0])
    expected = [0.0, 0.5, 0.7, 0.0]  # max(0, 1 - y·s) for y = +1, +1, -1, -1
    np.testing.assert_allclose(F.hinge_loss(scores, np.array([1, 1, -1, -1]), reduction="none").data, expected)
    np.testing.assert_allclose(F.hinge_loss(scores, np.array([1, 1, 0, 0]), reduction="none").data, expected)
    np.testing.assert_allclose(
        F.hinge_loss(scores, np.array([1, 1, 0, 0]), margin=2.0).item(), np.mean([0, 1.5, 1.7, 0])
    )


def test_targets_may_be_tensors_lists_or_int_arrays():
    x = dl.tensor([[0.2], [0.8]])
    for target in (dl.tensor([[0.0], [1.0]]), [[0], [1]], np.array([[0], [1]])):
        loss = F.binary_cross_entropy(x, target)
        np.testing.assert_allclose(loss.item(), -np.log(0.8), rtol=1e-6)
        assert loss.dtype == np.float32
    np.testing.assert_allclose(
        F.cross_entropy(dl.tensor([[0.0, 0.0]]), dl.tensor(np.array([1]))).item(), np.log(2), rtol=1e-6
    )
    np.testing.assert_allclose(F.cross_entropy(dl.tensor([[0.0, 0.0]]), [1]).item(), np.log(2), rtol=1e-6)


# ------------------------------------------------------------------------------------------ errors
def test_error_mse_loss_target_shape_differs():
    with pytest.raises(
        ValueError,
        match=r"mse_loss: input \(32, 1\) and target \(32,\) shapes differ; reshape the target with y.reshape\(-1, 1\)",
    ):
        F.mse_loss(np.zeros((32, 1)), np.zeros(32))
    with pytest.raises(
        ValueError, match=r"l1_loss: input \(4,\) and target \(4, 1\) shapes differ; flatten the target"
    ):
        F.l1_loss(np.zeros(4), np.zeros((4, 1)))


def test_error_cross_entropy_label_out_of_range():
    labels = np.array([1, 0, 9, 12, 3])
    with pytest.raises(ValueError, match=r"labels must be in \[0, C\) for C=10 classes; got 12 at position 3"):
        F.cross_entropy(np.zeros((5, 10)), labels)
    with pytest.raises(ValueError, match=r"got -1 at position 0"):
        F.nll_loss(np.zeros((2, 10)), np.array([-1, 0]))


def test_error_cross_entropy_float_labels():
    with pytest.raises(TypeError, match=r"cross_entropy: labels must be integer class indices, got dtype float32"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0], np.float32))


def test_error_cross_entropy_logits_not_2d():
    with pytest.raises(ValueError, match=r"cross_entropy expects logits of shape \(N, C\), got \(2, 3, 4\)"):
        F.cross_entropy(np.zeros((2, 3, 4)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"got \(10,\); for a single example use logits.reshape\(1, -1\)"):
        F.cross_entropy(np.zeros(10), np.array([3]))


def test_error_cross_entropy_n_mismatch():
    with pytest.raises(
        ValueError, match=r"logits \(32, 10\) have N=32 rows, so labels need shape \(32,\), got \(30,\)"
    ):
        F.cross_entropy(np.zeros((32, 10)), np.zeros(30, int))
    with pytest.raises(ValueError, match=r"got \(4, 1\); flatten them with labels.reshape\(-1\)"):
        F.cross_entropy(np.zeros((4, 10)), np.zeros((4, 1), int))


@pytest.mark.parametrize("name", list(CASES))
def test_error_unknown_reduction(name):
    loss, x, target, _ = CASES[name]
    with pytest.raises(ValueError, match=r"reduction must be one of \('mean', 'sum', 'none'\), got 'average'"):
        loss(x, target, reduction="average")


def test_error_binary_cross_entropy_of_logits():
    with pytest.raises(ValueError, match=r"input must be probabilities in \[0, 1\].*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(np.array([-2.0, 3.0]), np.array([0.0, 1.0]))


def test_error_hinge_loss_targets():
    with pytest.raises(
        ValueError, match=r"hinge_loss: binary targets must be -1/\+1 \(or 0/1\), got values \[-1.0, 0.0, 1.0\]"
    ):
        F.hinge_loss(np.zeros(3), np.array([-1, 0, 1]))


def test_error_huber_delta():
    with pytest.raises(ValueError, match=r"huber_loss: delta must be positive, got 0"):
        F.huber_loss(np.zeros(3), np.zeros(3), delta=0)
