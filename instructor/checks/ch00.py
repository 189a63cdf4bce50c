"""Chapter 00 (welcome): a neuron worked out by hand (per-student numbers), the bias that leaves a neuron
undecided, where a neuron's line crosses the plane, and forward propagation through any number of layers."""

import numpy as np

from dlcourse.exercises.digests import Tolerance
from dlcourse.exercises.spec import Case, Mistake, function_exercise, numbers, value_exercise
from dlcourse.perceptron import relu, sigmoid


def _chapter_numbers(rng):
    """Two small neurons per learner: numbers in steps of ½ between −2 and 2, so the arithmetic fits on paper."""
    halves = np.arange(-4, 5) / 2
    while True:  # exercise 1: a ReLU neuron whose weighted sum is clearly positive or clearly negative
        w1, w2, b, x1, x2 = (float(v) for v in rng.choice(halves, size=5))
        if 0.0 not in (w1, w2, x1, x2) and abs(w1 * x1 + w2 * x2 + b) >= 0.5:
            break
    while True:  # exercise 2: a sigmoid neuron and an input it must be undecided about
        v1, v2, p1, p2 = (float(v) for v in rng.choice(halves, size=4))
        if 0.0 not in (v1, v2, p1, p2) and v1 * p1 + v2 * p2 != 0.0:
            break
    return {"w1": w1, "w2": w2, "b": b, "x1": x1, "x2": x2, "v1": v1, "v2": v2, "p1": p1, "p2": p2}


numbers(_chapter_numbers, chapter="00")


def _weighted_sum(n):
    return n.w1 * n.x1 + n.w2 * n.x2 + n.b


value_exercise(
    "00.predicted_output",
    answer=lambda n: max(0.0, _weighted_sum(n)),
    tolerance=Tolerance(absolute=1e-3),
    section="§2 'A worked example by hand' and §4 'the neuron playground'",
    hints=(
        "Work out the weighted sum first, then ask what the activation does with it.",
        "Use your own numbers: the weighted sum includes the bias. Then decide which of ReLU's two cases your sum "
        "falls in.",
    ),
    mistakes=[
        Mistake(_weighted_sum, "That is z, the weighted sum. The neuron's output is the activation applied to z."),
        Mistake(
            lambda n: max(0.0, n.w1 * n.x1 + n.w2 * n.x2),
            "Don't forget the bias: it is added once, after the weighted inputs.",
        ),
    ],
)

value_exercise(
    "00.undecided_bias",
    answer=lambda n: -(n.v1 * n.p1 + n.v2 * n.p2),
    tolerance=Tolerance(absolute=1e-3),
    section="§2 'Activation functions' (the sigmoid) and 'A worked example by hand'",
    hints=(
        "The sigmoid says exactly one half for one value of its input only. Which weighted sum do you need, "
        "and which knob is still free to get it?",
        "The sigmoid gives exactly ½ for one input value only. Make the weighted sum of your point equal that value:"
        " the bias is the only unknown left.",
    ),
    mistakes=[
        Mistake(
            lambda n: n.v1 * n.p1 + n.v2 * n.p2,
            "Right size, wrong sign: the bias must cancel the weighted inputs, not repeat them.",
        ),
        Mistake(0.5, "One half is the output you want, not the bias that produces it."),
        Mistake(0.0, "With b = 0 the weighted sum is just the weighted inputs, which are not 0 here."),
    ],
)


def _boundary_case(rng):
    w = rng.normal(size=2)
    w[1] = np.sign(w[1]) * max(abs(w[1]), 0.2)  # never (close to) 0: the line is not vertical
    return Case(rng.uniform(-3, 3, size=int(rng.integers(1, 6))), w, float(rng.normal()))


