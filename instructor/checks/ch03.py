"""Chapter 03 (activations): the derivative of SiLU (not in the catalogue), a log-softmax that never overflows, the
dead fraction of a layer given its weights, how much a chain of sigmoid layers shrinks a gradient (per-student
numbers), and a prediction about vanishing gradients (no points)."""

import numpy as np

from dlcourse.exercises.digests import Tolerance
from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise, numbers, value_exercise

_EDGES = np.array([-8.0, -2.0, -0.5, 0.0, 0.5, 2.0, 8.0])


def _random_array(rng, scale=3.0):
    shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
    return scale * rng.normal(size=shape)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


# ------------------------------------------------------------------------------------------ SiLU's derivative
@function_exercise(
    "03.silu_derivative",
    cases=[Case(0.0), Case(_EDGES), Case(np.array([[1.0, -1.0], [3.0, -3.0]])), Case(np.array([-20.0, 20.0]))],
    random_case=lambda rng: Case(_random_array(rng)),
    check_dtype=False,
    section="§3 'The catalogue' (the derivatives) and §4 'Checking the derivatives'",
    hints=(
        "SiLU is a product of two functions of x, and you know the derivative of each (sigmoid's is in the "
        "catalogue). Test your formula with a central difference before you check.",
        "Product rule, with x as one factor and σ(x) as the other; σ's own slope is in the catalogue. Sanity checks:"
        " the slope is ½ at x = 0 and approaches 1 for large x.",
    ),
    mistakes=[
        Mistake(_sigmoid, "Both factors of x·σ(x) change with x: the product rule has two terms."),
        Mistake(
            lambda x: np.asarray(x) * _sigmoid(x) * (1 - _sigmoid(x)),
            "That is only the second term of the product rule; the first factor, x, changes too.",
        ),
        Mistake(
            lambda x: _sigmoid(x) * (1 - _sigmoid(x)), "That is the sigmoid's own slope; SiLU multiplies σ(x) by x."
        ),
    ],
)
def silu_derivative(x):
    """d/dx [x·σ(x)] = σ(x) + x·σ(x)(1 − σ(x)), elementwise."""
    s = _sigmoid(x)
    return s + np.asarray(x, dtype=np.float64) * s * (1.0 - s)


# ------------------------------------------------------------------------------------------ log-softmax
def _log_of_softmax(z):
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    with np.errstate(divide="ignore"):
        return np.log(shifted / shifted.sum(axis=-1, keepdims=True))


def _shift_by_the_largest_of_all(z):
    with np.errstate(divide="ignore"):
        return z - z.max() - np.log(np.exp(z - z.max()).sum(axis=-1, keepdims=True))


@function_exercise(
    "03.log_softmax",
    cases=[
        Case(np.array([1.0, 2.0, 3.0])),
        Case(np.array([0.0, 0.0, 0.0, 0.0])),  # four equal logits: log ¼ each
        Case(np.array([0.0, -1000.0])),  # the second probability is e^(−1000): 0 in floating point, but its log is not
        Case(np.array([1000.0, 1001.0, 1002.0])),  # e^1000 overflows
        Case(np.array([[1.0, 2.0, 3.0], [10.0, 10.0, -5.0], [-800.0, 0.0, 3.0]])),  # one distribution per row
        Case(np.array([[1000.0, 1001.0], [0.0, 1.0]])),  # rows far apart: each needs its own shift
    ],
    random_case=lambda rng: Case(10 * rng.normal(size=(int(rng.integers(1, 5)), int(rng.integers(2, 6))))),
    section="§4 'Softmax: a vector in, a vector out'",
    hints=(
        "Take the logarithm of the softmax formula on paper first: the log of a quotient is a difference. Then make "
        "sure no exponential can overflow — and that you never compute a probability that is too small to store.",
        "The log of a quotient is a difference of logs, so you never need the (possibly tiny) probability itself. "
        "Shift each row by its largest logit before any exponential, as you did for softmax: the shift changes "
        "nothing in the result.",
    ),
    mistakes=[
        Mistake(
            _log_of_softmax,
            "The log of the softmax: its tiny probabilities become exactly 0 first, and the log of 0 is −inf. "
            "Work with the logarithm of the formula instead of the logarithm of its result.",
        ),
        Mistake(
            _shift_by_the_largest_of_all,
            "A 2-D input holds one distribution per row: shift each row by its own largest logit, or a row far below "
            "the others underflows.",
        ),
    ],
)
def log_softmax(z):
    """log softmax(z)ᵢ = zᵢ − m − log Σⱼ exp(zⱼ − m), m = max z, along the last axis."""
    shifted = z - z.max(axis=-1, keepdims=True)  # every entry ≤ 0
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# ------------------------------------------------------------------------------------------ dead units of a layer
def _dead_case(rng):
    n, d, units = (int(rng.integers(1, k)) for k in (7, 4, 8))
    return Case(rng.normal(size=(n, d)), rng.normal(size=(units, d)), rng.normal(loc=-1.0, size=units))


