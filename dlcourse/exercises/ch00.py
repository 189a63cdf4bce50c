"""Checks for chapter 00 (welcome): a neuron's weighted sum, its output, a layer, and a prediction."""

import numpy as np

from dlcourse.exercises.registry import Case, function_check, value_check
from dlcourse.perceptron import relu, sigmoid


def _vector_case(rng):
    d = int(rng.integers(1, 6))
    return Case(rng.normal(size=d), rng.normal(size=d), float(rng.normal()))


@function_check(
    "00.weighted_sum",
    cases=[
        Case(np.array([1.0, 0.5]), np.array([0.5, 0.8]), -1.0),
        Case(np.array([0.0, 0.0]), np.array([2.0, -3.0]), 0.7),  # all inputs off: only the bias is left
        Case(np.array([2.0, -1.0, 4.0]), np.array([0.5, 3.0, -0.25]), 0.0),
    ],
    random_case=_vector_case,
    hint="Multiply each input by its weight, add the products up, then add the bias: np.dot(x, w) + b.",
)
def weighted_sum(x, w, b):
    """z = w₁x₁ + … + w_d·x_d + b."""
    return float(np.dot(x, w) + b)


def _neuron_case(rng):
    activation = [sigmoid, np.tanh, relu][int(rng.integers(0, 3))]
    return Case(*_vector_case(rng).args, activation)


@function_check(
    "00.neuron",
    cases=[
        Case(np.array([1.0, 0.5]), np.array([0.5, 0.8]), -1.0, sigmoid),
        Case(np.array([1.0, 3.0]), np.array([2.0, -1.0]), 0.5, relu),  # z = -0.5 → 0
        Case(np.array([1.0, 3.0]), np.array([2.0, -1.0]), 2.5, relu),  # z = +1.5 → 1.5
        Case(np.array([3.0]), np.array([0.0]), -0.3, np.tanh),  # the weight mutes the input
    ],
    random_case=_neuron_case,
    hint="First the weighted sum z = np.dot(x, w) + b, then return activation(z) — the activation comes last.",
)
def neuron_output(x, w, b, activation):
    """output = activation(w·x + b)."""
    return float(activation(np.dot(x, w) + b))


def _layer_case(rng):
    n_in, n_out = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    activation = [sigmoid, np.tanh, relu][int(rng.integers(0, 3))]
    return Case(rng.normal(size=n_in), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), activation)


@function_check(
    "00.layer_forward",
    cases=[
        Case(np.array([1.0, 2.0]), np.array([[1.0, -1.0], [0.5, 0.5], [2.0, 0.0]]), np.array([0.0, -1.0, 0.5]), relu),
        Case(np.array([0.3, -0.7]), np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.1, 0.2]), sigmoid),
    ],
    random_case=_layer_case,
    hint="Row j of W holds neuron j's weights: z = W @ x + b gives all the weighted sums at once; "
    "then apply the activation to the whole vector.",
)
def layer_forward(x, W, b, activation):
    """outputs = activation(W @ x + b): W (n_out, n_in), x (n_in,), b (n_out,) → (n_out,)."""
    return activation(W @ x + b)


# "Predict, then check with the widget": w1 = 2, w2 = −1, b = 0.5, ReLU, input (1, 3) → z = −0.5 → 0.
value_check(
    "00.predicted_output",
    0.0,
    atol=1e-3,
    hint="Work out z = w1·x1 + w2·x2 + b first. What does ReLU do with a negative z? "
    "Set the same knobs in the playground and read the output under the figure.",
)
