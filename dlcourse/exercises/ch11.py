"""Checks for chapter 11 (universal approximation): a bump, a sum of bumps, counting parameters, a prediction."""

import numpy as np

from dlcourse.exercises.checks import describe
from dlcourse.exercises.registry import Case, exercise, function_check


def _sigmoid(z):
    """σ(z) = 1 / (1 + e⁻ᶻ), from e^(−|z|) ≤ 1: no overflow for huge |z|."""
    z = np.asarray(z, dtype=np.float64)
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


def _bump_case(rng):
    a, b = np.sort(rng.uniform(-3, 3, size=2))
    return Case(rng.uniform(-4, 4, size=int(rng.integers(1, 12))), float(a), float(b), float(rng.uniform(0.5, 50)))


@function_check(
    "11.bump",
    cases=[
        Case(np.array([-2.0, 0.0, 2.0]), -1.0, 1.0, 10.0),  # outside, inside, outside
        Case(np.array([-1.0, 1.0]), -1.0, 1.0, 10.0),  # exactly on the edges: about one half
        Case(np.linspace(-3, 3, 7), 0.5, 2.0, 1.0),  # a gentle steepness: a soft, low hill
        Case(np.array([0.0]), 1.0, -1.0, 5.0),  # edges swapped: an upside-down bump
    ],
    random_case=_bump_case,
    rtol=1e-6,
    atol=1e-9,
    check_dtype=False,
    hint="σ(z) = 1 / (1 + exp(−z)). The bump is the step that rises at a minus the step that rises at b: "
    "sigmoid(steepness * (x - a)) - sigmoid(steepness * (x - b)).",
)
def bump(x, a, b, steepness):
    """σ(s(x − a)) − σ(s(x − b))."""
    return _sigmoid(steepness * (np.asarray(x) - a)) - _sigmoid(steepness * (np.asarray(x) - b))


def _sum_case(rng):
    n = int(rng.integers(1, 6))
    edges = np.sort(rng.uniform(-3, 3, size=n + 1))
    return Case(rng.uniform(-3, 3, size=int(rng.integers(1, 10))), edges, rng.normal(size=n), float(rng.uniform(1, 40)))


@function_check(
    "11.sum_of_bumps",
    cases=[
        Case(np.array([-1.5, 0.5, 1.5]), np.array([-2.0, 0.0, 2.0]), np.array([1.0, 3.0]), 50.0),  # ≈ [1, 3, 3]
        Case(np.array([0.0]), np.array([-1.0, 1.0]), np.array([2.0]), 10.0),  # one bump of height 2
        Case(np.linspace(-3, 3, 5), np.array([-3.0, -1.0, 1.0, 3.0]), np.array([0.5, -1.0, 2.0]), 3.0),
    ],
    random_case=_sum_case,
    rtol=1e-6,
    atol=1e-9,
    check_dtype=False,
    hint="n heights need n + 1 edges: bump i goes from edges[i] to edges[i + 1]. Add up "
    "heights[i] * bump(x, edges[i], edges[i + 1], steepness) over i; the result has the shape of x.",
)
def sum_of_bumps(x, edges, heights, steepness):
    """f̂(x) = Σᵢ hᵢ · bump(x, eᵢ, eᵢ₊₁, s)."""
    return sum(h * bump(x, a, b, steepness) for a, b, h in zip(edges[:-1], edges[1:], heights))


@function_check(
    "11.count_parameters",
    cases=[Case([1, 32, 1]), Case([2, 4, 1]), Case([64, 10]), Case([1, 8, 8, 8, 1]), Case([3])],
    random_case=lambda rng: Case([int(k) for k in rng.integers(1, 50, size=int(rng.integers(2, 6)))]),
    hint="A Linear layer from n_in to n_out has a weight matrix (n_out × n_in) and n_out biases. Add that up over "
    "consecutive pairs of sizes: zip(sizes[:-1], sizes[1:]).",
)
def count_parameters(layer_sizes):
    """Σ over consecutive sizes (n_in, n_out) of n_in·n_out weights + n_out biases."""
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))


# The prediction exercise: the bump construction on sin x over [-3, 3], steepness 100, max error ≤ 0.1.
PREDICT_STEEPNESS, PREDICT_ERROR = 100.0, 0.1
PREDICT_GRID = np.linspace(-3.0, 3.0, 601)  # the points the bump builder measures on (BumpBuilder.GRID)


def bump_max_error(n_bumps: int, steepness: float = PREDICT_STEEPNESS) -> float:
    """max |sin x − f̂(x)| on the grid for the bump builder's construction with n bumps."""
    from dlcourse.viz.universal import bump_approximation  # the app's own construction (imported when needed)

    approximation = bump_approximation(np.sin, n_bumps, PREDICT_GRID, steepness)
    return float(np.max(np.abs(approximation - np.sin(PREDICT_GRID))))


def fewest_hidden_units() -> int:
    """The smallest number of hidden units (2 per bump) that gets the max error to PREDICT_ERROR or below."""
    n = 1
    while bump_max_error(n) > PREDICT_ERROR:
        n += 1
    return 2 * n


@exercise(
    "11.hidden_units_needed",
    hint="In the bump builder: target sine, steepness 100, then raise the number of bumps until the status line "
    "reports a max error of 0.1 or less. Each bump costs two hidden units.",
)
def _hidden_units_needed(answer):
    number = isinstance(answer, int | np.integer) and not isinstance(answer, bool)
    assert number and answer >= 0, f"answer with a whole number of hidden units, got {describe(answer)}"
    bumps = int(answer) // 2
    error = bump_max_error(bumps) if bumps else float(np.max(np.abs(np.sin(PREDICT_GRID))))
    assert error <= PREDICT_ERROR, (
        f"too few: {answer} hidden units make {bumps} bump(s), and their max error is {error:.3f} "
        f"(the goal is {PREDICT_ERROR})"
    )
    most = int(1.25 * fewest_hidden_units())
    assert answer <= most, f"{answer} hidden units do reach the goal, but far fewer are enough — look for the smallest"
