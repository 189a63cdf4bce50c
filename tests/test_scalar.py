"""The scalar Value engine: gradients equal finite differences, equal the Tensor engine, equal micrograd."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.scalar import Value, zero_grad
from dlcourse.scalar_nn import MLP


def finite_difference(f, xs, i, eps=1e-6):
    """∂f/∂xᵢ ≈ (f(x + εeᵢ) - f(x - εeᵢ)) / 2ε for a function of plain floats."""
    up, down = list(xs), list(xs)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


EXPRESSIONS = {
    "arithmetic": lambda a, b, c: (a * b + c) * a - b / c,
    "power": lambda a, b, c: a**3 + (b * b) ** 0.5 - c**-2,
    "exp_log": lambda a, b, c: (
        (a.exp() + b * b).log() * c if isinstance(a, Value) else math.log(math.exp(a) + b * b) * c
    ),
    "tanh_sigmoid": lambda a, b, c: (
        (a * b).tanh() + (b - c).sigmoid() if isinstance(a, Value) else math.tanh(a * b) + 1 / (1 + math.exp(-(b - c)))
    ),
    "relu_reuse": lambda a, b, c: (
        (a * b - c).relu() * a + a * a if isinstance(a, Value) else max(a * b - c, 0) * a + a * a
    ),
    "radd_rsub_rdiv": lambda a, b, c: 2 + a - (3 - b) + 1 / c + 2 * c,
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
@pytest.mark.parametrize("point", [(0.7, -1.3, 2.1), (-0.4, 0.9, 1.5)])
def test_value_gradients_match_finite_differences(name, point):
    f = EXPRESSIONS[name]
    values = [Value(x) for x in point]
    out = f(*values)
    out.backward()
    assert out.data == pytest.approx(f(*point), rel=1e-12)
    for i, v in enumerate(values):
        assert v.grad == pytest.approx(finite_difference(f, point, i), rel=1e-5, abs=1e-7), f"d/d{'abc'[i]}"


def test_value_grads_equal_tensor_grads():
    point = (0.7, -1.3, 2.1)
    values = [Value(x) for x in point]
    f = EXPRESSIONS["tanh_sigmoid"]
    f(*values).backward()
    tensors = [dl.tensor(np.float64(x), requires_grad=True) for x in point]
    a, b, c = tensors
    ((a * b).tanh() + (b - c).sigmoid()).backward()
    for v, t in zip(values, tensors):
        assert v.grad == pytest.approx(float(t.grad), rel=1e-9)


def test_reused_value_accumulates_along_every_path():
    a = Value(3.0)
    (a * a + a).backward()  # d/da = 2a + 1
    assert a.grad == 7.0


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000, rel=1e-9)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="non-positive"):
        Value(-1.0).log()
    with pytest.raises(TypeError, match="constant"):
        Value(2.0) ** Value(3.0)


def test_zero_grad_resets():
    a, b = Value(1.0), Value(2.0)
    (a * b).backward()
    zero_grad([a, b])
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_scalar_mlp_learns_and_matches_micrograd_gradients():
    """Our MLP and micrograd's, given the same weights, produce the same loss and gradients."""
    micrograd_nn = pytest.importorskip("micrograd.nn")
    ours = MLP(2, [4, 1], seed=0)
    theirs = micrograd_nn.MLP(2, [4, 1])
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = p.data
    x = [0.3, -0.8]
    ours(x).backward()
    theirs(x).backward()
    assert [p.grad for p in ours.parameters()] == pytest.approx([q.grad for q in theirs.parameters()], rel=1e-12)


def test_scalar_mlp_training_reduces_hinge_loss():
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    y = [1.0, 1.0, -1.0, -1.0]  # XOR-like signs: needs the hidden layer
    model = MLP(2, [8, 1], activation="tanh", seed=1)
    losses = []
    for _ in range(60):
        loss = sum(((1 + -yi * model(list(x))).relu() for x, yi in zip(X, y)), Value(0.0)) * 0.25
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.5 * losses[0]
