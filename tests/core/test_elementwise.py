"""Elementwise ops: gradcheck (float64, every element, broadcast shapes, reused inputs) and torch parity."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dlcourse as dl
from dlcourse.ops import elementwise as E
from tests.core import BROADCAST_SHAPES, away_from_kinks, leaf
from tests.parity import assert_matches_torch

# name, function of one tensor, how to make a valid float64 input of a shape (away from kinks/poles)
UNARY = [
    ("neg", lambda x: -x, lambda s: leaf(s)),
    ("abs", lambda x: abs(x), lambda s: away_from_kinks(s)),
    ("exp", lambda x: x.exp(), lambda s: leaf(s)),
    ("log", lambda x: x.log(), lambda s: leaf(s, low=0.5, high=2.0)),
    ("sqrt", lambda x: x.sqrt(), lambda s: leaf(s, low=0.5, high=2.0)),
    ("tanh", lambda x: x.tanh(), lambda s: leaf(s)),
    ("sigmoid", lambda x: x.sigmoid(), lambda s: leaf(s)),
    ("relu", lambda x: x.relu(), lambda s: away_from_kinks(s)),
    ("clip", lambda x: x.clip(-0.5, 0.5), lambda s: away_from_kinks(s, kinks=(-0.5, 0.5))),
    ("clip_min", lambda x: x.clip(min=0.2), lambda s: away_from_kinks(s, kinks=(0.2,))),
    ("clip_max", lambda x: x.clip(max=-0.3), lambda s: away_from_kinks(s, kinks=(-0.3,))),
    ("pow2", lambda x: x**2, lambda s: leaf(s)),
    ("pow3", lambda x: x**3, lambda s: leaf(s)),
    ("pow0", lambda x: x**0, lambda s: leaf(s)),
    ("pow_half", lambda x: x**0.5, lambda s: leaf(s, low=0.5, high=2.0)),
    ("pow_neg", lambda x: x**-1.5, lambda s: leaf(s, low=0.5, high=2.0)),
    ("rpow", lambda x: 2.0**x, lambda s: leaf(s)),
    ("rdiv", lambda x: 3.0 / x, lambda s: leaf(s, low=0.5, high=2.0)),
    ("rsub", lambda x: 1.0 - x, lambda s: leaf(s)),
    ("leaky_relu", lambda x: E.LeakyReLU.apply(x, negative_slope=0.1), lambda s: away_from_kinks(s)),
    ("elu", lambda x: E.ELU.apply(x, alpha=0.7), lambda s: away_from_kinks(s)),
    ("gelu", lambda x: E.GELU.apply(x, approximate="none"), lambda s: leaf(s)),
    ("gelu_tanh", lambda x: E.GELU.apply(x, approximate="tanh"), lambda s: leaf(s)),
    ("cast", lambda x: x.astype(np.float64) * 2, lambda s: leaf(s)),
    ("module_exp", lambda x: dl.exp(x), lambda s: leaf(s)),
    ("module_log", lambda x: dl.log(x), lambda s: leaf(s, low=0.5, high=2.0)),
    ("module_sqrt", lambda x: dl.sqrt(x), lambda s: leaf(s, low=0.5, high=2.0)),
    ("module_tanh", lambda x: dl.tanh(x), lambda s: leaf(s)),
    ("module_sigmoid", lambda x: dl.sigmoid(x), lambda s: leaf(s)),
]


@pytest.mark.parametrize("shape", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name, fn, make", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradcheck(name, fn, make, shape):
    assert dl.gradcheck(fn, make(shape))


# name, function of two tensors, input makers for x and y
BINARY = [
    ("add", lambda x, y: x + y, leaf, leaf),
    ("sub", lambda x, y: x - y, leaf, leaf),
    ("mul", lambda x, y: x * y, leaf, leaf),
    ("div", lambda x, y: x / y, leaf, lambda s, seed: leaf(s, seed, low=0.5, high=2.0)),
    ("pow", lambda x, y: x**y, lambda s, seed: leaf(s, seed, low=0.5, high=2.0), leaf),
    ("maximum", lambda x, y: dl.maximum(x, y), leaf, leaf),
    ("minimum", lambda x, y: dl.minimum(x, y), leaf, leaf),
]
SHAPE_PAIRS = list(itertools.product(BROADCAST_SHAPES, repeat=2))


@pytest.mark.parametrize("shape_x, shape_y", SHAPE_PAIRS, ids=[f"{a}-{b}" for a, b in SHAPE_PAIRS])
@pytest.mark.parametrize("name, fn, make_x, make_y", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradcheck_with_broadcasting(name, fn, make_x, make_y, shape_x, shape_y):
    x, y = make_x(shape_x, 1), make_y(shape_y, 2)
    out = fn(x, y)
    assert out.shape == np.broadcast_shapes(shape_x, shape_y)
    assert dl.gradcheck(fn, x, y)


@pytest.mark.parametrize("shape_x, shape_y", SHAPE_PAIRS, ids=[f"{a}-{b}" for a, b in SHAPE_PAIRS])
def test_where_gradcheck_with_broadcasting(shape_x, shape_y):
    condition = np.random.default_rng(3).uniform(size=(3, 4)) > 0.5
    x, y = leaf(shape_x, 1), leaf(shape_y, 2)
    assert dl.gradcheck(lambda a, b: dl.where(condition, a, b), x, y)


def test_where_with_a_scalar_branch_and_a_tensor_condition():
    x = leaf((3, 4))
    assert dl.gradcheck(lambda a: dl.where(a > 0, a, 0.0), x)
    assert dl.gradcheck(lambda a: dl.where(a.data > 0, 1.0, a * a), x)


def test_only_the_differentiable_operand_gets_a_gradient():
    x = leaf((3, 4), low=0.5, high=2.0)
    constant = np.random.default_rng(5).uniform(0.5, 2, size=(3, 4))
    for fn in (lambda a: a * constant, lambda a: constant / a, lambda a: a**constant, lambda a: constant**a):
        assert dl.gradcheck(fn, x)


@pytest.mark.parametrize(
    "name, fn",
    [
        ("x*x", lambda x: x * x),
        ("x+x", lambda x: x + x),
        ("x-x", lambda x: x - x),
        ("x/x", lambda x: x / x),
        ("x**x", lambda x: x**x),
        ("maximum(x,x)", lambda x: dl.maximum(x, x)),
        ("a+a.sum()", lambda x: x + x.sum()),
        ("x*x.mean(axis=0)", lambda x: x * x.mean(axis=0)),
        ("tanh(x)*exp(x)+x", lambda x: x.tanh() * x.exp() + x),
    ],
)
def test_reused_inputs_gradcheck(name, fn):
    x = leaf((3, 4), low=0.5, high=2.0)
    assert dl.gradcheck(fn, x)


@settings(max_examples=25, deadline=None, database=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    op=st.sampled_from(["add", "sub", "mul", "div", "pow", "maximum"]),
    seed=st.integers(0, 2**16),
)
def test_binary_gradcheck_on_random_broadcast_shapes(shapes, op, seed):
    shape_x, shape_y = shapes.input_shapes
    x = leaf(shape_x, seed, low=0.5, high=2.0)
    y = leaf(shape_y, seed + 1, low=0.5, high=2.0)
    fn = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "pow": lambda a, b: a**b,
        "maximum": dl.maximum,
    }[op]
    out = fn(x, y)
    assert out.shape == shapes.result_shape
    assert dl.gradcheck(fn, x, y)


def test_tie_conventions():
    # relu and abs have gradient 0 at 0; clip passes the gradient at its bounds; maximum splits ties
    x = dl.tensor(np.array([0.0, -0.5, 0.5, 1.0]), requires_grad=True)
    (x.relu() + abs(x) + x.clip(-0.5, 0.5)).sum().backward()
    np.testing.assert_array_equal(x.grad, [0 + 0 + 1, 0 - 1 + 1, 1 + 1 + 1, 1 + 1 + 0])
    a = dl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = dl.tensor(np.array([1.0, 3.0]), requires_grad=True)
    dl.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.0])
    np.testing.assert_array_equal(b.grad, [0.5, 1.0])


def test_pow_zero_has_zero_gradient_even_at_zero():
    x = dl.tensor(np.array([0.0, 2.0]), requires_grad=True)
    y = x**0
    np.testing.assert_array_equal(y.data, [1.0, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_pow_with_an_array_exponent():
    x = leaf((2, 3), low=0.5, high=2.0)
    exponent = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose((x**exponent).data, x.data**exponent)
    assert dl.gradcheck(lambda a: a**exponent, x)


# ----------------------------------------------------------------- torch parity

KINKS = np.array([-2.0, -1.0, -0.5, 0.0, 0.25, 0.5, 1.5, 3.0])  # includes the tie points on purpose
POSITIVE = np.array([0.25, 0.5, 1.0, 1.5, 2.0, 3.0])


TORCH_UNARY = ["neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "clip", "clip_min", "pow2", "pow3"]
TORCH_UNARY += ["pow0", "pow_half", "rpow", "rdiv", "leaky_relu", "elu", "gelu", "gelu_tanh"]


def _torch_unary():
    """{name: (dlcourse fn, torch fn, input values)}, built inside the test so torch stays optional."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    cases = [
        ("neg", lambda x: -x, lambda x: -x, KINKS),
        ("abs", lambda x: abs(x), lambda x: x.abs(), KINKS),
        ("exp", lambda x: x.exp(), lambda x: x.exp(), KINKS),
        ("log", lambda x: x.log(), lambda x: x.log(), POSITIVE),
        ("sqrt", lambda x: x.sqrt(), lambda x: x.sqrt(), POSITIVE),
        ("tanh", lambda x: x.tanh(), lambda x: x.tanh(), KINKS),
        ("sigmoid", lambda x: x.sigmoid(), lambda x: x.sigmoid(), np.concatenate([KINKS, [-30.0, 30.0]])),
        ("relu", lambda x: x.relu(), lambda x: x.relu(), KINKS),
        ("clip", lambda x: x.clip(-0.5, 0.5), lambda x: x.clamp(-0.5, 0.5), KINKS),
        ("clip_min", lambda x: x.clip(min=0.25), lambda x: x.clamp(min=0.25), KINKS),
        ("pow2", lambda x: x**2, lambda x: x**2, KINKS),
        ("pow3", lambda x: x**3, lambda x: x**3, KINKS),
        ("pow0", lambda x: x**0, lambda x: x**0, KINKS),
        ("pow_half", lambda x: x**0.5, lambda x: x**0.5, POSITIVE),
        ("rpow", lambda x: 2.0**x, lambda x: 2.0**x, KINKS),
        ("rdiv", lambda x: 1.5 / x, lambda x: 1.5 / x, POSITIVE),
        ("leaky_relu", lambda x: E.LeakyReLU.apply(x, negative_slope=0.1), lambda x: F.leaky_relu(x, 0.1), KINKS),
        ("elu", lambda x: E.ELU.apply(x, alpha=0.7), lambda x: F.elu(x, alpha=0.7), KINKS),
        ("gelu", lambda x: E.GELU.apply(x, approximate="none"), lambda x: F.gelu(x), KINKS),
        ("gelu_tanh", lambda x: E.GELU.apply(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"), KINKS),
    ]
    assert [c[0] for c in cases] == TORCH_UNARY
    return {name: rest for name, *rest in cases}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", TORCH_UNARY)
def test_unary_matches_torch(name, dtype):
    dl_fn, torch_fn, values = _torch_unary()[name]
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    assert_matches_torch(dl_fn, torch_fn, [values.astype(dtype).reshape(-1, 2)], **tolerance)


@pytest.mark.parametrize("shape_x, shape_y", SHAPE_PAIRS, ids=[f"{a}-{b}" for a, b in SHAPE_PAIRS])
def test_binary_ops_match_torch_with_broadcasting(shape_x, shape_y):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.uniform(0.5, 2.0, size=shape_x)
    y = rng.uniform(0.5, 2.0, size=shape_y)
    pairs = [
        (lambda a, b: a + b, lambda a, b: a + b),
        (lambda a, b: a - b, lambda a, b: a - b),
        (lambda a, b: a * b, lambda a, b: a * b),
        (lambda a, b: a / b, lambda a, b: a / b),
        (lambda a, b: a**b, lambda a, b: a**b),
        (dl.maximum, torch.maximum),
        (dl.minimum, torch.minimum),
    ]
    for dl_fn, torch_fn in pairs:
        assert_matches_torch(dl_fn, torch_fn, [x, y], rtol=1e-10, atol=1e-12)


def test_maximum_minimum_ties_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]])
    y = np.array([[1.0, 0.0, 3.0], [0.0, -2.0, 6.0]])  # three ties
    assert_matches_torch(dl.maximum, torch.maximum, [x, y])
    assert_matches_torch(dl.minimum, torch.minimum, [x, y])


@pytest.mark.parametrize("shape_x, shape_y", [((3, 4), (3, 4)), ((1, 4), (3, 1)), ((), (3, 4))], ids=str)
def test_where_matches_torch(shape_x, shape_y):
    torch = pytest.importorskip("torch")
    condition = np.random.default_rng(8).uniform(size=(3, 4)) > 0.4
    rng = np.random.default_rng(9)
    assert_matches_torch(
        lambda a, b: dl.where(condition, a, b),
        lambda a, b: torch.where(torch.from_numpy(condition), a, b),
        [rng.standard_normal(shape_x), rng.standard_normal(shape_y)],
        rtol=1e-12,
    )