@function_exercise(
    "03.dead_fraction",
    cases=[
        # unit 0 reads x1 − x2 + 0.5 (alive), unit 1 reads −x1 − x2 − 1 (dead on these inputs)
        Case(np.array([[1.0, 0.5], [0.0, 2.0]]), np.array([[1.0, -1.0], [-1.0, -1.0]]), np.array([0.5, -1.0])),
        # 3 inputs, 2 features, 4 units: weighted sums of exactly 0 count as dead
        Case(
            np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
            np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, -2.0], [0.5, -0.5]]),
            np.array([-2.0, 0.0, 0.0, -0.5]),
        ),
        Case(np.array([[0.3, -0.7, 1.2]]), np.ones((5, 3)), np.zeros(5)),
    ],
    random_case=_dead_case,
    check_dtype=False,
    section="§7 'Dying ReLU'",
    hints=(
        "First compute every unit's weighted sum for every input (as in chapter 02, with one row of W per unit). "
        "Then: when is a ReLU unit dead on this data — on some inputs, or on all of them?",
        "Build the table of weighted sums: one row per input, one column per unit (mind how W is stored). A dead "
        "unit's column never rises above 0; the answer is a fraction of the units, not of the entries.",
    ),
    mistakes=[
        Mistake(
            lambda X, W, b: float(np.mean(X @ W.T + b <= 0)),
            "That counts dead entries. A unit is dead only if it is ≤ 0 for every input.",
        ),
        Mistake(
            lambda X, W, b: float(np.mean(np.all(X @ W.T + b < 0, axis=0))),
            "A weighted sum of exactly 0 gives ReLU output 0 and slope 0 too: it counts as dead.",
        ),
        Mistake(
            lambda X, W, b: float(np.mean(np.all(X @ W.T + b <= 0, axis=1))),
            "Units are the columns of the table of weighted sums; each row is one input.",
        ),
    ],
)
def dead_fraction(X, W, b):
    """Fraction of the layer's units (rows of W) whose weighted sum X Wᵀ + b is ≤ 0 for every input (row of X)."""
    Z = np.asarray(X, dtype=np.float64) @ W.T + b  # (inputs, units)
    return float(np.mean(np.all(Z <= 0, axis=0)))


# ------------------------------------------------------------------------------------------ a chain of sigmoids
def _chapter_numbers(rng):
    """A chain of one-unit sigmoid layers per learner: its depth and its (shared) weight."""
    return {"depth": int(rng.integers(5, 16)), "weight": float(rng.choice([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0]))}


numbers(_chapter_numbers, chapter="03")

value_exercise(
    "03.chain_factor",
    answer=lambda n: (n.weight * 0.25) ** n.depth,
    tolerance=Tolerance(relative=0.01),
    section="§6 'Saturation and vanishing gradients'",
    hints=(
        "Each layer multiplies a small change by one factor: its weight times the activation's slope where the "
        "unit sits. What is the sigmoid's slope at a weighted sum of 0?",
        "Evaluate the sigmoid's slope at 0 from its derivative formula. Every layer contributes the same factor "
        "(weight times that slope), and a chain of equal factors is a power of one of them.",
    ),
    mistakes=[
        Mistake(lambda n: 0.25**n.depth, "The change is multiplied by the weight, too, at every layer."),
        Mistake(lambda n: n.weight**n.depth, "Each layer also multiplies by the sigmoid's slope at its unit."),
        Mistake(
            lambda n: (n.weight * 0.5) ** n.depth,
            "σ(0) = ½ is the unit's output; the change is multiplied by its slope σ'(0).",
        ),
        Mistake(lambda n: n.depth * n.weight * 0.25, "Factors from successive layers multiply; they don't add up."),
    ],
)

# ------------------------------------------------------------------------------------------ prediction (no points)
choice_exercise(
    "03.vanishing_prediction",
    choices=("linear", "sigmoid", "tanh", "relu", "leaky_relu"),
    answer="sigmoid",
    graded=False,
    aliases={"leaky relu": "leaky_relu", "leaky-relu": "leaky_relu"},
    explanation=(
        "Sigmoid. Its slope is never above ¼, so twenty layers multiply the gradient by at most about (¼)²⁰ ≈ 10⁻¹² "
        "— and large weights would only push the units into saturation, where the slope is even smaller. Tanh's "
        "slope reaches 1, and ReLU, Leaky ReLU and linear pass a gradient with slope 1; with Xavier or He "
        "initialisation their factors stay near 1 on average. The cells below measure it."
    ),
    section="§6 'Saturation and vanishing gradients'",
    hints=("Compare the largest slope of each activation in the explorer, then think about multiplying 20 of them.",),
)
