"""Chapter 08's checks fail on the released stubs and on plausible wrong answers, and pass on the notebook's solutions."""

import numpy as np
import pytest
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
from dlcourse import nn
from dlcourse.exercises import check
from dlcourse.nn import functional as F

PUBLIC = chapter_specs()["08"].numbers(0)
NOTEBOOK = ChapterNotebook(REPO / "instructor" / "chapters" / "08_cnn.ipynb", numbers=PUBLIC)
FUNCTIONS = [  # (check id, solution cell's grade_id, the function it defines)
    ("08.output_size", "08_output_size", "output_size"),
    ("08.max_pool_2x2", "08_max_pool_2x2", "max_pool_2x2"),
    ("08.max_pool_2x2_backward", "08_max_pool_2x2_backward", "max_pool_2x2_backward"),
    ("08.conv2d_backward", "08_conv2d_backward", "conv2d_backward"),
    ("08.conv_layer_backward", "08_conv_layer_backward", "conv_layer_backward"),
]
VALUES = [  # (check id, solution cell's grade_id, the variable it defines)
    ("08.conv_params", "08_conv_params", "conv_params"),
    ("08.edge_x", "08_edge_x", "edge_x_most_positive"),
]


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS + VALUES[:1])
def test_notebook_solution_passes_and_its_graded_cell_calls_the_check(exercise_id, grade_id, name, capsys):
    assert_solution_passes(NOTEBOOK, exercise_id, grade_id, name, capsys)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), FUNCTIONS)
def test_released_function_stub_fails_with_the_friendly_message(exercise_id, grade_id, name):
    assert_released_stub_fails(NOTEBOOK, exercise_id, grade_id, name)


@pytest.mark.parametrize(("exercise_id", "grade_id", "name"), VALUES)
def test_released_value_stub_says_no_answer(exercise_id, grade_id, name):
    assert_released_value_stub_says_no_answer(NOTEBOOK, exercise_id, grade_id, name)


# ---------------------------------------------------------------------------------------------- wrong answers
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
    count = sum(p.numel() for p in nn.Conv2d(n.conv_in, n.conv_out, kernel_size=n.kernel).parameters())
    check("08.conv_params", count)
    assert "also has a bias" in fails("08.conv_params", n.conv_out * n.conv_in * n.kernel**2)
    assert "one kernel per INPUT channel" in fails("08.conv_params", n.conv_out * (n.kernel**2 + 1))
    assert str(count) not in fails("08.conv_params", 100)  # the answer is never revealed


def test_conv_params_differ_between_students():
    chapter = exercise_spec("08.conv_params")
    answers = {chapter.answer_for(chapter_specs()["08"].numbers(seed)) for seed in range(1, 30)}
    assert len(answers) > 20, "per-student numbers must give (nearly) everyone a different answer"


# ---------------------------------------------------------------------------------------------- backward passes
def library_conv_grads(image, kernel, grad_out):
    """(∂L/∂image, ∂L/∂kernel) by the library's autograd through F.conv2d, L = Σ grad_out · out."""
    image_t, kernel_t = (
        dl.tensor(np.array(image, float), requires_grad=True),
        dl.tensor(np.array(kernel, float), requires_grad=True),
    )
    out = F.conv2d(image_t.reshape(1, 1, *image.shape), kernel_t.reshape(1, 1, *kernel.shape))
    (out.reshape(*grad_out.shape) * dl.tensor(np.array(grad_out, float))).sum().backward()
    return np.asarray(image_t.grad), np.asarray(kernel_t.grad)


def library_pool_grad(x, grad_out):
    x_t = dl.tensor(np.array(x, float), requires_grad=True)
    (F.max_pool2d(x_t.reshape(1, 1, *x.shape), 2).reshape(*grad_out.shape) * dl.tensor(grad_out)).sum().backward()
    return np.asarray(x_t.grad)


