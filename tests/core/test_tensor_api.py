"""The public Tensor API: construction and dtype rules, attributes, methods, operators, module functions."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl

# ----------------------------------------------------------------- dl.tensor and its dtype rules


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),  # Python float
        (3, np.int64),  # Python int: int64, as in torch (labels, indices)
        ([1.0, 2.0], np.float32),
        ([[1, 2], [3, 4]], np.int64),  # nested Python lists of ints
        (np.array([1.0, 2.0]), np.float64),  # NumPy float64 stays float64
        (np.array([1.0, 2.0], np.float32), np.float32),
        (np.float64(2.0), np.float64),  # a NumPy scalar keeps its dtype too
        (np.array([1, 2]), np.int64),  # integer arrays keep their integer dtype
        (np.array([1, 2], np.int32), np.int32),
        ([True, False], np.bool_),
    ],
)
def test_tensor_dtype_rules(data, dtype):
    t = dl.tensor(data)
    assert isinstance(t, dl.Tensor)
    assert isinstance(t.data, np.ndarray)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, np.asarray(data))


@pytest.mark.parametrize("dtype", [np.float64, "float64", np.float32, "int64"])
def test_tensor_dtype_argument_is_honoured(dtype):
    assert dl.tensor([1.0, 2.0], dtype=dtype).dtype == np.dtype(dtype)
    assert dl.tensor(np.array([1.0, 2.0]), dtype=dtype).dtype == np.dtype(dtype)


def test_tensor_rejects_non_numeric_data():
    with pytest.raises(TypeError, match="cannot make a tensor"):
        dl.tensor("abc")


def test_tensor_class_constructor_matches_factory():
    t = dl.Tensor([1.0, 2.0], requires_grad=True)
    assert t.dtype == np.float32 and t.requires_grad and t.grad is None


# ----------------------------------------------------------------- attributes and simple methods


def test_attributes():
    t = dl.tensor(np.zeros((2, 3, 4)), requires_grad=True)
    assert t.shape == (2, 3, 4)
    assert t.ndim == 3
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4  # a method, as in PyTorch
    assert t.numel() == t.nelement() == 24 and t.dim() == 3
    assert t.dtype == np.float64
    assert t.requires_grad is True
    assert t.grad is None
    assert t.is_leaf
    assert len(t) == 2
    assert not dl.tensor([1.0]).requires_grad


def test_grad_is_a_tensor_of_the_tensors_shape_holding_an_ndarray():
    for shape in [(), (3,), (2, 3)]:
        t = dl.tensor(np.ones(shape), requires_grad=True)
        (t * t).sum().backward()
        assert isinstance(t.grad, dl.Tensor) and not t.grad.requires_grad  # a Tensor, as in PyTorch
        assert isinstance(t.grad.data, np.ndarray), type(t.grad.data)  # also for 0-d tensors, not a NumPy scalar
        assert t.grad.shape == shape
        assert t.grad.dtype == np.float64
        np.testing.assert_array_equal(t.grad, 2 * np.ones(shape))


def test_detach_shares_values_but_cuts_the_graph():
    x = dl.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).detach()
    assert not y.requires_grad and y.is_leaf
    np.testing.assert_array_equal(y.data, [3.0, 6.0])
    d = x.detach()
    d.data[0] = 10.0  # shares memory, like torch
    assert x.data[0] == 10.0
    z = (x * dl.tensor(2.0) + d).sum()  # d contributes no gradient
    z.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_numpy_and_item():
    t = dl.tensor([[1.5, 2.5]])
    assert isinstance(t.numpy(), np.ndarray)
    assert np.shares_memory(t.numpy(), t.data)  # the same values, not a copy
    s = dl.tensor([[4.25]])
    assert s.item() == 4.25 and isinstance(s.item(), float)
    assert float(dl.tensor(2.5)) == 2.5
    np.testing.assert_array_equal(np.asarray(t), t.data)


def test_zero_grad_forgets_the_gradient():
    x = dl.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])  # started from zero, not from the old gradient


def test_repr_mentions_values_dtype_and_grad():
    assert "requires_grad=True" in repr(dl.tensor([1.0], requires_grad=True))
    assert "float64" in repr(dl.tensor(np.array([1.0])))
    assert repr(dl.tensor([1.5])).startswith("tensor([1.5")


def test_bool_of_one_element_tensor():
    assert bool(dl.tensor([1.0]))
    assert not bool(dl.tensor(0.0))


def test_astype_float_double_keep_the_gradient_dtype():
    x = dl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x.float()
    assert y.dtype == np.float32 and y.requires_grad
    assert x.double().dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


# ----------------------------------------------------------------- operators


SCALAR_OPS = [
    ("t + s", lambda t, s: t + s, lambda a, s: a + s),
    ("s + t", lambda t, s: s + t, lambda a, s: s + a),
    ("t - s", lambda t, s: t - s, lambda a, s: a - s),
    ("s - t", lambda t, s: s - t, lambda a, s: s - a),
    ("t * s", lambda t, s: t * s, lambda a, s: a * s),
    ("s * t", lambda t, s: s * t, lambda a, s: s * a),
    ("t / s", lambda t, s: t / s, lambda a, s: a / s),
    ("s / t", lambda t, s: s / t, lambda a, s: s / a),
    ("t ** s", lambda t, s: t**s, lambda a, s: a**s),
    ("s ** t", lambda t, s: s**t, lambda a, s: s**a),
]


@pytest.mark.parametrize("scalar", [2, 2.5])
@pytest.mark.parametrize("name, op, reference", SCALAR_OPS, ids=[n for n, _, _ in SCALAR_OPS])
def test_operators_with_python_scalars_keep_float32(name, op, reference, scalar):
    a = np.array([0.5, 1.0, 2.0], np.float32)
    t = dl.tensor(a, requires_grad=True)
    out = op(t, scalar)
    assert isinstance(out, dl.Tensor)
    assert out.dtype == np.float32, f"{name} gave {out.dtype}"
    np.testing.assert_allclose(out.data, reference(a.astype(np.float64), scalar), rtol=1e-6)
    out.sum().backward()
    assert t.grad.dtype == np.float32


ARRAY_OPS = [
    ("t + a", lambda t, a: t + a, lambda x, a: x + a),
    ("a + t", lambda t, a: a + t, lambda x, a: a + x),
    ("t - a", lambda t, a: t - a, lambda x, a: x - a),
    ("a - t", lambda t, a: a - t, lambda x, a: a - x),
    ("t * a", lambda t, a: t * a, lambda x, a: x * a),
    ("a * t", lambda t, a: a * t, lambda x, a: a * x),
    ("t / a", lambda t, a: t / a, lambda x, a: x / a),
    ("a / t", lambda t, a: a / t, lambda x, a: a / x),
    ("t ** a", lambda t, a: t**a, lambda x, a: x**a),
    ("a ** t", lambda t, a: a**t, lambda x, a: a**x),
    ("t @ a", lambda t, a: t @ a.T, lambda x, a: x @ a.T),
    ("a @ t", lambda t, a: a.T @ t, lambda x, a: a.T @ x),
]


@pytest.mark.parametrize("name, op, reference", ARRAY_OPS, ids=[n for n, _, _ in ARRAY_OPS])
def test_operators_with_numpy_arrays_on_either_side_give_tensors(name, op, reference):
    x = np.array([[0.5, 1.0, 2.0], [1.5, 0.25, 3.0]], np.float32)
    a = np.array([[2.0, 0.5, 1.0], [1.0, 3.0, 0.5]], np.float32)
    t = dl.tensor(x, requires_grad=True)
    out = op(t, a)
    assert isinstance(out, dl.Tensor), f"{name} gave {type(out).__name__}"  # not an ndarray of tensors
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, reference(x, a), rtol=1e-6)
    out.sum().backward()
    assert t.grad is not None and t.grad.shape == x.shape


def test_integer_tensors_follow_numpy_promotion_with_python_scalars():
    i = dl.tensor(np.array([1, 2, 3]))
    np.testing.assert_array_equal((i * 2.5).data, [2.5, 5.0, 7.5])  # not truncated to int
    assert (i * 2).dtype == np.int64
    assert (dl.tensor(np.array([1, 2], np.int32)) + 1).dtype == np.int32
    np.testing.assert_array_equal((10 - i).data, [9, 8, 7])


def test_unary_minus_and_abs():
    x = dl.tensor([-1.5, 2.0], requires_grad=True)
    np.testing.assert_array_equal((-x).data, [1.5, -2.0])
    np.testing.assert_array_equal(abs(x).data, [1.5, 2.0])
    np.testing.assert_array_equal(x.abs().data, [1.5, 2.0])
    (abs(x) - x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-2.0, 0.0])


@pytest.mark.parametrize(
    "op",
    [
        lambda t, o: t < o,
        lambda t, o: t <= o,
        lambda t, o: t > o,
        lambda t, o: t >= o,
        lambda t, o: t == o,
        lambda t, o: t != o,
    ],
)
def test_comparisons_return_boolean_tensors_without_grad(op):
    a = np.array([1.0, 2.0, 3.0])
    t = dl.tensor(a, requires_grad=True)
    for other in (2.0, np.array([3.0, 2.0, 1.0]), dl.tensor([3.0, 2.0, 1.0], requires_grad=True)):
        out = op(t, other)
        assert isinstance(out, dl.Tensor)
        assert out.dtype == np.bool_
        assert not out.requires_grad and out.is_leaf
        expected = op(a, other.data if isinstance(other, dl.Tensor) else other)
        np.testing.assert_array_equal(out.data, expected)


def test_comparison_with_numpy_array_on_the_left():
    t = dl.tensor([1.0, 2.0, 3.0])
    out = np.array([2.0, 2.0, 2.0]) < t
    assert isinstance(out, dl.Tensor)
    np.testing.assert_array_equal(out.data, [False, False, True])


# ----------------------------------------------------------------- methods


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_methods_match_numpy(method, axis, keepdims):
    a = np.random.default_rng(1).standard_normal((2, 3, 4))
    out = getattr(dl.tensor(a), method)(axis=axis, keepdims=keepdims)
    expected = getattr(a, method)(axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected)


def test_reduction_methods_accept_axis_as_list_and_positional():
    a = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(dl.tensor(a).sum([0, 2]).data, a.sum(axis=(0, 2)))
    np.testing.assert_array_equal(dl.tensor(a).max(axis=1, keepdims=True).data, a.max(axis=1, keepdims=True))
    values, indices = dl.tensor(a).max(1, True)  # PyTorch: with a dim, max gives (values, indices)
    np.testing.assert_array_equal(values.data, a.max(axis=1, keepdims=True))
    np.testing.assert_array_equal(indices.data, a.argmax(axis=1, keepdims=True))


def test_reshape_forms():
    a = np.arange(12.0)
    t = dl.tensor(a)
    assert t.reshape(3, 4).shape == (3, 4)
    assert t.reshape((3, 4)).shape == (3, 4)
    assert t.reshape([2, 6]).shape == (2, 6)
    assert t.reshape(2, -1, 3).shape == (2, 2, 3)
    np.testing.assert_array_equal(t.reshape(3, 4).data, a.reshape(3, 4))
    assert t.view(4, 3).shape == (4, 3)
    assert dl.tensor(np.ones((2, 3, 4))).flatten(1).shape == (2, 12)


def test_transpose_forms():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = dl.tensor(a)
    np.testing.assert_array_equal(t.transpose(1, 0, 2).data, a.transpose(1, 0, 2))
    np.testing.assert_array_equal(t.transpose((2, 0, 1)).data, a.transpose(2, 0, 1))
    np.testing.assert_array_equal(t.transpose(-1, 0, 1).data, a.transpose(-1, 0, 1))
    np.testing.assert_array_equal(t.transpose().data, a.transpose())
    np.testing.assert_array_equal(t.T.data, a.T)
    np.testing.assert_array_equal(t.permute(2, 1, 0).data, a.transpose(2, 1, 0))


def test_squeeze_unsqueeze():
    t = dl.tensor(np.ones((2, 1, 3, 1)))
    assert t.squeeze().shape == (2, 3)
    assert t.squeeze(1).shape == (2, 3, 1)
    assert t.squeeze(-1).shape == (2, 1, 3)
    assert dl.tensor(np.ones((2, 3))).unsqueeze(0).shape == (1, 2, 3)
    assert dl.tensor(np.ones((2, 3))).unsqueeze(-1).shape == (2, 3, 1)


@pytest.mark.parametrize(
    "method, reference",
    [
        ("exp", np.exp),
        ("log", np.log),
        ("sqrt", np.sqrt),
        ("tanh", np.tanh),
        ("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
        ("relu", lambda a: np.maximum(a, 0)),
        ("abs", np.abs),
    ],
)
def test_elementwise_methods_match_numpy(method, reference):
    a = np.array([0.25, 0.5, 1.0, 2.0, 5.0])
    signed = np.concatenate([a, -a])
    data = a if method in ("log", "sqrt") else signed
    for dtype in (np.float32, np.float64):
        out = getattr(dl.tensor(data.astype(dtype)), method)()
        assert out.dtype == dtype
        np.testing.assert_allclose(out.data, reference(data), rtol=1e-6)


def test_sigmoid_keeps_tiny_values_in_float32():
    x = np.array([-80.0, -20.0, -10.0, 0.0, 10.0, 20.0, 80.0, 1000.0, -1000.0], np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow warning either
        out = dl.tensor(x).sigmoid().data
    with np.errstate(over="ignore"):
        expected = 1 / (1 + np.exp(-x.astype(np.float64)))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-44)
    assert out[1] > 0  # σ(-20) ≈ 2e-9 must not round to 0 (log σ would be -inf)


def test_clip_and_clamp():
    a = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    t = dl.tensor(a)
    np.testing.assert_array_equal(t.clip(-1, 1).data, np.clip(a, -1, 1))
    np.testing.assert_array_equal(t.clip(min=0).data, np.clip(a, 0, None))
    np.testing.assert_array_equal(t.clip(max=0).data, np.clip(a, None, 0))
    np.testing.assert_array_equal(t.clamp(-1, 1).data, np.clip(a, -1, 1))


def test_var_is_unbiased_like_torch_and_the_population_variance_with_numpys_axis():
    a = np.random.default_rng(2).standard_normal((3, 5))
    np.testing.assert_allclose(dl.tensor(a).var().data, a.var(ddof=1))
    np.testing.assert_allclose(dl.tensor(a).var(axis=None).data, a.var())
    np.testing.assert_allclose(dl.tensor(a).var(1, correction=0).data, a.var(axis=1))
    np.testing.assert_allclose(dl.tensor(a).var(axis=1, keepdims=True).data, a.var(axis=1, keepdims=True))


def test_argmax_argmin_any_all():
    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    t = dl.tensor(a)
    np.testing.assert_array_equal(t.argmax(axis=1).data, [1, 0])
    np.testing.assert_array_equal(t.argmin(axis=0).data, [0, 1, 0])
    assert t.argmax().item() == 3
    assert (t > 6).any() and not (t > 6).all()


# ----------------------------------------------------------------- module-level functions


def test_module_functions_match_numpy():
    a = np.array([[0.5, 1.0, 2.0], [3.0, 0.25, 1.5]])
    b = np.array([[1.0, 0.5, 3.0], [2.0, 1.0, 0.5]])
    ta, tb = dl.tensor(a), dl.tensor(b)
    np.testing.assert_allclose(dl.exp(ta).data, np.exp(a))
    np.testing.assert_allclose(dl.log(ta).data, np.log(a))
    np.testing.assert_allclose(dl.sqrt(ta).data, np.sqrt(a))
    np.testing.assert_allclose(dl.tanh(ta).data, np.tanh(a))
    np.testing.assert_allclose(dl.sigmoid(ta).data, 1 / (1 + np.exp(-a)))
    np.testing.assert_array_equal(dl.maximum(ta, tb).data, np.maximum(a, b))
    np.testing.assert_array_equal(dl.minimum(ta, tb).data, np.minimum(a, b))
    np.testing.assert_array_equal(dl.maximum(ta, 1.0).data, np.maximum(a, 1.0))
    np.testing.assert_array_equal(dl.where(a > b, ta, tb).data, np.where(a > b, a, b))
    np.testing.assert_array_equal(dl.where(ta > tb, ta, 0.0).data, np.where(a > b, a, 0.0))
    np.testing.assert_array_equal(dl.concatenate([ta, tb]).data, np.concatenate([a, b]))
    np.testing.assert_array_equal(dl.concatenate([ta, tb], axis=1).data, np.concatenate([a, b], axis=1))
    np.testing.assert_array_equal(dl.stack([ta, tb]).data, np.stack([a, b]))
    np.testing.assert_array_equal(dl.stack([ta, tb], axis=-1).data, np.stack([a, b], axis=-1))


def test_module_functions_accept_arrays_and_keep_their_dtype():
    a = np.array([1.0, 2.0])
    assert dl.exp(a).dtype == np.float64
    assert dl.exp([1.0, 2.0]).dtype == np.float32


def test_factories():
    assert dl.zeros(2, 3).shape == (2, 3) and dl.zeros((2, 3)).dtype == np.float32
    assert dl.ones(4).data.sum() == 4
    assert dl.zeros_like(dl.tensor(np.ones((2, 2)))).dtype == np.float64
    assert dl.ones_like(np.zeros(3)).data.tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_array_equal(dl.randn(3, seed=5).data, dl.randn(3, seed=5).data)
    assert not np.array_equal(dl.randn(3, seed=5).data, dl.randn(3, seed=6).data)
    np.testing.assert_array_equal(dl.arange(4).data, [0, 1, 2, 3])
    assert dl.zeros(2, requires_grad=True).requires_grad


# ----------------------------------------------------------------- no_grad


def test_no_grad_builds_no_graph():
    x = dl.tensor([1.0, 2.0], requires_grad=True)
    with dl.no_grad():
        assert not dl.is_grad_enabled()
        y = (x * 2).sum()
    assert dl.is_grad_enabled()
    assert not y.requires_grad
    assert y._ctx is None and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_as_decorator_and_nested():
    x = dl.tensor([1.0], requires_grad=True)

    @dl.no_grad()
    def evaluate(t):
        return t * 3

    out = evaluate(x)
    assert not out.requires_grad and out._ctx is None
    assert evaluate.__name__ == "evaluate"
    assert dl.is_grad_enabled()
    with dl.no_grad():
        with dl.no_grad():
            pass
        assert not dl.is_grad_enabled()  # leaving the inner block keeps grad off
    assert dl.is_grad_enabled()


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(KeyError):
        with dl.no_grad():
            raise KeyError("boom")
    assert dl.is_grad_enabled()
    assert (dl.tensor([1.0], requires_grad=True) * 2).requires_grad
