"""Chapter 06 (backpropagation): the gradients of a small graph by hand (per-student numbers), the backward
rules of division and the sigmoid, a numerical Jacobian, and the backward pass of a residual tanh layer."""

import math
from types import SimpleNamespace

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, function_exercise, numbers, value_exercise


# ------------------------------------------------------------------------------------------ Exercise 1
# The exercise's graph: p = x·y, q = p + z, r = q·x, L = r·y (x and y are each used twice).
def chain_rule_answer(n):
    """dL/d(every node) of the exercise's graph for the inputs n.x, n.y, n.z."""
    x, y, z = n.x, n.y, n.z
    p = x * y
    q = p + z
    r = q * x
    grad_r = y  # L = r·y
    grad_q = grad_r * x  # r = q·x
    grad_p = grad_q  # q = p + z passes it through
    return {
        "r": grad_r,
        "q": grad_q,
        "p": grad_p,
        "z": grad_q,
        "x": grad_r * q + grad_p * y,  # two paths: through r and through p
        "y": r + grad_p * x,  # two paths: straight into L and through p
    }


def _only_through_r(n):
    return n.y * (n.x * n.y + n.z)


def _only_through_p(n):
    return n.x * n.y * n.y


def _only_into_l(n):
    return (n.x * n.y + n.z) * n.x


def _only_through_p_for_y(n):
    return n.x * n.y * n.x


def _graph_numbers(rng):
    """Small whole numbers of different sizes, every gradient nonzero, and each forgotten path a wrong answer."""
    choices = np.array([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])
    while True:
        x, y, z = (int(v) for v in rng.choice(choices, size=3))
        n = SimpleNamespace(x=x, y=y, z=z)
        answer = chain_rule_answer(n)
        partial = {_only_through_r(n), _only_through_p(n), _only_into_l(n), _only_through_p_for_y(n)}
        distinct = len({abs(x), abs(y), abs(z)}) == 3  # no two inputs interchangeable
        if distinct and 0 not in answer.values() and answer["x"] not in partial and answer["y"] not in partial:
            return {"x": x, "y": y, "z": z}


numbers(_graph_numbers, chapter="06")

value_exercise(
    "06.chain_rule",
    answer=chain_rule_answer,
    section="§3 'The chain rule' (many variables: sum over every path)",
    hints=(
        "Work backwards from L: dL/dL = 1, then each node's gradient is the sum over its uses of "
        "(the gradient of the result × the local derivative). Run the forward pass first: you need its values.",
        "x feeds p and r, y feeds p and L: each of them collects one contribution per use.",
    ),
    key_hints={
        "r": "L = r·y: dL/dr is the other factor of that product.",
        "q": "r = q·x: the gradient arriving at r times the other factor.",
        "p": "q = p + z passes the gradient through unchanged.",
        "z": "q = p + z passes the gradient through unchanged.",
        "x": "x feeds two nodes (p and r): add the gradients along both paths.",
        "y": "y feeds two nodes (p and L): add the gradients along both paths.",
    },
    key_mistakes={
        "x": [
            Mistake(_only_through_r, "that is only the path through r = q·x; x also feeds p = x·y."),
            Mistake(_only_through_p, "that is only the path through p = x·y; x also feeds r = q·x."),
        ],
        "y": [
            Mistake(_only_into_l, "that is only the direct path into L = r·y; y also feeds p = x·y."),
            Mistake(_only_through_p_for_y, "that is only the path through p = x·y; y also feeds L directly."),
        ],
    },
)


# ------------------------------------------------------------------------------------------ Exercise 2
def _three_numbers(rng):
    a, b, g = (float(v) for v in rng.normal(scale=2.0, size=3))
    return Case(a, b if abs(b) > 0.2 else 0.5, g)  # keep away from dividing by (almost) zero


