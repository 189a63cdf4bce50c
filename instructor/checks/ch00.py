"""Chapter 00 (welcome): a neuron's weighted sum, its output, a layer, and a prediction read off the widget."""

import numpy as np

from dlcourse.exercises.digests import Tolerance
from dlcourse.exercises.spec import Case, Mistake, function_exercise, value_exercise
from dlcourse.perceptron import relu, sigmoid


def _vector_case(rng):
    d = int(rng.integers(1, 6))
    return Case(rng.normal(size=d), rng.normal(size=d), float(rng.normal()))


@function_exercise(
    "00.weighted_sum",
    cases=[
        Case(np.array([1.0, 0.5]), np.array([0.5, 0.8]), -1.0),
        Case(np.array([0.0, 0.0]), np.array([2.0, -3.0]), 0.7),  # all inputs off: only the bias is left
        Case(np.array([2.0, -1.0, 4.0]), np.array([0.5, 3.0, -0.25]), 0.0),
    ],
    random_case=_vector_case,
    check_dtype=False,
    section="§2 'One neuron, up close'",
    hints=(
        "Each input counts as much as its weight says. What do you do with all those contributions, and "
        "where does the bias come in?",
        "z = w₁x₁ + w₂x₂ + … + w_d·x_d + b: one product per input, all added up, plus b once.",
    ),
    mistakes=[Mistake(lambda x, w, b: float(np.dot(x, w)), "Don't forget the bias: it is added once, at the end.")],
)
def weighted_sum(x, w, b):
    """z = w₁x₁ + … + w_d·x_d + b."""
    return float(np.dot(x, w) + b)


def _neuron_case(rng):
    activation = [sigmoid, np.tanh, relu][int(rng.integers(0, 3))]
    return Case(*_vector_case(rng).args, activation)


@function_exercise(
    "00.neuron",
    cases=[
        Case(np.array([1.0, 0.5]), np.array([0.5, 0.8]), -1.0, sigmoid),
        Case(np.array([1.0, 3.0]), np.array([2.0, -1.0]), 0.5, relu),  # z = -0.5 → 0
        Case(np.array([1.0, 3.0]), np.array([2.0, -1.0]), 2.5, relu),  # z = +1.5 → 1.5
        Case(np.array([3.0]), np.array([0.0]), -0.3, np.tanh),  # the weight mutes the input
    ],
    random_case=_neuron_case,
    check_dtype=False,
    section="§2 'One neuron, up close'",
    hints=(
        "A neuron does two things, in a fixed order. Which comes first: the weighted sum or the activation?",
        "output = f(z), where z is the weighted sum of exercise 1 and f is the activation you were given.",
    ),
    mistakes=[
        Mistake(
            lambda x, w, b, activation: float(np.dot(activation(x), w) + b),
            "The activation acts on z, not on the inputs.",
        )
    ],
)
def neuron_output(x, w, b, activation):
    """output = activation(w·x + b)."""
    return float(activation(np.dot(x, w) + b))


def _layer_case(rng):
    n_in, n_out = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    activation = [sigmoid, np.tanh, relu][int(rng.integers(0, 3))]
    return Case(rng.normal(size=n_in), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), activation)


@function_exercise(
    "00.layer_forward",
    cases=[
        Case(np.array([1.0, 2.0]), np.array([[1.0, -1.0], [0.5, 0.5], [2.0, 0.0]]), np.array([0.0, -1.0, 0.5]), relu),
        Case(np.array([0.3, -0.7]), np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.1, 0.2]), sigmoid),
    ],
    random_case=_layer_case,
    section="§3 'Forward propagation'",
    hints=(
        "A layer is several neurons reading the same inputs. Which part of W belongs to neuron j?",
        "Row j of W holds neuron j's weights, so all the weighted sums at once are the matrix–vector product "
        "W·x plus the bias vector; then the activation acts on every entry.",
    ),
)
def layer_forward(x, W, b, activation):
    """outputs = activation(W @ x + b): W (n_out, n_in), x (n_in,), b (n_out,) → (n_out,)."""
    return activation(W @ x + b)


# "Predict, then check with the widget": w1 = 2, w2 = −1, b = 0.5, ReLU, input (1, 3).
value_exercise(
    "00.predicted_output",
    answer=0.0,
    tolerance=Tolerance(absolute=1e-3),
    section="§2 'A worked example by hand' and §4 'the neuron playground'",
    hints=(
        "Work out the weighted sum first, then ask what the activation does with it.",
        "z = w₁x₁ + w₂x₂ + b. What does ReLU return for a negative z?",
    ),
    mistakes=[Mistake(-0.5, "That is z, the weighted sum. The neuron's output is the activation applied to z.")],
)