@pytest.mark.parametrize("seed", range(4))
def test_backward_solutions_are_the_library_backward(seed):
    conv2d_backward = NOTEBOOK.solution("08_conv2d_backward", "conv2d_backward")
    max_pool_2x2_backward = NOTEBOOK.solution("08_max_pool_2x2_backward", "max_pool_2x2_backward")
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(int(rng.integers(3, 9)), int(rng.integers(3, 9)))), rng.normal(size=(2, 3))
    grad_out = rng.normal(size=(image.shape[0] - 1, image.shape[1] - 2))
    for mine, library in zip(conv2d_backward(image, kernel, grad_out), library_conv_grads(image, kernel, grad_out)):
        np.testing.assert_allclose(mine, library, rtol=1e-10, atol=1e-12)
    x = rng.normal(size=(int(rng.integers(2, 9)), int(rng.integers(2, 9))))
    g = rng.normal(size=(x.shape[0] // 2, x.shape[1] // 2))
    np.testing.assert_allclose(max_pool_2x2_backward(x, g), library_pool_grad(x, g))


def test_pool_backward_ties_go_to_the_first_maximum_like_the_library():
    x = np.zeros((4, 4))  # a map after ReLU: every window ties at 0
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    max_pool_2x2_backward = NOTEBOOK.solution("08_max_pool_2x2_backward", "max_pool_2x2_backward")
    np.testing.assert_array_equal(max_pool_2x2_backward(x, g), library_pool_grad(x, g))
    check("08.max_pool_2x2_backward", lambda x, g: library_pool_grad(np.asarray(x), np.asarray(g)))


def spread_evenly(x, grad_out):  # the backward pass of AVERAGE pooling
    grad = np.zeros(np.shape(x))
    h, w = grad_out.shape
    grad[: 2 * h, : 2 * w] = np.kron(grad_out, np.ones((2, 2))) / 4
    return grad


def copied_to_all(x, grad_out):  # every entry of the window gets the gradient
    grad = np.zeros(np.shape(x))
    h, w = grad_out.shape
    grad[: 2 * h, : 2 * w] = np.kron(grad_out, np.ones((2, 2)))
    return grad


def to_the_minimum(x, grad_out):  # routed to the smallest entry
    return -library_pool_grad(-np.asarray(x, float), np.asarray(grad_out, float))


@pytest.mark.parametrize("wrong", [spread_evenly, copied_to_all, to_the_minimum])
def test_pool_backward_wrong_answers_fail(wrong):
    fails("08.max_pool_2x2_backward", wrong)


def test_pool_backward_hints_name_the_mistakes():
    assert "AVERAGE pooling" in fails("08.max_pool_2x2_backward", spread_evenly)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda image, kernel, g: library_conv_grads(image, kernel[::-1, ::-1], g),  # flipped kernel
        lambda image, kernel, g: library_conv_grads(image, kernel, g)[::-1],  # (kernel, image) order
        lambda image, kernel, g: (library_conv_grads(image, kernel, g)[0], library_conv_grads(image, kernel, g)[1].T),
        lambda image, kernel, g: (np.zeros(np.shape(image)), library_conv_grads(image, kernel, g)[1]),  # no input grad
        lambda image, kernel, g: (library_conv_grads(image, kernel, g)[0], np.sum(g) * np.ones(np.shape(kernel))),
    ],
)
def test_conv_backward_wrong_answers_fail(wrong):
    fails("08.conv2d_backward", wrong)


def test_conv_backward_hints_name_the_mistakes():
    from checks.ch08 import _conv_backward_flipped, _conv_backward_overwrites

    assert "No flip" in fails("08.conv2d_backward", _conv_backward_flipped)
    assert "ADD" in fails("08.conv2d_backward", _conv_backward_overwrites)


# ---------------------------------------------------------------------------------------------- the prediction
def test_edge_prediction_reveals_and_explains(capsys):
    """A prediction worth no points: the check reveals the answer with its reason; no graded cell for it."""
    check("08.edge_x", " Right ")
    out = capsys.readouterr().out
    assert "✗ the answer is 'left'" in out and "right column" in out
    check("08.edge_x", "left")
    assert "✓ right" in capsys.readouterr().out
    assert not exercise_spec("08.edge_x").graded
    assert "08_edge_x_test" not in [
        c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in NOTEBOOK.nb.cells
    ]


