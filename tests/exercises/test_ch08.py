"""Chapter 08's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

import numpy as np
import pytest
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_graded_choice,
    assert_released_stub_fails,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes,
    chapter_specs,
    exercise_spec,
    fails,
)

from dlcourse import nn
from dlcourse.exercises import check

PUBLIC = chapter_specs()["08"].numbers(0)
NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "08_cnn.ipynb", numbers=PUBLIC)
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("08.conv2d_single", "08_conv2d_single", "conv2d_single"),
    ("08.output_size", "08_output_size", "output_size"),
    ("08.max_pool_2x2", "08_max_pool_2x2", "max_pool_2x2"),
]
VALUES = [  # (check id, solution cell's grade_id, the variable it defines)
    ("08.conv_params", "08_conv_params", "conv_params"),
    ("08.edge_x", "08_edge_x", "edge_x_most_positive"),
]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES)
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), VALUES)
def test_released_value_stub_says_no_answer(exercise_id, grade_id, name):
    assert_released_value_stub_says_no_answer(NOTEBOOK, exercise_id, grade_id, name)


# ---------------------------------------------------------------------------------------------- wrong answers
def flipped_convolution(image, kernel):  # the textbook convolution: kernel flipped
    kernel = kernel[::-1, ::-1]
    kh, kw = kernel.shape
    return np.array([[np.sum(image[i : i + kh, j : j + kw] * kernel) for j in range(image.shape[1] - kw + 1)]
                     for i in range(image.shape[0] - kh + 1)])  # fmt: skip


def one_too_small(image, kernel):  # forgot the "+ 1": misses the last row and column
    kh, kw = kernel.shape
    return np.array([[np.sum(image[i : i + kh, j : j + kw] * kernel) for j in range(image.shape[1] - kw)]
                     for i in range(image.shape[0] - kh)])  # fmt: skip


def square_only(image, kernel):  # uses kH for both axes
    k = kernel.shape[0]
    return np.array([[np.sum(image[i : i + k, j : j + k] * kernel) for j in range(image.shape[1] - k + 1)]
                     for i in range(image.shape[0] - k + 1)])  # fmt: skip


def elementwise_only(image, kernel):  # multiplied but never summed the window
    return image[: image.shape[0] - kernel.shape[0] + 1, : image.shape[1] - kernel.shape[1] + 1] * kernel[0, 0]


@pytest.mark.parametrize("wrong", [flipped_convolution, one_too_small, square_only, elementwise_only])
def test_conv2d_wrong_answers_fail(wrong):
    fails("08.conv2d_single", wrong)


def test_conv2d_flip_is_caught_with_a_value_difference():
    assert "values differ" in fails("08.conv2d_single", flipped_convolution)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda size, kernel_size, padding, stride: (size + 2 * padding - kernel_size) / stride + 1,  # no floor
        lambda size, kernel_size, padding, stride: (size + padding - kernel_size) // stride + 1,  # one side only
        lambda size, kernel_size, padding, stride: (size + 2 * padding - kernel_size) // stride,  # no + 1
        lambda size, kernel_size, padding, stride: (size + 2 * padding - kernel_size + 1) // stride,  # + 1 inside
    ],
)
def test_output_size_wrong_answers_fail(wrong):
    fails("08.output_size", wrong)


def max_from_zero(x):  # the running maximum starts at 0: wrong for negative windows
    out = np.zeros((x.shape[0] // 2, x.shape[1] // 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = max(0.0, np.max(x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]))
    return out


def overlapping(x):  # stride 1 instead of 2
    return np.array([[np.max(x[i : i + 2, j : j + 2]) for j in range(x.shape[1] - 1)] for i in range(x.shape[0] - 1)])


def average(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * h, : 2 * w].reshape(h, 2, w, 2).mean(axis=(1, 3))


def even_sizes_only(x):
    return x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3))


@pytest.mark.parametrize("wrong", [max_from_zero, overlapping, average, even_sizes_only])
def test_max_pool_wrong_answers_fail(wrong):
    fails("08.max_pool_2x2", wrong)


def test_conv_params_is_the_library_count_and_near_misses_fail():
    n = PUBLIC  # the numbers of the public copy (seed 0)
    count = sum(p.size for p in nn.Conv2d(n.conv_in, n.conv_out, kernel_size=n.kernel).parameters())
    check("08.conv_params", count)
    assert "also has a bias" in fails("08.conv_params", n.conv_out * n.conv_in * n.kernel**2)
    assert "one kernel per INPUT channel" in fails("08.conv_params", n.conv_out * (n.kernel**2 + 1))
    assert str(count) not in fails("08.conv_params", 100)  # the answer is never revealed


def test_conv_params_differ_between_students():
    chapter = exercise_spec("08.conv_params")
    answers = {chapter.answer_for(chapter_specs()["08"].numbers(seed)) for seed in range(1, 30)}
    assert len(answers) > 20, "per-student numbers must give (nearly) everyone a different answer"


def test_edge_prediction_is_a_graded_choice(capsys):
    assert_graded_choice("08.edge_x", " Left ", "right", capsys)
