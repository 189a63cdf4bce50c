"""The backward engine: order, accumulation, freed graphs, seeds, retained grads, long chains, dtypes."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.function import Function


class Tap(Function):
    """z = x (a copy); backward logs its name, so a test can see the order the engine visits nodes."""

    @staticmethod
    def forward(ctx, x, name, log):
        ctx.name, ctx.log = name, log
        return x.copy()

    @staticmethod
    def backward(ctx, grad_out):
        ctx.log.append(ctx.name)
        return grad_out


def test_diamond_runs_each_node_once_after_all_its_consumers():
    # a → b → b2 → d and a → c → d: the long branch must not make `a` run before b2 has delivered
    log = []
    x = dl.tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    a = Tap.apply(x, name="a", log=log)
    b = Tap.apply(a * 2, name="b", log=log)
    b2 = Tap.apply(b * 1.5, name="b2", log=log)
    c = Tap.apply(a * 3, name="c", log=log)
    d = Tap.apply(b2 * c, name="d", log=log)
    d.sum().backward()
    assert sorted(log) == ["a", "b", "b2", "c", "d"]  # each node exactly once
    position = {name: i for i, name in enumerate(log)}
    assert position["d"] < position["b2"] < position["b"] < position["a"]
    assert position["d"] < position["c"] < position["a"]
    # d = (1.5 · 2a)(3a) = 9a², so dd/dx = 18x
    np.testing.assert_allclose(x.grad, 18 * x.data)


def test_tensor_used_twice_gets_both_contributions():
    x = dl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = dl.tensor(np.array([3.0, -1.0]), requires_grad=True)
    (x * y + x).sum().backward()
    np.testing.assert_allclose(x.grad, y.data + 1)
    np.testing.assert_allclose(y.grad, x.data)


def test_gradients_accumulate_across_backward_calls():
    x = dl.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()  # a second, separate graph into the same leaf: .grad adds, like PyTorch
    np.testing.assert_allclose(x.grad, 2 * x.data + 3)


def test_second_backward_through_a_freed_graph_raises():
    x = dl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    first = x.grad.data.copy()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()
    np.testing.assert_array_equal(x.grad, first)  # the failed call added nothing (never silently wrong)


def test_retain_graph_allows_a_second_backward_that_accumulates_exactly_twice():
    x = dl.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    w = dl.tensor(np.array([1.5, 2.0, -0.5]), requires_grad=True)
    loss = ((x * w).tanh() * x).sum()
    loss.backward(retain_graph=True)
    gx, gw = x.grad.data.copy(), w.grad.data.copy()
    loss.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad, 2 * gx, rtol=1e-12)
    np.testing.assert_allclose(w.grad, 2 * gw, rtol=1e-12)
    loss.backward()  # the third call (without retain_graph) frees the graph ...
    np.testing.assert_allclose(x.grad, 3 * gx, rtol=1e-12)
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()  # ... so a fourth one fails


def test_two_losses_sharing_a_subgraph():
    x = dl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    shared = x * x
    loss1 = shared.sum()
    loss2 = (shared * 3).sum()
    loss1.backward(retain_graph=True)
    loss2.backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 6 * x.data)


def test_non_scalar_backward_needs_a_gradient():
    x = dl.tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="scalar") as info:
        y.backward()
    assert "(2, 3)" in str(info.value)


def test_backward_with_an_explicit_gradient_is_a_vector_jacobian_product():
    x = dl.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    seed = np.array([[1.0, 0.5], [-1.0, 2.0]])
    (x * x).backward(grad=seed)
    np.testing.assert_allclose(x.grad, 2 * x.data * seed)
    x.zero_grad()
    (x * 3).backward(dl.tensor(seed))  # a tensor as seed, passed positionally
    np.testing.assert_allclose(x.grad, 3 * seed)


def test_backward_with_a_wrongly_shaped_gradient():
    x = dl.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError) as info:  # torch raises a RuntimeError too
        (x * 2).backward(gradient=np.ones((3, 2)))
    message = str(info.value)
    assert "(3, 2)" in message and "(2, 3)" in message


def test_backward_on_a_tensor_without_grad():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (dl.tensor([1.0]) * 2).backward()


def test_backward_on_a_leaf():
    x = dl.tensor(np.array([2.0]), requires_grad=True)
    x.backward()
    np.testing.assert_array_equal(x.grad, [1.0])


@pytest.mark.parametrize(
    "make",
    [
        lambda: dl.tensor(np.array([1, 2]), requires_grad=True),
        lambda: dl.tensor([1, 2], dtype="int32", requires_grad=True),
        lambda: dl.tensor(np.array([1, 2], np.uint8)).requires_grad_(),
        lambda: dl.tensor([True, False], requires_grad=True),
    ],
)
def test_integer_tensors_cannot_require_grad(make):
    with pytest.raises(RuntimeError, match="(int64|int32|uint8|bool)"):
        make()


def test_no_grad_results_have_no_graph_even_from_grad_inputs():
    x = dl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with dl.no_grad():
        for y in (x * 2, x.sum(), x @ x, x[0], x.reshape(2, 1), x.exp(), dl.stack([x, x])):
            assert not y.requires_grad
            assert y._ctx is None


def test_inputs_without_grad_get_no_gradient():
    x = dl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = dl.tensor(np.array([3.0, 4.0]))
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, c.data)


def test_retain_grad_on_an_intermediate():
    x = dl.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    h = x * 2
    h.retain_grad()
    other = x * 5  # an intermediate without retain_grad keeps no gradient, as in PyTorch
    ((h * h).sum() + other.sum()).backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    assert other.grad is None
    np.testing.assert_allclose(x.grad, 8 * x.data + 5)


def test_long_chain_backprops_without_recursion_error():
    # 2,500 steps of h = tanh(h · w): a 5,000-op chain, like an RNN unrolled over a long sequence
    steps = 2500
    rng = np.random.default_rng(0)
    w_values = rng.uniform(0.9, 1.1, size=3)
    h0 = rng.uniform(-1, 1, size=3)
    w = dl.tensor(w_values, requires_grad=True)
    h = dl.tensor(h0, requires_grad=True)
    out = h
    for _ in range(steps):
        out = (out * w).tanh()
    limit = sys.getrecursionlimit()
    assert steps * 2 > limit  # a recursive walk of this graph would overflow the stack
    out.sum().backward()
    # the same gradients by hand, walking the chain backwards
    hs = [h0]
    for _ in range(steps):
        hs.append(np.tanh(hs[-1] * w_values))
    grad_h, grad_w = np.ones(3), np.zeros(3)
    for t in range(steps, 0, -1):
        grad_pre = grad_h * (1 - hs[t] ** 2)
        grad_w += grad_pre * hs[t - 1]
        grad_h = grad_pre * w_values
    np.testing.assert_allclose(h.grad, grad_h, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(w.grad, grad_w, rtol=1e-9)


def test_mixing_a_float64_array_into_a_float32_op_keeps_float32_grads():
    x = dl.tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    y = x * np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 1.0]])  # float64 array, broadcast over rows
    assert y.dtype == np.float64  # NumPy's promotion for a float64 array
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [1.5, 2.0, 3.0])


def test_broadcast_gradient_is_summed_to_each_input_shape():
    a = dl.tensor(np.ones((3, 1)), requires_grad=True)
    b = dl.tensor(np.ones((1, 4)), requires_grad=True)
    s = dl.tensor(np.array(2.0), requires_grad=True)
    (a * b * s).sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((3, 1), 8.0))
    np.testing.assert_array_equal(b.grad, np.full((1, 4), 6.0))
    assert s.grad.shape == () and s.grad == 12.0


def test_leaf_gradients_are_independent_writable_arrays():
    # Add passes the same gradient array to both inputs: each leaf must still own its .grad
    a = dl.tensor(np.zeros(3), requires_grad=True)
    b = dl.tensor(np.zeros(3), requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    assert a.grad.data.flags.writeable and b.grad.data.flags.writeable  # optimizers may update grads in place
    a.grad *= 10
    np.testing.assert_array_equal(b.grad, np.ones(3))


def test_leaf_gradient_does_not_alias_the_seed():
    x = dl.tensor(np.zeros(3), requires_grad=True)
    seed = np.array([1.0, 2.0, 3.0])
    x.backward(grad=seed)
    seed[0] = 100.0
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 3.0])
    x.backward(grad=np.ones(3))
    np.testing.assert_array_equal(x.grad, [2.0, 3.0, 4.0])
