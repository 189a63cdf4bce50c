"""Checks for chapter 08 (CNNs): a 2-D convolution by hand, the output-size formula, 2×2 max pooling,
the parameters of a convolution layer, and a prediction about what an edge kernel detects."""

import numpy as np

from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check, value_check

_ASYMMETRIC = np.array([[1.0, 2.0], [0.0, -1.0]])  # flipping it changes the result: catches "true" convolution


def _random_conv_case(rng):
    kernel_h, kernel_w = (int(k) for k in rng.integers(1, 4, size=2))
    height, width = kernel_h + int(rng.integers(0, 5)), kernel_w + int(rng.integers(0, 5))
    return Case(rng.normal(size=(height, width)), rng.normal(size=(kernel_h, kernel_w)))


@function_check(
    "08.conv2d_single",
    cases=[
        Case(np.eye(4), np.ones((2, 2))),
        Case(np.arange(12.0).reshape(3, 4), _ASYMMETRIC),  # not square, and a kernel without symmetry
        Case(np.arange(20.0).reshape(4, 5), np.array([[1.0, 0.0, -1.0]])),  # a 1×3 kernel
        Case(np.arange(9.0).reshape(3, 3), np.arange(9.0).reshape(3, 3)),  # kernel as big as the image: 1×1
        Case(np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([[10.0]])),  # a 1×1 kernel only scales
    ],
    random_case=_random_conv_case,
    check_dtype=False,
    hint="out has shape (H − kH + 1, W − kW + 1); out[i, j] = np.sum(image[i:i+kH, j:j+kW] * kernel) — the kernel "
    "is not flipped (this is what deep-learning libraries call convolution).",
)
def conv2d_single(image, kernel):
    """out[i, j] = Σ_a Σ_b image[i + a, j + b] · kernel[a, b]: valid (no padding), stride 1."""
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    kernel_h, kernel_w = kernel.shape
    out = np.zeros((image.shape[0] - kernel_h + 1, image.shape[1] - kernel_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kernel_h, j : j + kernel_w] * kernel)
    return out


@function_check(
    "08.output_size",
    cases=[
        Case(8, 3, 0, 1),  # the digits with a 3×3 kernel: 6
        Case(8, 3, 1, 1),  # "same" padding keeps 8
        Case(28, 5, 2, 2),  # 27 / 2 is not whole: rounded down
        Case(7, 3, 0, 2),
        Case(8, 3, 0, 10),  # a stride longer than the image: one window
        Case(5, 5, 0, 1),  # the kernel fills the image
        Case(32, 4, 1, 3),
    ],
    random_case=lambda rng: Case(
        int(rng.integers(5, 40)), int(rng.integers(1, 6)), int(rng.integers(0, 3)), int(rng.integers(1, 4))
    ),
    check_dtype=False,
    hint="(size + 2·padding − kernel_size) // stride + 1: padding is added on both sides, and a window that "
    "would stick out past the edge does not count (round down with //).",
)
def output_size(size, kernel_size, padding, stride):
    """⌊(size + 2·padding − kernel_size) / stride⌋ + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def _random_pool_case(rng):
    height, width = (int(n) for n in rng.integers(2, 9, size=2))
    return Case(rng.normal(size=(height, width)))


@function_check(
    "08.max_pool_2x2",
    cases=[
        Case(np.arange(16.0).reshape(4, 4)),
        Case(-np.arange(1.0, 17.0).reshape(4, 4)),  # all negative: a maximum that starts at 0 is wrong
        Case(np.array([[1.0, 5.0, 2.0, 0.0, 9.0, 9.0], [3.0, 4.0, 8.0, 1.0, 9.0, 9.0]])),  # 2×6 → 1×3
        Case(np.arange(25.0).reshape(5, 5)),  # odd sizes: the last row and column are left out
        Case(np.array([[7.0, -2.0], [-3.0, 0.5]])),
    ],
    random_case=_random_pool_case,
    check_dtype=False,
    hint="out[i, j] = the maximum of x[2i:2i+2, 2j:2j+2]; out has shape (H // 2, W // 2), so an odd last "
    "row or column is ignored (as nn.MaxPool2d(2) does).",
)
def max_pool_2x2(x):
    """out[i, j] = max(x[2i:2i+2, 2j:2j+2]): windows of 2×2, stride 2."""
    x = np.asarray(x, dtype=np.float64)
    height, width = x.shape[0] // 2, x.shape[1] // 2
    blocks = x[: 2 * height, : 2 * width].reshape(height, 2, width, 2)  # (H/2, 2, W/2, 2): one 2×2 block per (i, j)
    return blocks.max(axis=(1, 3))


value_check(
    "08.conv_params",
    16 * 8 * 3 * 3 + 16,
    hint="Each of the 16 filters has one 3×3 weight per input channel (8 of them), and each filter has one bias. "
    "Check with sum(p.size for p in nn.Conv2d(8, 16, 3).parameters()).",
)

EDGE_CHOICES = ("left", "right", "top", "bottom", "everywhere")


@exercise("08.edge_x", hint="Try the 'edge x' preset in the convolution explorer and look at a vertical stroke.")
def _edge_x(answer):
    assert isinstance(answer, str), f"answer with one of the strings {EDGE_CHOICES}, got {describe(answer)}"
    answer = answer.strip().lower()
    assert answer in EDGE_CHOICES, f"answer with one of {EDGE_CHOICES}, got {answer!r}"
    assert answer == "left", (
        "the kernel computes (sum of its right column) − (sum of its left column) of each 3×3 window. That is "
        "largest where the window's right column lies on the ink and its left column on the background — at the "
        "LEFT side of a stroke. The right side of a stroke gives the same size of answer with a minus sign, and "
        "flat regions (all ink or all background) give 0"
    )
