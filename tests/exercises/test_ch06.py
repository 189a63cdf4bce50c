"""Chapter 06's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's
solutions; the graph of Exercise 1 is per student, and each forgotten path is named."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from checks.ch06 import chain_rule_answer
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    chapter_specs,
    exercise_spec,
    fails,
)

import dlcourse as dl
from dlcourse.exercises import check
from dlcourse.scalar import Value

PUBLIC = chapter_specs()["06"].numbers(0)  # the numbers of the public copy (seed 0)
NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "06_backprop.ipynb", numbers=PUBLIC)
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("06.div_backward", "06_mini_engine", "div_backward"),
    ("06.sigmoid_backward", "06_mini_engine", "sigmoid_backward"),
    ("06.numerical_jacobian", "06_numerical_jacobian", "numerical_jacobian"),
    ("06.residual_backward", "06_residual_backward", "residual_backward"),
]
VALUES = [("06.chain_rule", "06_chain_rule", "grads_by_hand")]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


def test_released_value_stub_says_no_answer():
    assert_released_value_stub_says_no_answer(NOTEBOOK, "06.chain_rule", "06_chain_rule", "grads_by_hand")


# ------------------------------------------------------------------ Exercise 1: the learner's own graph
def value_engine_gradients(n):
    x, y, z = Value(float(n.x)), Value(float(n.y)), Value(float(n.z))
    p = x * y
    q = p + z
    r = q * x
    L = r * y
    L.backward()
    return {"r": r.grad, "q": q.grad, "p": p.grad, "z": z.grad, "x": x.grad, "y": y.grad}


@pytest.mark.parametrize("seed", [0, 1, 2, 17, 123])
def test_the_expected_answer_is_what_value_backward_computes(seed):
    n = chapter_specs()["06"].numbers(seed)
    assert chain_rule_answer(n) == value_engine_gradients(n)


def test_the_public_answer_passes_and_each_forgotten_path_is_named():
    n, right = PUBLIC, chain_rule_answer(PUBLIC)
    check("06.chain_rule", right)
    q = n.x * n.y + n.z
    assert "only the path through r" in fails("06.chain_rule", {**right, "x": n.y * q})
    assert "only the path through p" in fails("06.chain_rule", {**right, "x": n.x * n.y * n.y})
    assert "only the direct path into L" in fails("06.chain_rule", {**right, "y": q * n.x})
    assert "y also feeds L directly" in fails("06.chain_rule", {**right, "y": n.x * n.y * n.x})
    assert "passes the gradient through" in fails("06.chain_rule", {**right, "z": right["z"] + 1})


def test_chain_rule_wrong_kinds_of_answer():
    right = chain_rule_answer(PUBLIC)
    assert "expected a dict with the keys" in fails("06.chain_rule", list(right.values()))
    assert "missing: ['r']" in fails("06.chain_rule", {k: v for k, v in right.items() if k != "r"})
    assert "answer['x']: expected a whole number" in fails("06.chain_rule", {**right, "x": str(right["x"])})


def test_every_student_gets_a_graph_where_each_path_matters_and_answers_differ():
    spec = chapter_specs()["06"]
    answers = set()
    for seed in range(300):
        n = spec.numbers(seed)
        answer = chain_rule_answer(n)
        assert 0 not in answer.values() and len({abs(n.x), abs(n.y), abs(n.z)}) == 3
        q = n.x * n.y + n.z
        assert answer["x"] not in (n.y * q, n.x * n.y * n.y) and answer["y"] not in (q * n.x, n.x * n.y * n.x)
        answers.add(tuple(answer.values()))
    assert len(answers) > 150, "per-student numbers must give (nearly) everyone a different answer"
    other = chain_rule_answer(spec.numbers(1))
    assert other != chain_rule_answer(PUBLIC)


def test_the_chapter_never_prints_the_exercise_graph():
    text = "\n".join(c.source for c in NOTEBOOK.nb.cells)
    assert "L = r * y" not in text and "r * y" not in text.replace("grads_by_hand", "")


# ------------------------------------------------------------------ Exercise 2: division and the sigmoid
@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, b, g: (g / b, g * a / b**2), "mind the sign"),
        (lambda a, b, g: (g * b, g * a), "the rule of a product"),
        (lambda a, b, g: (g / b, -g / b**2), "still depends on a"),
    ],
)
def test_div_backward_mistakes_are_named(wrong, message):
    assert message in fails("06.div_backward", wrong)


def sigmoid(a):
    return 1 / (1 + math.exp(-a))


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, g: g * sigmoid(a) * (1 - a), "OUTPUT σ(a)"),
        (lambda a, g: g * (1 - sigmoid(a) ** 2), "tanh's derivative"),
        (lambda a, g: sigmoid(a) * (1 - sigmoid(a)), "multiplies by grad_out"),
    ],
)
def test_sigmoid_backward_mistakes_are_named(wrong, message):
    assert message in fails("06.sigmoid_backward", wrong)


def test_the_rules_agree_with_autograd():
    a, b = dl.tensor(np.array(1.7), requires_grad=True), dl.tensor(np.array(-0.6), requires_grad=True)
    ((a / b) * 0.3).backward()
    div = exercise_spec("06.div_backward").reference(1.7, -0.6, 0.3)
    assert np.allclose(div, (float(np.asarray(a.grad)), float(np.asarray(b.grad))))
    s = dl.tensor(np.array(-0.8), requires_grad=True)
    (dl.sigmoid(s) * 2.5).backward()
    assert np.isclose(exercise_spec("06.sigmoid_backward").reference(-0.8, 2.5), float(np.asarray(s.grad)))


# ------------------------------------------------------------------ Exercise 3: the numerical Jacobian
def forward_difference(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    base = np.asarray(f(x))
    columns = []
    for j in range(x.size):
        x[j] += eps
        columns.append((np.asarray(f(x)) - base) / eps)
        x[j] -= eps
    return np.stack(columns, axis=1)


def transposed(f, x, eps=1e-6):
    return exercise_spec("06.numerical_jacobian").reference(f, x, eps).T


def gradient_of_sum(f, x, eps=1e-6):  # one row: the gradient of Σ f, not the Jacobian
    x = np.array(x, dtype=float)
    return np.array([(np.sum(f(x + eps * e)) - np.sum(f(x - eps * e))) / (2 * eps) for e in np.eye(x.size)])


def leaves_x_nudged(f, x, eps=1e-6):
    columns = []
    for j in range(x.size):
        x[j] += eps
        plus = np.asarray(f(x))
        x[j] -= 2 * eps
        columns.append((plus - np.asarray(f(x))) / (2 * eps))  # never put back
    return np.stack(columns, axis=1)


def test_numerical_jacobian_mistakes_fail():
    assert "one-sided difference" in fails("06.numerical_jacobian", forward_difference)
    assert "transposed" in fails("06.numerical_jacobian", transposed)
    fails("06.numerical_jacobian", gradient_of_sum)
    assert "changed its input `x` in place" in fails("06.numerical_jacobian", leaves_x_nudged)


def test_the_jacobian_gives_what_backward_computes():
    """Jᵀ·grad_out (a vector–Jacobian product) is the gradient autograd returns for a vector function."""
    jacobian = exercise_spec("06.numerical_jacobian").reference
    rng = np.random.default_rng(3)
    W, x, grad_out = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    t = dl.tensor(x, requires_grad=True)
    ((dl.tensor(W) @ t).tanh() * dl.tensor(grad_out)).sum().backward()
    J = jacobian(lambda v: np.tanh(W @ v), x, 1e-6)
    assert J.shape == (3, 4)
    np.testing.assert_allclose(J.T @ grad_out, np.asarray(t.grad), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ Exercise 4: the residual layer
def test_residual_mistakes_are_named():
    def without_skip(X, W, b, grad_H):
        delta = grad_H * (1 - np.tanh(X @ W.T + b) ** 2)
        return delta.T @ X, delta.sum(axis=0), delta @ W

    def without_tanh(X, W, b, grad_H):
        return grad_H.T @ X, grad_H.sum(axis=0), grad_H + grad_H @ W

    def transposed_dW(X, W, b, grad_H):
        delta = grad_H * (1 - np.tanh(X @ W.T + b) ** 2)
        return X.T @ delta, delta.sum(axis=0), grad_H + delta @ W

    def mean_bias(X, W, b, grad_H):
        delta = grad_H * (1 - np.tanh(X @ W.T + b) ** 2)
        return delta.T @ X, delta.mean(axis=0), grad_H + delta @ W

    assert "that path adds grad_H" in fails("06.residual_backward", without_skip)
    assert "1 − tanh²" in fails("06.residual_backward", without_tanh)
    assert "W's shape" in fails("06.residual_backward", transposed_dW)
    fails("06.residual_backward", mean_bias)


def test_residual_backward_matches_autograd():
    rng = np.random.default_rng(0)
    X, W, b, G = rng.normal(size=(5, 3)), rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=(5, 3))
    tX, tW, tb = (dl.tensor(v, requires_grad=True) for v in (X, W, b))
    ((tX + (tX @ tW.T + tb).tanh()) * dl.tensor(G)).sum().backward()
    dW, db, dX = NOTEBOOK.solution("06_residual_backward", "residual_backward")(X, W, b, G)
    np.testing.assert_allclose(dW, np.asarray(tW.grad))
    np.testing.assert_allclose(db, np.asarray(tb.grad))
    np.testing.assert_allclose(dX, np.asarray(tX.grad))


def test_numbers_namespace_is_what_the_answer_needs():
    assert chain_rule_answer(SimpleNamespace(x=2, y=3, z=1))["x"] == 3 * 7 + 2 * 3 * 3


def test_whole_floats_are_accepted():
    check("06.chain_rule", {key: float(value) for key, value in chain_rule_answer(PUBLIC).items()})