@function_exercise(
    "00.boundary_x2",
    cases=[
        Case(1.6, np.array([0.5, 0.8]), -1.0),  # the worked example's neuron
        Case(np.array([-2.0, 0.0, 2.0]), np.array([1.0, 1.0]), 0.0),  # the line x2 = −x1
        Case(np.array([0.0, 1.0]), np.array([2.0, -1.0]), 0.5),  # a negative w2
        Case(3.0, np.array([0.0, 4.0]), -2.0),  # w1 = 0: a horizontal line
    ],
    random_case=_boundary_case,
    check_dtype=False,
    section="§4 'the neuron playground' (the line where z = 0)",
    hints=(
        "On the line the weighted sum is exactly 0. Write that down with x1 known and x2 unknown, then get x2 "
        "on its own.",
        "Start from 'weighted sum = 0', keep the x₂ term on one side and move everything else to the other, then "
        "divide by x₂'s weight. NumPy's arithmetic works on the whole array x1 at once.",
    ),
    mistakes=[
        Mistake(lambda x1, w, b: -(w[0] * x1) / w[1], "Don't forget the bias: it slides the line."),
        Mistake(lambda x1, w, b: (w[0] * x1 + b) / w[1], "Check the sign: put your x2 back into the weighted sum."),
        Mistake(lambda x1, w, b: -(w[1] * x1 + b) / w[0], "x1 goes with w1 and x2 with w2."),
    ],
)
def boundary_x2(x1, w, b):
    """x₂ = −(w₁x₁ + b) / w₂: where w₁x₁ + w₂x₂ + b = 0."""
    return -(w[0] * np.asarray(x1, dtype=np.float64) + b) / w[1]


def _network_case(rng):
    sizes = [int(s) for s in rng.integers(1, 5, size=int(rng.integers(2, 5)))]  # 1 to 3 layers
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        activation = [sigmoid, np.tanh, relu][int(rng.integers(0, 3))]
        layers.append((rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), activation))
    return Case(rng.normal(size=sizes[0]), layers)


def _activation_at_the_end_only(x, layers):
    for W, b, _ in layers:
        x = W @ x + b
    return layers[-1][2](x)


_W1, _B1 = np.array([[1.0, -1.0], [-1.0, 0.5]]), np.array([0.0, 0.5])
_W2, _B2 = np.array([[2.0, 3.0]]), np.array([-1.5])


@function_exercise(
    "00.network_forward",
    cases=[
        Case(np.array([2.0, 1.0]), [(_W1, _B1, relu), (_W2, _B2, sigmoid)]),  # the network of section 3
        Case(np.array([0.3, -0.7, 1.0]), [(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0]]), np.zeros(2), np.tanh)]),
        # three layers, every one a different shape: 2 → 3 → 4 → 1
        Case(
            np.array([1.0, -2.0]),
            [
                (np.arange(6.0).reshape(3, 2) / 5, np.array([0.1, -0.2, 0.3]), relu),
                (np.ones((4, 3)) / 3, np.array([0.0, -1.0, 0.5, 0.2]), np.tanh),
                (np.array([[1.0, -1.0, 2.0, 0.5]]), np.array([0.1]), sigmoid),
            ],
        ),
    ],
    random_case=_network_case,
    section="§3 'Forward propagation'",
    hints=(
        "Each layer's output is the next layer's input. What does one layer do with its input, and how do you "
        "repeat that for as many layers as the list holds?",
        "Keep one variable for 'what the current layer receives', start it at the input and overwrite it once per "
        "layer. A weight matrix holds one row per neuron, so its product with the input gives one number per neuron.",
    ),
    mistakes=[
        Mistake(
            lambda x, layers: layers[-1][2](layers[-1][0] @ x + layers[-1][1]),
            "Every layer must run, in order: the first one reads x, each later one reads the previous output.",
        ),
        Mistake(
            _activation_at_the_end_only,
            "Each layer applies its own activation before the next layer reads its output, not only the last one.",
        ),
    ],
)
def network_forward(x, layers):
    """Forward propagation: x → f(W x + b) for each (W, b, f) of `layers`, in order."""
    for W, b, activation in layers:
        x = activation(W @ x + b)  # (n_out,): the next layer's input
    return x