@function_exercise(
    "06.div_backward",
    cases=[Case(6.0, 3.0, 1.0), Case(6.0, 3.0, 0.5), Case(0.0, 4.0, 2.0), Case(-1.5, -0.5, -2.0), Case(1.0, 10.0, 3.0)],
    random_case=_three_numbers,
    check_dtype=False,
    section="§3 'The chain rule' (the table of local derivatives)",
    hints=(
        "a/b is a product of a and 1/b. How much does it change when a moves a little — and when b does? Then "
        "multiply by what arrives from above.",
        "For ∂/∂a treat b as a constant; for ∂/∂b write 1/b as a power of b and use the power rule. Then the chain "
        "rule multiplies each local derivative by what arrives from above.",
    ),
    mistakes=[
        Mistake(lambda a, b, g: (g / b, g * a / b**2), "Making b bigger makes a/b SMALLER (for a > 0): mind the sign."),
        Mistake(lambda a, b, g: (g * b, g * a), "That is the rule of a product; a/b is a times 1/b."),
        Mistake(lambda a, b, g: (g / b, -g / b**2), "The derivative with respect to b still depends on a."),
    ],
)
def div_backward(a, b, grad_out):
    """For out = a/b: (dL/da, dL/db) = (grad_out / b, −grad_out · a / b²)."""
    return grad_out / b, -grad_out * a / b**2


def _sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


@function_exercise(
    "06.sigmoid_backward",
    cases=[Case(0.0, 1.0), Case(2.0, 1.0), Case(-1.0, 3.0), Case(30.0, 1.0), Case(-3.0, -0.5)],
    random_case=lambda rng: Case(float(rng.normal(scale=2.0)), float(rng.normal())),
    check_dtype=False,
    section="§3 'The chain rule' and chapter 03 (the sigmoid's derivative)",
    hints=(
        "Like tanh, the sigmoid's derivative can be written with its own output. Which value goes into it: the "
        "input a or the output σ(a)?",
        "The chapter writes the sigmoid's derivative with the sigmoid's own output: compute σ(a) first, use it in "
        "that formula, and multiply by the gradient arriving from above.",
    ),
    mistakes=[
        Mistake(lambda a, g: g * _sigmoid(a) * (1 - a), "Use the OUTPUT σ(a) in both factors, not the input a."),
        Mistake(
            lambda a, g: g * (1 - _sigmoid(a) ** 2),
            "That is the pattern of tanh's derivative; the sigmoid's is σ times (1 − σ).",
        ),  # fmt: skip
        Mistake(lambda a, g: _sigmoid(a) * (1 - _sigmoid(a)), "The chain rule multiplies by grad_out."),
    ],
)
def sigmoid_backward(a, grad_out):
    """For out = σ(a): dL/da = grad_out · σ(a)·(1 − σ(a))."""
    s = _sigmoid(a)
    return grad_out * s * (1.0 - s)


# ------------------------------------------------------------------------------------------ Exercise 3
# Vector functions of a vector from NumPy: nonlinear and diagonal (sin, exp, tanh), lower-triangular (cumsum:
# a transposed Jacobian is wrong), and fewer outputs than inputs (diff).
_VECTOR_FUNCTIONS = (np.sin, np.exp, np.tanh, np.cumsum, np.diff)


def _jacobian_case(rng):
    return Case(
        _VECTOR_FUNCTIONS[int(rng.integers(len(_VECTOR_FUNCTIONS)))],
        rng.normal(size=int(rng.integers(2, 6))),
        eps=float(rng.choice([1e-3, 1e-2, 0.1])),
    )


