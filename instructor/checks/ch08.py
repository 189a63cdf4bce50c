"""Chapter 08 (CNNs): the output-size formula, the parameters of a convolution layer (per-student numbers),
2×2 max pooling forwards and backwards, the backward pass of a convolution (input and kernel gradients), the
backward pass of a whole convolution layer (batch, channels, stride, padding, bias), and a prediction (no points)
about what an edge kernel detects."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, choice_exercise, function_exercise, numbers, value_exercise

_ASYMMETRIC = np.array([[1.0, 2.0], [0.0, -1.0]])  # flipping it changes the result: catches a flipped kernel
_NINE = np.arange(9.0).reshape(1, 1, 3, 3)  # a (1, 1, 3, 3) kernel, or gradient, with nine different entries


def _windows(image, kernel_h, kernel_w):
    """Every (i, j, window) of a valid, stride-1 convolution."""
    for i in range(image.shape[0] - kernel_h + 1):
        for j in range(image.shape[1] - kernel_w + 1):
            yield i, j, image[i : i + kernel_h, j : j + kernel_w]


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
        "Count the window's possible starting positions 0, s, 2s, … for as long as a window of the kernel's size "
        "still fits inside the padded row (size + 2·padding pixels): a division rounded down, plus one for the first.",
    ),
    mistakes=[
        Mistake(lambda s, k, p, st: (s + p - k) // st + 1, "Padding is added on BOTH sides."),
        Mistake(
            lambda s, k, p, st: (s + 2 * p - k) / st + 1,
            "A window that would stick out past the edge does not count: round down to a whole number.",
        ),  # fmt: skip
    ],
)
def output_size(size, kernel_size, padding, stride):
    """⌊(size + 2·padding − kernel_size) / stride⌋ + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def _average_pool_2x2(x):
    x = np.asarray(x, dtype=np.float64)
    height, width = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * height, : 2 * width].reshape(height, 2, width, 2).mean(axis=(1, 3))  # (H/2, 2, W/2, 2) → mean


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
        "Output pixel (i, j) is the largest of the 2×2 block that starts at row 2i, column 2j. An odd last row or "
        "column belongs to no complete block, so it is dropped (as nn.MaxPool2d(2) does).",
    ),
    mistakes=[
        Mistake(
            lambda x: np.maximum(max_pool_2x2(x), 0.0),
            "Values can be negative: the maximum of four negative numbers is negative, not 0.",
        ),  # fmt: skip
        Mistake(lambda x: _average_pool_2x2(x), "That is the average of each block; max pooling keeps the largest."),
    ],
)
def max_pool_2x2(x):
    """out[i, j] = max(x[2i:2i+2, 2j:2j+2]): windows of 2×2, stride 2."""
    x = np.asarray(x, dtype=np.float64)
    height, width = x.shape[0] // 2, x.shape[1] // 2
    blocks = x[: 2 * height, : 2 * width].reshape(height, 2, width, 2)  # (H/2, 2, W/2, 2): one 2×2 block per (i, j)
    return blocks.max(axis=(1, 3))


def _first_max_backward(x, grad_out, spread_ties=False, average=False):
    """Route each window's gradient to its maximum (the first one, row by row); the variants are mistakes."""
    x, grad_out = np.asarray(x, dtype=np.float64), np.asarray(grad_out, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            block = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]  # (2, 2)
            if average:
                grad[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] += grad_out[i, j] / 4
            elif spread_ties:
                grad[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] += grad_out[i, j] * (block == block.max())
            else:
                a, b = np.unravel_index(np.argmax(block), (2, 2))  # argmax: the first maximum, row-major
                grad[2 * i + a, 2 * j + b] += grad_out[i, j]
    return grad


