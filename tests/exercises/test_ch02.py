"""Chapter 02's checks: pass on a learner-style solution, fail on the stub and on plausible mistakes."""

import math

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_released_value_stub_says_no_answer,
    chapter_specs,
    exercise_spec,
    fails,
    stub,
)

from dlcourse.exercises import CheckFailed, check

PUBLIC = chapter_specs()["02"].numbers(0)  # the numbers of the public learner copy
NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "02_mlp_xor.ipynb", numbers=PUBLIC)


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


def classmate_forward(X, W1, b1, W2, b2):  # the chapter's buggy version
    H = np.tanh(X @ W1) + b1
    return 1 / (1 + np.exp(-(H @ W2.T + b2)))


def only_the_transpose_fixed(X, W1, b1, W2, b2):
    return sigmoid((np.tanh(X @ W1.T) + b1) @ W2.T + b2)


def only_the_bias_fixed(X, W1, b1, W2, b2):
    return sigmoid(np.tanh(X @ W1 + b1) @ W2.T + b2)


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
        (classmate_forward, "still the classmate's version"),
        (only_the_transpose_fixed, "before or after the activation"),
        (only_the_bias_fixed, "W1 is stored as"),
    ],
)
def test_mlp_forward_fails_on_mistakes(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check("02.mlp_forward", wrong)


def test_the_classmate_code_in_the_chapter_is_the_buggy_version_the_check_knows():
    exercise_text = next(c.source for c in NOTEBOOK.nb.cells if "def classmate_forward" in c.source)
    code = exercise_text.split("```python\n")[1].split("```")[0]
    namespace = {"np": np}
    exec(code, namespace)
    assert "still the classmate's version" in fails("02.mlp_forward", namespace["classmate_forward"])


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
    for wrong, hint in (
        (count_without_biases, "also has a bias"),
        (count_biases_of_the_inputs_too, "no neurons, so no biases"),
        (lambda sizes: sum(a * b + a for a, b in zip(sizes, sizes[1:])), "per output, not per input"),
    ):
        with pytest.raises(CheckFailed, match=hint):
            check("02.count_parameters", wrong)
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check("02.count_parameters", stub)


# ------------------------------------------------------------------------------------------- signal after many layers
def test_output_std_is_the_variance_argument_and_wrong_answers_get_their_hints():
    n = PUBLIC
    factor = math.sqrt(n.fan_in) * n.weight_std
    check("02.output_std", factor**n.layers)
    check("02.output_std", factor**n.layers * 1.005)  # 1 % is enough
    assert "That is the variance" in fails("02.output_std", factor ** (2 * n.layers))
    assert "after one layer" in fails("02.output_std", factor)
    assert "multiply, they do not add up" in fails("02.output_std", n.layers * factor)
    fails("02.output_std", None, match="no answer yet")


def test_output_std_matches_a_simulation():
    """The variance argument is right for the public numbers: push random inputs through random layers."""
    n = PUBLIC
    rng = np.random.default_rng(0)
    h = rng.standard_normal((2000, n.fan_in))
    for _ in range(n.layers):
        h = h @ rng.normal(scale=n.weight_std, size=(n.fan_in, n.fan_in)).T
    expected = exercise_spec("02.output_std").answer_for(n)
    assert abs(h.std() / expected - 1) < 0.1


def test_output_std_differs_between_students():
    exercise = exercise_spec("02.output_std")
    answers = {round(exercise.answer_for(chapter_specs()["02"].numbers(seed)), 9) for seed in range(1, 30)}
    assert len(answers) > 20


def test_released_value_stub_says_no_answer():
    assert_released_value_stub_says_no_answer(NOTEBOOK, "02.output_std", "02_output_std", "output_std")


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


# ------------------------------------------------------------------------------------------- prediction (no points)
def test_zero_init_prediction_is_revealed_with_its_explanation(capsys):
    check("02.zero_init_prediction", "yes")
    out = capsys.readouterr().out
    assert "the answer is 'no'" in out and "two 1s and two 0s" in out
    check("02.zero_init_prediction", "No")
    assert "✓ right" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="no answer yet"):
        check("02.zero_init_prediction", ...)
    with pytest.raises(CheckFailed, match="a string"):
        check("02.zero_init_prediction", False)
