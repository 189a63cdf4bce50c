"""Chapter 02's checks: pass on a learner-style solution, fail on the stub and on plausible mistakes."""

import math

import numpy as np
import pytest
from exercise_helpers import stub

from dlcourse.exercises import CheckFailed, check


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ------------------------------------------------------------------------------------------- forward pass
def forward(X, W1, b1, W2, b2):
    hidden = np.tanh(X @ W1.T + b1)
    return sigmoid(hidden @ W2.T + b2)


def forward_without_transposes(X, W1, b1, W2, b2):
    return sigmoid(np.tanh(X @ W1 + b1) @ W2 + b2)


def forward_without_hidden_activation(X, W1, b1, W2, b2):
    return sigmoid((X @ W1.T + b1) @ W2.T + b2)


def forward_with_a_flat_output(X, W1, b1, W2, b2):
    return forward(X, W1, b1, W2, b2).ravel()


def test_mlp_forward_passes_on_a_solution(capsys):
    check("02.mlp_forward", forward)
    assert "✓ 02.mlp_forward passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (stub, "not implemented yet"),
        (forward_without_transposes, "your code raised ValueError"),
        (forward_without_hidden_activation, "values differ"),
        (forward_with_a_flat_output, "shape differs"),
    ],
)
def test_mlp_forward_fails_on_mistakes(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check("02.mlp_forward", wrong)


# ------------------------------------------------------------------------------------------- parameters
def count(sizes):
    total = 0
    for i in range(len(sizes) - 1):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total


def count_without_biases(sizes):
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


def count_biases_of_the_inputs_too(sizes):
    return count(sizes) + sizes[0]


def test_count_parameters(capsys):
    check("02.count_parameters", count)
    assert "passed" in capsys.readouterr().out
    for wrong in (count_without_biases, count_biases_of_the_inputs_too):
        with pytest.raises(CheckFailed, match="expected"):
            check("02.count_parameters", wrong)
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check("02.count_parameters", stub)


# ------------------------------------------------------------------------------------------- Xavier bound
def test_xavier_bound():
    check("02.xavier_bound", lambda fan_in, fan_out, gain=1.0: gain * np.sqrt(6 / (fan_in + fan_out)))
    with pytest.raises(CheckFailed, match="values differ"):  # the standard deviation, not the bound
        check("02.xavier_bound", lambda fan_in, fan_out, gain=1.0: gain * math.sqrt(2 / (fan_in + fan_out)))
    with pytest.raises(CheckFailed, match="values differ"):  # forgot the gain
        check("02.xavier_bound", lambda fan_in, fan_out, gain=1.0: math.sqrt(6 / (fan_in + fan_out)))
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check("02.xavier_bound", stub)


# ------------------------------------------------------------------------------------------- XNOR by hand
XNOR = (np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([-1.5, 0.5]), np.array([[1.0, 1.0]]), np.array([-0.5]))


def test_xnor_weights_pass_for_any_correct_network():
    check("02.xnor_weights", XNOR)
    wider = (np.vstack([XNOR[0], [[0.0, 0.0]]]), np.append(XNOR[1], -1.0), np.array([[1.0, 1.0, 0.0]]), XNOR[3])
    check("02.xnor_weights", wider)  # a third (useless) hidden unit is fine


def test_xnor_weights_fail_on_xor_wrong_shapes_and_non_tuples():
    xor = (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-0.5, -1.5]), np.array([[1.0, -1.0]]), np.array([-0.5]))
    with pytest.raises(CheckFailed, match=r"outputs on \(0,0\), \(0,1\), \(1,0\), \(1,1\): values differ"):
        check("02.xnor_weights", xor)
    transposed = (XNOR[0], XNOR[1], XNOR[2].T, XNOR[3])
    with pytest.raises(CheckFailed, match="shapes must be"):
        check("02.xnor_weights", transposed)
    with pytest.raises(CheckFailed, match="no answer yet"):
        check("02.xnor_weights", ...)
    with pytest.raises(CheckFailed, match="tuple"):
        check("02.xnor_weights", [1, 2])


# ------------------------------------------------------------------------------------------- prediction
def test_zero_init_prediction():
    check("02.zero_init_prediction", False)
    with pytest.raises(CheckFailed, match="True is not the expected value"):
        check("02.zero_init_prediction", True)
    with pytest.raises(CheckFailed, match="True or False"):
        check("02.zero_init_prediction", "no")