def _random_pool_backward_case(rng):
    height, width = (int(n) for n in rng.integers(2, 9, size=2))
    return Case(rng.normal(size=(height, width)), rng.normal(size=(height // 2, width // 2)))


_TIES = np.array([[0.0, 0.0, 3.0, 3.0], [0.0, 0.0, 1.0, 3.0]])  # zeros after a ReLU: ties are common


@function_exercise(
    "08.max_pool_2x2_backward",
    cases=[
        Case(np.array([[1.0, 5.0], [3.0, 4.0]]), np.array([[2.0]])),  # one window: all of it to the 5
        Case(np.arange(16.0).reshape(4, 4), np.array([[1.0, -2.0], [0.5, 3.0]])),
        Case(-np.arange(1.0, 17.0).reshape(4, 4), np.ones((2, 2))),  # all negative: the max is the least negative
        Case(_TIES, np.array([[1.0, 2.0]])),  # ties: the first maximum (row by row) takes it all
        Case(np.arange(15.0).reshape(3, 5), np.array([[1.0, 1.0]])),  # odd sizes: the last row/column get 0
    ],
    random_case=_random_pool_backward_case,
    check_dtype=False,
    section="§8 'How a convolution learns: the backward pass'",
    hints=(
        "Only one number of each window reached the output. Which one, and what does that mean for the other three? "
        "When several numbers tie for the maximum, the library (like PyTorch) counts the first one, row by row.",
        "∂out[i, j]/∂x[p, q] is 1 for the position of the window's maximum and 0 for the other three, so ∂L/∂x is 0 "
        "everywhere except at each window's (first) maximum, which receives grad_out[i, j].",
    ),
    mistakes=[
        Mistake(
            lambda x, g: _first_max_backward(x, g, average=True),
            "That spreads each gradient evenly, as AVERAGE pooling would; max pooling has a single winner.",
        ),  # fmt: skip
        Mistake(
            lambda x, g: _first_max_backward(x, g, spread_ties=True),
            "When several entries tie, only the first maximum (row by row) gets the gradient.",
        ),  # fmt: skip
    ],
)
def max_pool_2x2_backward(x, grad_out):
    """∂L/∂x of 2×2 max pooling: grad_out[i, j] goes to the (first) maximum of window (i, j), 0 elsewhere."""
    return _first_max_backward(x, grad_out)


def _random_conv_backward_case(rng):
    kernel_h, kernel_w = (int(k) for k in rng.integers(1, 4, size=2))
    height, width = kernel_h + int(rng.integers(0, 5)), kernel_w + int(rng.integers(0, 5))
    grad_out = rng.normal(size=(height - kernel_h + 1, width - kernel_w + 1))
    return Case(rng.normal(size=(height, width)), rng.normal(size=(kernel_h, kernel_w)), grad_out)


def _conv_backward_flipped(image, kernel, grad_out):
    grad_image, grad_kernel = conv2d_backward(image, np.asarray(kernel)[::-1, ::-1], grad_out)
    return grad_image, grad_kernel


def _conv_backward_overwrites(image, kernel, grad_out):
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    grad_image, grad_kernel = np.zeros_like(image), np.zeros_like(kernel)
    for i, j, window in _windows(image, *kernel.shape):
        grad_kernel += grad_out[i, j] * window
        grad_image[i : i + kernel.shape[0], j : j + kernel.shape[1]] = grad_out[i, j] * kernel  # = instead of +=
    return grad_image, grad_kernel


@function_exercise(
    "08.conv2d_backward",
    cases=[
        Case(np.arange(9.0).reshape(3, 3), np.ones((2, 2)), np.ones((2, 2))),
        Case(np.arange(12.0).reshape(3, 4), _ASYMMETRIC, np.array([[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]])),
        Case(np.arange(20.0).reshape(4, 5), np.array([[1.0, 0.0, -1.0]]), np.ones((4, 3))),  # a 1×3 kernel
        Case(np.arange(9.0).reshape(3, 3), np.arange(9.0).reshape(3, 3), np.array([[2.0]])),  # one window only
        Case(np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([[10.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])),  # 1×1
    ],
    random_case=_random_conv_backward_case,
    check_dtype=False,
    section="§8 'How a convolution learns: the backward pass'",
    hints=(
        "Each output pixel is a weighted sum of one window. Which numbers did kernel entry (a, b) multiply, over all "
        "windows? And which kernel entries did pixel (p, q) meet, in the windows that read it?",
        "Write out[i, j] as a sum over kernel positions and differentiate one term. For the kernel: entry (a, b) met"
        " one pixel in every window, so its gradient adds G[i, j] times that pixel over all windows. For the image: "
        "each window hands G[i, j] times the kernel back to the pixels it read; overlapping windows add up.",
    ),
    mistakes=[
        Mistake(
            _conv_backward_flipped,
            "No flip: the forward pass never flipped the kernel, so neither does its backward pass.",
        ),  # fmt: skip
        Mistake(
            _conv_backward_overwrites,
            "Windows overlap: a pixel read by several windows must ADD what each of them hands back.",
        ),  # fmt: skip
        Mistake(
            lambda image, kernel, grad_out: conv2d_backward(image, kernel, grad_out)[::-1],
            "Return the pair in the order (∂L/∂image, ∂L/∂kernel).",
        ),  # fmt: skip
    ],
)
def conv2d_backward(image, kernel, grad_out):
    """(∂L/∂image, ∂L/∂kernel) of a valid, stride-1 convolution, given G = ∂L/∂out."""
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    kernel_h, kernel_w = kernel.shape
    grad_image, grad_kernel = np.zeros_like(image), np.zeros_like(kernel)
    for i, j, window in _windows(image, kernel_h, kernel_w):
        grad_kernel += grad_out[i, j] * window  # k[a, b] multiplied x[i + a, j + b] in this window
        grad_image[i : i + kernel_h, j : j + kernel_w] += grad_out[i, j] * kernel  # each pixel of the window met k
    return grad_image, grad_kernel



def _random_conv_layer_case(rng):
    batch, channels_in, channels_out = (int(v) for v in rng.integers(1, 4, size=3))
    kernel_h, kernel_w = (int(k) for k in rng.integers(1, 4, size=2))
    stride, padding = int(rng.integers(1, 3)), int(rng.integers(0, 2))
    height, width = kernel_h + int(rng.integers(0, 5)), kernel_w + int(rng.integers(0, 5))
    out_h, out_w = (height + 2 * padding - kernel_h) // stride + 1, (width + 2 * padding - kernel_w) // stride + 1
    return Case(
        rng.normal(size=(batch, channels_in, height, width)),
        rng.normal(size=(channels_out, channels_in, kernel_h, kernel_w)),
        rng.normal(size=(batch, channels_out, out_h, out_w)),
        stride,
        padding,
    )


def _layer_backward(x, weight, grad_out, stride, padding, window_step=None, crop=True):
    """The reference, with switches for two mistakes: windows that move by `window_step` instead of the stride,
    and a gradient that keeps the padding frame (crop=False)."""
    x, weight, grad_out = (np.asarray(a, dtype=np.float64) for a in (x, weight, grad_out))
    step = stride if window_step is None else window_step
    channels_out, _, kernel_h, kernel_w = weight.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))  # (N, C_in, H + 2p, W + 2p)
    grad_padded, grad_weight = np.zeros_like(padded), np.zeros_like(weight)
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            rows, cols = slice(step * i, step * i + kernel_h), slice(step * j, step * j + kernel_w)
            window = padded[:, :, rows, cols]  # (N, C_in, kH, kW): what every filter read at (i, j)
            g = grad_out[:, :, i, j]  # (N, C_out)
            grad_weight += (g.T @ window.reshape(len(x), -1)).reshape(weight.shape)  # summed over the batch
            grad_padded[:, :, rows, cols] += (g @ weight.reshape(channels_out, -1)).reshape(window.shape)
    height, width = x.shape[2:]
    grad_x = grad_padded[:, :, padding : padding + height, padding : padding + width] if crop else grad_padded
    return grad_x, grad_weight, grad_out.sum(axis=(0, 2, 3))


@function_exercise(
    "08.conv_layer_backward",
    cases=[
        Case(np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), 2, 0),  # side by side
        Case(np.arange(18.0).reshape(1, 2, 3, 3) / 10, np.arange(16.0).reshape(2, 2, 2, 2) / 10 - 0.8,
             np.ones((1, 2, 4, 4)), 1, 1),  # fmt: skip  # padding 1: 4 × 4 outputs from 3 × 3 inputs
        Case(np.arange(25.0).reshape(1, 1, 5, 5), _NINE, _NINE, 2, 1),  # stride 2 and padding 1: 3 × 3 outputs
        Case(np.ones((2, 1, 4, 4)), _ASYMMETRIC[None, None], np.array([[[[1.0]]], [[[-2.0]]]]), 3, 0),  # unused rows
    ],
    random_case=_random_conv_layer_case,
    check_dtype=False,
    section="§8 'How a convolution learns: the backward pass' and §6 'Channels'",
    hints=(
        "Nothing new beyond section 8: every output number is one filter laid on one window of all input channels, "
        "plus that filter's bias. Find where window (i, j) sits in the padded input, hand its gradient back as in "
        "Exercise 5 for every filter and every example, and cut the padding frame off at the end.",
        "Check the shapes first: the input's gradient is shaped like the input, the weights' like the weights, and "
        "there is one bias number per filter. Then try stride 1, no padding and one channel: you must get exactly "
        "your answer to Exercise 5.",
    ),
    mistakes=[
        Mistake(
            lambda x, weight, grad_out, stride, padding: _layer_backward(x, weight, grad_out, stride, padding, 1),
            "With a stride, window (i, j) does not start at pixel (i, j): how far does a window move from one output "
            "position to the next?",
        ),
        Mistake(
            lambda x, weight, grad_out, stride, padding: _layer_backward(x, weight, grad_out, stride, padding,
                                                                         crop=False),  # fmt: skip
            "The input's gradient has the input's shape: the padding zeros were added by the layer, they are not "
            "part of its input.",
        ),
        Mistake(
            lambda x, weight, grad_out, stride, padding: (
                *_layer_backward(x, weight, grad_out, stride, padding)[:2],
                np.asarray(grad_out, dtype=np.float64).sum(axis=0),
            ),
            "One bias per filter, added at every position of every example: its gradient collects all of them.",
        ),
    ],
)
def conv_layer_backward(x, weight, grad_out, stride, padding):
    """(∂L/∂x, ∂L/∂weight, ∂L/∂bias) of F.conv2d(x, weight, bias, stride=stride, padding=padding), given ∂L/∂out."""
    return _layer_backward(x, weight, grad_out, stride, padding)


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
        "Count one filter first — its window covers every input channel — and remember its bias; then count the "
        "filters.",
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
    graded=False,
    explanation=(
        "On its left side. The kernel adds up the window's right column and subtracts its left column: "
        "(ink on the right) − (ink on the left). With the window just left of a vertical stroke, its right column "
        "lies on the ink and its left column on the background, so the sum is large and positive; just right of the "
        "stroke it is the other way round (most negative), and in the middle of a thick stroke both columns see ink "
        "and cancel. The kernel finds places where brightness rises from left to right."
    ),
    section="§3 'Filters'",
    hints=("Try the 'edge x' preset in the convolution explorer and look at a vertical stroke.",),
)
