"""Chapter 11 (universal approximation): a bump, a sum of bumps, counting parameters, a prediction."""

import numpy as np

from dlcourse.exercises.spec import AnyOf, Case, Mistake, function_exercise, value_exercise
from dlcourse.viz.universal import bump_approximation


def _sigmoid(z):
    """σ(z) = 1 / (1 + e⁻ᶻ), from e^(−|z|) ≤ 1: no overflow for huge |z|."""
    z = np.asarray(z, dtype=np.float64)
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


def _bump_case(rng):
    a, b = np.sort(rng.uniform(-3, 3, size=2))
    return Case(rng.uniform(-4, 4, size=int(rng.integers(1, 12))), float(a), float(b), float(rng.uniform(0.5, 50)))


@function_exercise(
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
    section="§2 'A bump from two sigmoids'",
    hints=(
        "A bump is a step up followed by a step down. Which two steep sigmoids give that, and how are they combined?",
        "The step that rises at a minus the step that rises at b: σ(s·(x − a)) − σ(s·(x − b)).",
    ),
)
def bump(x, a, b, steepness):
    """σ(s(x − a)) − σ(s(x − b))."""
    return _sigmoid(steepness * (np.asarray(x) - a)) - _sigmoid(steepness * (np.asarray(x) - b))


def _sum_case(rng):
    n = int(rng.integers(1, 6))
    edges = np.sort(rng.uniform(-3, 3, size=n + 1))
    return Case(rng.uniform(-3, 3, size=int(rng.integers(1, 10))), edges, rng.normal(size=n), float(rng.uniform(1, 40)))


@function_exercise(
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
    section="§3 'Any curve from a row of bumps'",
    hints=(
        "n heights need n + 1 edges: bump i sits between two consecutive edges.",
        "f̂(x) = Σᵢ heightᵢ · bump(x, edgeᵢ, edgeᵢ₊₁, s); the result has the shape of x.",
    ),
)
def sum_of_bumps(x, edges, heights, steepness):
    """f̂(x) = Σᵢ hᵢ · bump(x, eᵢ, eᵢ₊₁, s)."""
    return sum(h * bump(x, a, b, steepness) for a, b, h in zip(edges[:-1], edges[1:], heights))


@function_exercise(
    "11.count_parameters",
    cases=[Case([1, 32, 1]), Case([2, 4, 1]), Case([64, 10]), Case([1, 8, 8, 8, 1]), Case([3])],
    random_case=lambda rng: Case([int(k) for k in rng.integers(1, 50, size=int(rng.integers(2, 6)))]),
    section="§7 'Width versus depth'",
    hints=(
        "A layer between n_in and n_out units has one weight per pair of units, plus one more number per unit.",
        "Linear(n_in, n_out) has n_in·n_out weights and n_out biases; add over consecutive sizes.",
    ),
)
def count_parameters(layer_sizes):
    """Σ over consecutive sizes (n_in, n_out) of n_in·n_out weights + n_out biases."""
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))


# The prediction exercise: the bump construction on sin x over [-3, 3], steepness 100, max error ≤ 0.1.
PREDICT_STEEPNESS, PREDICT_ERROR = 100.0, 0.1
PREDICT_GRID = np.linspace(-3.0, 3.0, 601)  # the points the bump builder measures on (BumpBuilder.GRID)


def bump_max_error(n_bumps: int, steepness: float = PREDICT_STEEPNESS) -> float:
    """max |sin x − f̂(x)| on the grid for the bump builder's construction with n bumps."""
    approximation = bump_approximation(np.sin, n_bumps, PREDICT_GRID, steepness)
    return float(np.max(np.abs(approximation - np.sin(PREDICT_GRID))))


def fewest_hidden_units() -> int:
    """The smallest number of hidden units (2 per bump) that gets the max error to PREDICT_ERROR or below."""
    n = 1
    while bump_max_error(n) > PREDICT_ERROR:
        n += 1
    return 2 * n


_FEWEST = fewest_hidden_units()
value_exercise(
    "11.hidden_units_needed",
    answer=AnyOf(range(_FEWEST, int(1.25 * _FEWEST) + 1)),  # the fewest, or a little more
    mistakes=[
        Mistake(_FEWEST // 2, "That is the number of bumps; each bump costs two hidden units."),
        Mistake(_FEWEST - 2, "Too few: one bump fewer and the max error is still above 0.1."),
        Mistake(2 * _FEWEST, "Enough, but far more than needed: look for the smallest count that reaches the goal."),
    ],
    section="§4 'Live: build a bump by hand'",
    hints=(
        "In the bump builder: target sine, steepness 100, then raise the number of bumps until the status line "
        "reports a max error of 0.1 or less.",
        "Each bump costs two hidden units; look for the smallest count that reaches the goal.",
    ),
)
