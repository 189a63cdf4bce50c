"""Chapter 08 (CNNs): a 2-D convolution by hand, the output-size formula, 2×2 max pooling, the parameters
of a convolution layer (per-student numbers), and a prediction about what an edge kernel detects."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise, numbers, value_exercise

_ASYMMETRIC = np.array([[1.0, 2.0], [0.0, -1.0]])  # flipping it changes the result: catches "true" convolution


def _random_conv_case(rng):
    kernel_h, kernel_w = (int(k) for k in rng.integers(1, 4, size=2))
    height, width = kernel_h + int(rng.integers(0, 5)), kernel_w + int(rng.integers(0, 5))
    return Case(rng.normal(size=(height, width)), rng.normal(size=(kernel_h, kernel_w)))


def _flipped_convolution(image, kernel):
    kernel = np.asarray(kernel)[::-1, ::-1]
    return conv2d_single(image, kernel)


@function_exercise(
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
    section="§2 'The math'",
    hints=(
        "Slide the kernel over every position where it fits entirely inside the image. How many positions "
        "are there along each axis?",
        "The output is (H − kH + 1) × (W − kW + 1); each entry is the sum of the window times the kernel, "
        "elementwise. Deep-learning libraries do not flip the kernel.",
    ),
    mistakes=[
        Mistake(
            _flipped_convolution, "The kernel is not flipped here (deep-learning 'convolution' is cross-correlation)."
        )
    ],
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


@function_exercise(
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
    section="§4 'Padding and stride'",
    hints=(
        "Padding adds rows on both sides; a window that would stick out past the edge does not count.",
        "size_out = ⌊(size + 2·padding − kernel_size) / stride⌋ + 1.",
    ),
    mistakes=[Mistake(lambda s, k, p, st: (s + p - k) // st + 1, "Padding is added on BOTH sides.")],
)
def output_size(size, kernel_size, padding, stride):
    """⌊(size + 2·padding − kernel_size) / stride⌋ + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def _random_pool_case(rng):
    height, width = (int(n) for n in rng.integers(2, 9, size=2))
    return Case(rng.normal(size=(height, width)))


@function_exercise(
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
    section="§7 'Pooling'",
    hints=(
        "Cut the map into non-overlapping 2×2 blocks and keep one number per block. What happens to an odd last "
        "row or column?",
        "out[i, j] = the maximum of the block in rows 2i, 2i+1 and columns 2j, 2j+1; the output is "
        "⌊H/2⌋ × ⌊W/2⌋, like nn.MaxPool2d(2).",
    ),
)
def max_pool_2x2(x):
    """out[i, j] = max(x[2i:2i+2, 2j:2j+2]): windows of 2×2, stride 2."""
    x = np.asarray(x, dtype=np.float64)
    height, width = x.shape[0] // 2, x.shape[1] // 2
    blocks = x[: 2 * height, : 2 * width].reshape(height, 2, width, 2)  # (H/2, 2, W/2, 2): one 2×2 block per (i, j)
    return blocks.max(axis=(1, 3))


# Each learner counts the parameters of their own convolution layer.
numbers(
    lambda rng: {
        "conv_in": int(rng.integers(2, 17)),
        "conv_out": int(rng.integers(4, 33)),
        "kernel": int(rng.choice([3, 5, 7])),
    },
    chapter="08",
)

value_exercise(
    "08.conv_params",
    answer=lambda n: n.conv_out * (n.conv_in * n.kernel * n.kernel + 1),
    section="§6 'Channels: many filters, many maps'",
    hints=(
        "Each filter looks at every input channel through its own kernel-sized window of weights — and has one more "
        "number of its own.",
        "A filter has conv_in · kernel² weights and one bias; the layer has conv_out filters.",
    ),
    mistakes=[
        Mistake(lambda n: n.conv_out * n.conv_in * n.kernel * n.kernel, "Each filter also has a bias."),
        Mistake(lambda n: n.conv_out * (n.kernel * n.kernel + 1), "A filter has one kernel per INPUT channel."),
    ],
)

choice_exercise(
    "08.edge_x",
    choices=("left", "right", "top", "bottom", "everywhere"),
    answer="left",
    section="§3 'Filters'",
    hints=("Try the 'edge x' preset in the convolution explorer and look at a vertical stroke.",),
)
