"""`dlcourse.nn.functional`: every function against torch.nn.functional (values and gradients), plus
softmax/dropout/linear specifics and a small CNN giving the same results under both backends."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.nn import functional as F
from tests.parity import assert_matches_torch, torch_or_skip

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5)).astype(np.float32) * 2
IMAGES = RNG.standard_normal((3, 2, 7, 6)).astype(np.float32)
KERNEL = RNG.standard_normal((4, 2, 3, 2)).astype(np.float32)
BIAS = RNG.standard_normal(4).astype(np.float32)
PROBS = RNG.uniform(0.05, 0.95, (4, 5)).astype(np.float32)
SOFT_TARGET = RNG.uniform(0, 1, (4, 5)).astype(np.float32)
LABELS = np.array([4, 0, 2, 2])
SIGNS = np.sign(RNG.standard_normal((4, 5))).astype(np.float32)


def tf():
    return torch_or_skip().nn.functional


# name -> (dlcourse function, torch function, input arrays, requires_grad per input or None for "all float")
PARITY = {
    "relu": (F.relu, lambda x: tf().relu(x), [X], None),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: tf().leaky_relu(x, 0.2), [X], None),
    "sigmoid": (F.sigmoid, lambda x: tf().sigmoid(x), [X], None),
    "tanh": (F.tanh, lambda x: tf().tanh(x), [X], None),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: tf().elu(x, 0.7), [X], None),
    "gelu": (F.gelu, lambda x: tf().gelu(x), [X], None),
    "gelu_tanh": (lambda x: F.gelu(x, "tanh"), lambda x: tf().gelu(x, approximate="tanh"), [X], None),
    "softmax": (lambda x: F.softmax(x, axis=1), lambda x: tf().softmax(x, dim=1), [X], None),
    "softmax_dim0": (lambda x: F.softmax(x, dim=0), lambda x: tf().softmax(x, dim=0), [X], None),
    "log_softmax": (lambda x: F.log_softmax(x), lambda x: tf().log_softmax(x, dim=-1), [X], None),
    "log_softmax_dim0": (lambda x: F.log_softmax(x, 0), lambda x: tf().log_softmax(x, 0), [X], None),
    "linear": (
        F.linear,
        lambda x, w, b: tf().linear(x, w, b),
        [X, RNG.standard_normal((3, 5)).astype(np.float32), RNG.standard_normal(3).astype(np.float32)],
        None,
    ),
    "linear_no_bias": (
        F.linear,
        lambda x, w: tf().linear(x, w),
        [X, RNG.standard_normal((3, 5)).astype(np.float32)],
        None,
    ),
    "conv2d": (
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2)),
        lambda x, w, b: tf().conv2d(x, w, b, stride=(2, 1), padding=(1, 2)),
        [IMAGES, KERNEL, BIAS],
        None,
    ),
    "conv2d_plain": (F.conv2d, lambda x, w: tf().conv2d(x, w), [IMAGES, KERNEL], None),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), lambda x: tf().max_pool2d(x, 2), [IMAGES], None),
    "max_pool2d_overlap": (lambda x: F.max_pool2d(x, 3, 1), lambda x: tf().max_pool2d(x, 3, 1), [IMAGES], None),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, (2, 3)), lambda x: tf().avg_pool2d(x, (2, 3)), [IMAGES], None),
    "mse_loss": (F.mse_loss, lambda x, t: tf().mse_loss(x, t), [X, SOFT_TARGET], None),
    "l1_loss": (
        lambda x, t: F.l1_loss(x, t, reduction="sum"),
        lambda x, t: tf().l1_loss(x, t, reduction="sum"),
        [X, SOFT_TARGET],
        None,
    ),
    "huber_loss": (
        lambda x, t: F.huber_loss(x, t, delta=0.5, reduction="none"),
        lambda x, t: tf().huber_loss(x, t, delta=0.5, reduction="none"),
        [X, SOFT_TARGET],
        None,
    ),
    "binary_cross_entropy": (
        F.binary_cross_entropy,
        lambda p, t: tf().binary_cross_entropy(p, t),
        [PROBS, SOFT_TARGET],
        [True, False],
    ),
    "binary_cross_entropy_with_logits": (
        lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction="sum"),
        lambda z, t: tf().binary_cross_entropy_with_logits(z, t, reduction="sum"),
        [X, SOFT_TARGET],
        None,
    ),
    "cross_entropy": (F.cross_entropy, lambda z, y: tf().cross_entropy(z, y), [X, LABELS], None),
    "cross_entropy_none": (
        lambda z, y: F.cross_entropy(z, y, reduction="none"),
        lambda z, y: tf().cross_entropy(z, y, reduction="none"),
        [X * 500, LABELS],
        None,
    ),
    "nll_loss": (
        lambda z, y: F.nll_loss(F.log_softmax(z, axis=1), y),
        lambda z, y: tf().nll_loss(tf().log_softmax(z, dim=1), y),
        [X, LABELS],
        None,
    ),
    "hinge_loss_binary": (  # PyTorch has no binary hinge loss: its definition, written in torch
        F.hinge_loss,
        lambda s, y: (1 - s * y).clamp(min=0).mean(),
        [X, SIGNS],
        [True, False],
    ),
    "hinge_loss_multiclass": (F.hinge_loss, lambda s, y: tf().multi_margin_loss(s, y), [X, LABELS], None),
    "hinge_loss_multiclass_margin": (
        lambda s, y: F.hinge_loss(s, y, margin=0.5, reduction="sum"),
        lambda s, y: tf().multi_margin_loss(s, y, margin=0.5, reduction="sum"),
        [X, LABELS],
        None,
    ),
}


@pytest.mark.parametrize("name", list(PARITY))
def test_matches_torch(name):
    dl_fn, torch_fn, arrays, requires_grad = PARITY[name]
    assert_matches_torch(dl_fn, torch_fn, arrays, requires_grad=requires_grad, rtol=1e-5, atol=1e-5)


def test_every_public_function_has_a_parity_case():
    public = {name for name, value in vars(F).items() if callable(value) and not name.startswith("_")}
    public -= {"Tensor", "tensor", "ShapeError", "annotations"}
    covered = {name for name in public if any(case.startswith(name) for case in PARITY)}
    assert public - covered == {"dropout"}  # dropout is random: tested on its own below


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gradcheck_softmax(fn, axis):
    x = dl.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    assert dl.gradcheck(lambda x: fn(x, axis=axis), x)
    assert dl.gradcheck(lambda x: fn(x * x, axis=axis) * x, x)  # x used three times


def test_softmax_is_stable_and_sums_to_one():
    x = dl.tensor(np.array([[1000.0, -1000.0, 999.0], [-1000.0, -1000.0, -1000.0]], np.float32))
    s, log_s = F.softmax(x), F.log_softmax(x)
    assert np.isfinite(s.data).all() and np.isfinite(log_s.data).all()
    np.testing.assert_allclose(s.data.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(log_s.data[1], np.log(1 / 3), rtol=1e-6)


def test_error_softmax_axis_out_of_range():
    with pytest.raises(ValueError, match=r"softmax: axis 2 does not exist for a tensor of shape \(3, 4\)"):
        F.softmax(np.zeros((3, 4)), axis=2)


def test_error_linear_feature_mismatch():
    with pytest.raises(
        ValueError, match=r"linear: input \(8, 64\) has 64 features .* weight \(10, 128\) expects in_features=128"
    ):
        F.linear(np.zeros((8, 64)), np.zeros((10, 128)))


def test_error_gelu_approximate():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        F.gelu(np.zeros(3), approximate="erf")


# ------------------------------------------------------------------------------------------ dropout
def test_gradcheck_dropout_with_fixed_seed():
    x = dl.tensor(RNG.standard_normal((6, 5)), requires_grad=True)
    assert dl.gradcheck(lambda x: F.dropout(x, 0.4, seed=7), x)


def test_dropout_scales_kept_values_and_keeps_the_mean():
    x = dl.tensor(np.ones((200, 500), np.float32))
    y = F.dropout(x, 0.25, seed=1)
    assert y.dtype == np.float32
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.01
    assert abs(y.data.mean() - 1) < 0.02


def test_dropout_is_reproducible_and_takes_a_generator():
    x = np.ones((10, 10))
    np.testing.assert_array_equal(F.dropout(x, 0.5, seed=3).data, F.dropout(x, 0.5, seed=3).data)
    a = F.dropout(x, 0.5, generator=np.random.default_rng(3)).data
    b = F.dropout(x, 0.5, seed=np.random.default_rng(3)).data
    np.testing.assert_array_equal(a, b)
    generator = np.random.default_rng(3)
    assert not np.array_equal(F.dropout(x, 0.5, generator=generator).data, F.dropout(x, 0.5, generator=generator).data)


def test_dropout_edge_cases():
    x = dl.tensor(RNG.standard_normal((4, 4)), requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    zeros = F.dropout(x, 1.0, seed=0)
    np.testing.assert_array_equal(zeros.data, 0)
    zeros.sum().backward()
    np.testing.assert_array_equal(x.grad, 0)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_error_dropout_probability(p):
    with pytest.raises(ValueError, match=r"dropout: p is the probability .* must be in \[0, 1\]"):
        F.dropout(np.ones(3), p)


# ------------------------------------------------------------------------------------------ both backends
def small_cnn_step(images, labels, params):
    """The W3 network's forward and backward: conv→relu→pool→conv→relu→pool→flatten→linear→cross-entropy."""
    w1, b1, w2, b2, w3, b3 = params
    h = F.max_pool2d(F.relu(F.conv2d(images, w1, b1, padding=1)), 2)  # (N, 8, 4, 4)
    h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)  # (N, 16, 2, 2)
    loss = F.cross_entropy(F.linear(h.reshape(h.shape[0], -1), w3, b3), labels)
    loss.backward()
    return [loss.data] + [p.grad for p in params]


