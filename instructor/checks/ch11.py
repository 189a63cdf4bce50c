"""Chapter 11 (universal approximation): a hat from three ReLU units, a 2-D tower from two layers of sigmoids,
counting parameters, and measuring how many hidden units a bump staircase needs (per-student numbers)."""

import numpy as np

from dlcourse.exercises.spec import Case, Mistake, function_exercise, numbers, value_exercise
from dlcourse.viz.universal import TARGETS, BumpBuilder, bump_approximation


def _sigmoid(z):
    """σ(z) = 1 / (1 + e⁻ᶻ), from e^(−|z|) ≤ 1: no overflow for huge |z|."""
    z = np.asarray(z, dtype=np.float64)
    small = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


def _relu(z):
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def _hat_case(rng):
    a, b = np.sort(rng.uniform(-3, 3, size=2))
    return Case(rng.uniform(-4, 4, size=int(rng.integers(1, 12))), float(a), float(b) + 0.1)


def _tent_only(x, a, b):
    middle = (a + b) / 2
    return 2 / (b - a) * (_relu(np.asarray(x) - a) - 2 * _relu(np.asarray(x) - middle))


@function_exercise(
    "11.hat",
    cases=[
        Case(np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0]), 0.0, 2.0),  # outside, edge, rising, peak, falling... and beyond
        Case(np.linspace(-2, 6, 9), 1.0, 3.0),  # far right of b: must be 0, not negative
        Case(np.array([0.25, 0.5]), 0.0, 1.0),  # chapter 11's tent on [0, 1]: 0.5 and the peak 1
        Case(np.array([-10.0, 10.0]), -1.0, 1.0),  # far away on both sides: 0
    ],
    random_case=_hat_case,
    rtol=1e-6,
    atol=1e-9,
    check_dtype=False,
    section="§7 'Width versus depth' (the tent) and §2 (a bump from two units)",
    hints=(
        "Each ReLU unit adds a kink where the slope changes. The hat needs three kinks — at a, at the middle and at "
        "b — and the slopes up, down, and flat again.",
        "Write the hat's slope on each of its four pieces (it rises from 0 to 1 over half the width, then falls "
        "back). A unit relu(x − c) adds its output weight to the slope from c on, so the weights are the changes of "
        "slope at the three kinks.",
    ),
    mistakes=[
        Mistake(_tent_only, "Beyond b the hat must stay at 0: a third unit has to cancel the falling slope."),
        Mistake(lambda x, a, b: (b - a) / 2 * hat(x, a, b), "The peak must be 1: each unit's weight sets a slope."),
    ],
)
def hat(x, a, b):
    """0 outside [a, b], rising linearly to 1 at the middle and falling back: three ReLU units."""
    middle = (a + b) / 2
    return 2 / (b - a) * (_relu(np.asarray(x) - a) - 2 * _relu(np.asarray(x) - middle) + _relu(np.asarray(x) - b))


def _ridge(values, edges, steepness):
    """The two-sigmoid bump along one coordinate: a ridge across the plane."""
    return _sigmoid(steepness * (values - edges[0])) - _sigmoid(steepness * (values - edges[1]))


def _tower_case(rng):
    x_edges, y_edges = np.sort(rng.uniform(-2, 2, size=2)), np.sort(rng.uniform(-2, 2, size=2))
    points = rng.uniform(-3, 3, size=(int(rng.integers(1, 12)), 2))
    return Case(points, tuple(float(e) for e in x_edges), tuple(float(e) for e in y_edges), float(rng.uniform(3, 30)))


_CROSS_POINTS = np.array([[0.0, 0.0], [0.0, 2.5], [2.5, 0.0], [2.5, 2.5], [-2.5, 0.3]])  # centre, arms, corner


def _tower_without_second_layer(points, x_edges, y_edges, steepness):
    points = np.asarray(points, dtype=np.float64)
    return _ridge(points[:, 0], x_edges, steepness) + _ridge(points[:, 1], y_edges, steepness)


def _tower_threshold_one(points, x_edges, y_edges, steepness):
    return _sigmoid(steepness * (_tower_without_second_layer(points, x_edges, y_edges, steepness) - 1.0))


def _tower_product(points, x_edges, y_edges, steepness):
    points = np.asarray(points, dtype=np.float64)
    return _ridge(points[:, 0], x_edges, steepness) * _ridge(points[:, 1], y_edges, steepness)