def test_the_edge_x_answer_is_what_the_kernel_computes():
    """On a vertical bar, the edge-x map (padding 1) is most positive just left of it."""
    bar = np.zeros((7, 9))
    bar[1:6, 4] = 1.0
    kernel = np.array([[-1.0, 0.0, 1.0]] * 3)
    out = np.asarray(F.conv2d(bar[None, None], kernel[None, None], padding=1))[0, 0]
    assert np.unravel_index(np.argmax(out), out.shape)[1] == 3 and np.unravel_index(np.argmin(out), out.shape)[1] == 5


# ---------------------------------------------------------------------------------------------- a whole layer, backwards
def library_layer_grads(x, weight, grad_out, stride, padding):
    """(∂L/∂x, ∂L/∂weight, ∂L/∂bias) by the library's autograd through F.conv2d, L = Σ grad_out · out."""
    x_t, weight_t = (
        dl.tensor(np.array(x, float), requires_grad=True),
        dl.tensor(np.array(weight, float), requires_grad=True),
    )
    bias_t = dl.tensor(np.zeros(np.shape(weight)[0]), requires_grad=True)
    out = F.conv2d(x_t, weight_t, bias_t, stride=stride, padding=padding)
    (out * dl.tensor(np.array(grad_out, float))).sum().backward()
    return tuple(np.asarray(t.grad) for t in (x_t, weight_t, bias_t))


@pytest.mark.parametrize("seed", range(4))
def test_layer_backward_solution_is_the_library_backward(seed):
    conv_layer_backward = NOTEBOOK.solution("08_conv_layer_backward", "conv_layer_backward")
    rng = np.random.default_rng(seed)
    stride, padding = int(rng.integers(1, 4)), int(rng.integers(0, 3))
    x, weight = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2))
    out_h, out_w = (7 + 2 * padding - 3) // stride + 1, (6 + 2 * padding - 2) // stride + 1
    grad_out = rng.normal(size=(2, 4, out_h, out_w))
    mine = conv_layer_backward(x, weight, grad_out, stride, padding)
    for a, b in zip(mine, library_layer_grads(x, weight, grad_out, stride, padding)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    check("08.conv_layer_backward", library_layer_grads)  # the library's own backward pass passes the check


def layer_grads_first_example_only(x, weight, grad_out, stride, padding):
    grad_x, grad_weight, grad_bias = library_layer_grads(x, weight, grad_out, stride, padding)
    first = library_layer_grads(x[:1], weight, grad_out[:1], stride, padding)  # the weights learn from one example
    return grad_x, first[1], first[2]


def layer_grads_bias_without_positions(x, weight, grad_out, stride, padding):
    grad_x, grad_weight, _ = library_layer_grads(x, weight, grad_out, stride, padding)
    return grad_x, grad_weight, np.asarray(grad_out).sum(axis=0)[:, 0, 0]  # one position only


@pytest.mark.parametrize(
    "wrong",
    [
        lambda x, w, g, s, p: library_layer_grads(x, w, g, s, p)[::-1],  # order
        lambda x, w, g, s, p: library_layer_grads(x, w[:, :, ::-1, ::-1], g, s, p),  # flipped kernels
        layer_grads_first_example_only,
        layer_grads_bias_without_positions,
    ],
)
def test_layer_backward_wrong_answers_fail(wrong):
    fails("08.conv_layer_backward", wrong)


def test_layer_backward_hints_name_the_mistakes():
    from checks.ch08 import _layer_backward

    ignores_stride = fails("08.conv_layer_backward", lambda x, w, g, s, p: _layer_backward(x, w, g, s, p, 1))
    assert "stride" in ignores_stride
    keeps_frame = fails("08.conv_layer_backward", lambda x, w, g, s, p: _layer_backward(x, w, g, s, p, crop=False))
    assert "padding" in keeps_frame