def test_backends_give_equal_results_and_match_torch():
    torch = torch_or_skip()
    rng = np.random.default_rng(1)
    images = rng.standard_normal((16, 1, 8, 8)).astype(np.float32)
    labels = rng.integers(0, 10, 16)
    shapes = [(8, 1, 3, 3), (8,), (16, 8, 3, 3), (16,), (10, 64), (10,)]
    arrays = [(0.3 * rng.standard_normal(s)).astype(np.float32) for s in shapes]
    results = {}
    previous = dl.get_backend()
    try:
        for backend in ("numba", "numpy"):
            dl.set_backend(backend)
            results[backend] = small_cnn_step(images, labels, [dl.tensor(a, requires_grad=True) for a in arrays])
    finally:
        dl.set_backend(previous)
    params = [torch.tensor(a, requires_grad=True) for a in arrays]
    tf = torch.nn.functional
    h = tf.max_pool2d(tf.relu(tf.conv2d(torch.tensor(images), params[0], params[1], padding=1)), 2)
    h = tf.max_pool2d(tf.relu(tf.conv2d(h, params[2], params[3], padding=1)), 2)
    loss = tf.cross_entropy(tf.linear(h.reshape(16, -1), params[4], params[5]), torch.tensor(labels))
    loss.backward()
    expected = [loss.detach().numpy()] + [p.grad.numpy() for p in params]
    for numba_value, numpy_value, torch_value in zip(results["numba"], results["numpy"], expected):
        assert numba_value.dtype == np.float32
        np.testing.assert_allclose(numba_value, numpy_value, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(numba_value, torch_value, rtol=1e-4, atol=1e-5)