@function_exercise(
    "11.tower_2d",
    cases=[
        Case(_CROSS_POINTS, (-1.0, 1.0), (-1.0, 1.0), 10.0),  # inside, on an arm of the cross, far outside
        Case(_CROSS_POINTS, (0.5, 2.0), (-2.0, -0.5), 20.0),  # a tower off centre
        Case(np.array([[0.0, 0.0]]), (-1.0, 1.0), (-1.0, 1.0), 2.0),  # a soft steepness: a low, wide hill
    ],
    random_case=_tower_case,
    rtol=1e-6,
    atol=1e-9,
    check_dtype=False,
    section="§6 'More than one input'",
    hints=(
        "First layer: the four units of two ridges, one across x and one across y. Second layer: one sigmoid unit "
        "that fires only where BOTH ridges are on. On the arms of the cross only one is on: where between 'one on' "
        "and 'both on' should that unit switch?",
        "Add the two ridges: which value does the sum take inside the rectangle, on the arms of the cross, and far "
        "away? Put the output unit's switching point between the first two, and make it steep.",
    ),
    mistakes=[
        Mistake(_tower_without_second_layer, "A sum of two ridges is a cross, not a tower: add a second layer."),
        Mistake(
            _tower_threshold_one, "With the threshold at 1 the output also fires on the arms: put it between 1 and 2."
        ),
        Mistake(_tower_product, "A unit adds up its inputs and squashes the sum; it cannot multiply them."),
    ],
)
def tower_2d(points, x_edges, y_edges, steepness):
    """σ(s·(ridge_x + ridge_y − 1.5)): ≈ 1 on the rectangle x_edges × y_edges, ≈ 0 elsewhere. points (N, 2) → (N,)."""
    points = np.asarray(points, dtype=np.float64)
    ridges = _ridge(points[:, 0], x_edges, steepness) + _ridge(points[:, 1], y_edges, steepness)  # (N,): 0, 1 or 2
    return _sigmoid(steepness * (ridges - 1.5))


@function_exercise(
    "11.count_parameters",
    cases=[Case([1, 32, 1]), Case([2, 4, 1]), Case([64, 10]), Case([1, 8, 8, 8, 1]), Case([3])],
    random_case=lambda rng: Case([int(k) for k in rng.integers(1, 50, size=int(rng.integers(2, 6)))]),
    section="§7 'Width versus depth'",
    hints=(
        "A layer between n_in and n_out units has one weight per pair of units, plus one more number per unit.",
        "Count one layer first — a weight for every pair of (input, unit) and one bias per unit — then walk along "
        "neighbouring pairs of sizes.",
    ),
)
def count_parameters(layer_sizes):
    """Σ over consecutive sizes (n_in, n_out) of n_in·n_out weights + n_out biases."""
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))


# The measurement: the bump construction of §3 at steepness 100, on each learner's target, to each learner's error.
STEEPNESS = 100.0
MAX_BUMPS = 80  # the bump builder's slider goes up to 80 bumps


def bump_max_error(target: str, n_bumps: int, steepness: float = STEEPNESS) -> float:
    """max |f − f̂| on the bump builder's grid for the construction with n bumps."""
    f, grid = TARGETS[target], BumpBuilder.GRID
    return float(np.max(np.abs(bump_approximation(f, n_bumps, grid, steepness) - f(grid))))


def fewest_hidden_units(target: str, max_error: float) -> int:
    """The smallest number of hidden units (2 per bump) whose max error is at most max_error."""
    n = next(n for n in range(1, MAX_BUMPS + 1) if bump_max_error(target, n) <= max_error)
    return 2 * n


numbers(
    lambda rng: {
        "target": str(rng.choice(["sine", "|x|", "bumpy"])),
        "max_error": float(rng.choice([0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3])),
    },
    chapter="11",
)

value_exercise(
    "11.hidden_units_needed",
    answer=lambda n: fewest_hidden_units(n.target, n.max_error),
    mistakes=[
        Mistake(
            lambda n: fewest_hidden_units(n.target, n.max_error) // 2,
            "That is the number of bumps; each bump costs two hidden units.",
        ),  # fmt: skip
        Mistake(
            lambda n: fewest_hidden_units(n.target, n.max_error) - 2,
            "Too few: with one bump fewer the max error is still above your limit.",
        ),  # fmt: skip
        Mistake(
            lambda n: fewest_hidden_units(n.target, n.max_error) + 2,
            "Enough, but not the fewest: one bump fewer also reaches your limit.",
        ),  # fmt: skip
    ],
    section="§4 'Live: build a bump by hand'",
    hints=(
        "In the bump builder: your target, steepness 100, then raise the number of bumps one at a time until the "
        "status line reports a max error at or below your limit.",
        "Look for the smallest number of bumps that reaches the limit, then count two hidden units per bump.",
    ),
)