def _forward_jacobian(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    base = np.asarray(f(x), dtype=np.float64)
    columns = []
    for j in range(x.size):
        x[j] += eps
        columns.append((np.asarray(f(x)) - base) / eps)
        x[j] -= eps
    return np.column_stack(columns)


def _transposed_jacobian(f, x, eps=1e-6):
    return numerical_jacobian(f, x, eps).T


@function_exercise(
    "06.numerical_jacobian",
    cases=[
        Case(np.sin, np.array([0.0, 1.0, -2.0]), eps=1e-3),
        Case(np.exp, np.array([1.0, -1.0]), eps=0.1),  # a big step: shows which difference you used
        Case(np.cumsum, np.array([1.0, 2.0, 3.0, 4.0]), eps=1e-3),  # not symmetric: row i belongs to output i
        Case(np.diff, np.array([0.5, -1.0, 2.0, 0.0]), eps=1e-3),  # 3 outputs of 4 inputs: shape (3, 4)
    ],
    random_case=_jacobian_case,
    rtol=1e-6,
    atol=1e-9,
    section="§7 'Gradient checking' (functions with many outputs)",
    hints=(
        "Nudge one input element at a time, both ways, and look at how EVERY output changes: that gives one "
        "column. Put each element back afterwards.",
        "Column j is the central difference of the whole output vector when only element j is nudged up and down by "
        "ε. One row per output, one column per input: shape (m, n).",
    ),
    mistakes=[
        Mistake(_forward_jacobian, "That is the one-sided difference; the central one nudges both ways."),
        Mistake(_transposed_jacobian, "Row i belongs to output i and column j to input j: this one is transposed."),
    ],
)
def numerical_jacobian(f, x, eps=1e-6):
    """J[i, j] ≈ (fᵢ(x + ε·eⱼ) − fᵢ(x − ε·eⱼ)) / 2ε for a function f of a 1-D array x with a 1-D result."""
    x = np.array(x, dtype=np.float64)  # our own copy to nudge
    columns = []
    for j in range(x.size):
        original = x[j]
        x[j] = original + eps
        plus = np.array(f(x), dtype=np.float64)
        x[j] = original - eps
        minus = np.array(f(x), dtype=np.float64)
        x[j] = original
        columns.append((plus - minus) / (2 * eps))
    return np.column_stack(columns)  # (m, n): one column per input element


# ------------------------------------------------------------------------------------------ Exercise 4
def _residual_case(rng):
    n, d = (int(v) for v in rng.integers(1, 5, size=2))
    return Case(rng.normal(size=(n, d)), rng.normal(size=(d, d)), rng.normal(size=d), rng.normal(size=(n, d)))


def _residual_without_skip(X, W, b, grad_H):
    delta = grad_H * (1.0 - np.tanh(X @ W.T + b) ** 2)
    return delta.T @ X, delta.sum(axis=0), delta @ W


def _residual_without_tanh(X, W, b, grad_H):
    return grad_H.T @ X, grad_H.sum(axis=0), grad_H + grad_H @ W


def _residual_transposed_dw(X, W, b, grad_H):
    delta = grad_H * (1.0 - np.tanh(X @ W.T + b) ** 2)
    return X.T @ delta, delta.sum(axis=0), grad_H + delta @ W


_FIXED = np.random.default_rng(6)


@function_exercise(
    "06.residual_backward",
    cases=[
        Case(np.array([[1.0]]), np.array([[0.5]]), np.array([0.1]), np.array([[1.0]])),  # one number
        Case(_FIXED.normal(size=(4, 3)), _FIXED.normal(size=(3, 3)), _FIXED.normal(size=3), _FIXED.normal(size=(4, 3))),
        Case(_FIXED.normal(size=(1, 2)), _FIXED.normal(size=(2, 2)), _FIXED.normal(size=2), _FIXED.normal(size=(1, 2))),
    ],
    random_case=_residual_case,
    check_dtype=False,
    section="§8 'Backprop through an MLP by hand, with matrices' and §3 (sum over every path)",
    hints=(
        "X reaches H along two paths: straight through the skip connection, and through the layer. Each path "
        "contributes to dL/dX. W and b are only on the second path.",
        "Go back through the layer path first: through tanh (its slope written with its output), then the linear "
        "layer's rule gives dW, db and that path's share of dX. The skip path hands grad_H to X unchanged; add the "
        "two shares.",
    ),
    mistakes=[
        Mistake(_residual_without_skip, "X also reaches H directly (H = X + …): that path adds grad_H to dX."),
        Mistake(_residual_without_tanh, "Going back through tanh multiplies by its derivative, 1 − tanh²."),
        Mistake(_residual_transposed_dw, "dW has W's shape (out, in): row j belongs to output unit j."),
    ],
)
def residual_backward(X, W, b, grad_H):
    """H = X + tanh(X Wᵀ + b);  δ = grad_H ⊙ (1 − tanh²);  dW = δᵀX, db = Σₙ δ, dX = grad_H + δW."""
    delta = grad_H * (1.0 - np.tanh(X @ W.T + b) ** 2)  # dL/dZ, (N, d)
    return delta.T @ X, delta.sum(axis=0), grad_H + delta @ W
