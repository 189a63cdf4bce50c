"""nn.init: sample statistics match the formulas on big tensors; fans and gains match PyTorch; seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import nn
from dlcourse.nn import init
from tests.parity import torch_or_skip


def big(*shape, dtype=np.float64):
    return dl.tensor(np.zeros(shape, dtype=dtype))


def assert_stats(values, mean, std, rel=0.01):
    values = np.asarray(values, dtype=np.float64)
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(values.size) + 1e-12, (values.mean(), mean)
    assert values.std() == pytest.approx(std, rel=rel)


def test_uniform_and_normal_statistics():
    t = init.uniform_(big(1000, 1000), -2.0, 4.0, seed=0)
    assert t.data.min() >= -2.0 and t.data.max() <= 4.0
    assert_stats(t.data, mean=1.0, std=6 / math.sqrt(12))
    t = init.normal_(big(1000, 1000), mean=3.0, std=0.5, seed=0)
    assert_stats(t.data, mean=3.0, std=0.5)


def test_xavier_uniform_bound_and_std():
    t = init.xavier_uniform_(big(400, 600), gain=2.0, seed=1)
    bound = 2.0 * math.sqrt(6 / (400 + 600))
    assert np.abs(t.data).max() <= bound and np.abs(t.data).max() > 0.999 * bound
    assert_stats(t.data, mean=0.0, std=bound / math.sqrt(3))


def test_xavier_normal_std():
    t = init.xavier_normal_(big(400, 600), seed=2)
    assert_stats(t.data, mean=0.0, std=math.sqrt(2 / 1000))


@pytest.mark.parametrize("mode, fan", [("fan_in", 32 * 9), ("fan_out", 64 * 9)])
def test_kaiming_uniform_on_a_conv_weight(mode, fan):
    t = init.kaiming_uniform_(big(64, 32, 3, 3), mode=mode, nonlinearity="relu", seed=3)
    bound = math.sqrt(2) * math.sqrt(3 / fan)
    assert np.abs(t.data).max() <= bound and np.abs(t.data).max() > 0.99 * bound
    assert_stats(t.data, mean=0.0, std=bound / math.sqrt(3), rel=0.02)


def test_kaiming_normal_with_leaky_slope():
    t = init.kaiming_normal_(big(500, 800), a=0.2, seed=4)
    assert_stats(t.data, mean=0.0, std=math.sqrt(2 / (1 + 0.2**2)) / math.sqrt(800))


def test_constant_zeros_ones_keep_dtype_and_identity():
    t = dl.tensor(np.ones((3, 2), dtype=np.float32))
    array = t.data
    assert init.constant_(t, 0.25) is t and np.shares_memory(t.data, array)
    np.testing.assert_array_equal(t.data, np.full((3, 2), 0.25, np.float32))
    init.zeros_(t)
    assert not t.data.any()
    init.ones_(t)
    assert (t.data == 1).all() and t.data.dtype == np.float32


def test_random_initialisers_keep_dtype_and_identity():
    p = nn.Parameter(np.zeros((4, 5), dtype=np.float32))
    array = p.data
    assert init.xavier_uniform_(p, seed=0) is p
    assert np.shares_memory(p.data, array) and p.data.dtype == np.float32 and p.data.any()


@pytest.mark.parametrize(
    "nonlinearity, param", [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
                            ("leaky_relu", 0.2), ("conv2d", None), ("selu", None)],
)  # fmt: skip
def test_gain_matches_torch(nonlinearity, param):
    torch = torch_or_skip()
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param))


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5, 5), (6, 2, 7)])
def test_fans_match_torch(shape):
    torch = torch_or_skip()
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    assert init.calculate_fan_in_and_fan_out(big(*shape)) == expected


def test_same_seed_same_values_and_generators_advance():
    a = init.normal_(big(5, 5), seed=7).data
    b = init.normal_(big(5, 5), seed=7).data
    c = init.normal_(big(5, 5), seed=8).data
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    rng = np.random.default_rng(7)
    first = init.normal_(big(5, 5), seed=rng).data
    second = init.normal_(big(5, 5), seed=rng).data
    np.testing.assert_array_equal(first, a)  # a Generator is used as is ...
    assert not np.allclose(first, second)  # ... and advances


def test_manual_seed_makes_default_init_reproducible():
    init.manual_seed(123)
    first = [nn.Linear(3, 4).weight.data.copy(), nn.Conv2d(1, 2, 3).weight.data.copy()]
    after = nn.Linear(3, 4).weight.data.copy()
    init.manual_seed(123)
    second = [nn.Linear(3, 4).weight.data.copy(), nn.Conv2d(1, 2, 3).weight.data.copy()]
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    assert not np.allclose(first[0], after)  # the default generator moves on between layers


def test_errors():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(big(5))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform_(big(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(TypeError, match="seed"):
        init.normal_(big(2, 2), seed="zero")
