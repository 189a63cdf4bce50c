"""Chapter 11's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (a tent without its third unit, a cross instead of a tower, bumps counted as units, …)."""

import numpy as np
import pytest
from checks.ch11 import MAX_BUMPS, STEEPNESS, bump_max_error, count_parameters, fewest_hidden_units, hat, tower_2d
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_reference_passes,
    assert_released_value_stub_says_no_answer,
    assert_solution_passes_in_test_cell,
    chapter_specs,
    exercise_spec,
    fails,
)

import dlcourse as dl
from dlcourse import nn
from dlcourse.exercises.checks import check
from dlcourse.viz import universal

NOTEBOOK = REPO / "instructor" / "chapters" / "11_universal_approximation.ipynb"
PUBLIC = chapter_specs()["11"].numbers(0)
CHAPTER = ChapterNotebook(NOTEBOOK, numbers=PUBLIC, TARGETS=universal.TARGETS,
                          bump_approximation=universal.bump_approximation)  # fmt: skip


def sigma(z):
    return 1 / (1 + np.exp(-z))


def relu(z):
    return np.maximum(z, 0)


@pytest.mark.parametrize("exercise_id", ["11.hat", "11.tower_2d", "11.count_parameters"])
def test_reference_passes_and_stub_fails(exercise_id):
    assert_reference_passes(exercise_id)


# ---------------------------------------------------------------------------------------------- the hat
def test_hat_is_a_relu_network_and_the_chapters_tent_on_its_interval():
    """hat(x, 0, 1) is section 7's tent on [0, 1], and a real 1 → 3 → 1 ReLU network computes it everywhere."""
    z = np.linspace(0, 1, 101)
    np.testing.assert_allclose(hat(z, 0.0, 1.0), 2 * relu(z) - 4 * relu(z - 0.5), atol=1e-12)
    a, b = -0.7, 1.9
    hidden, output = nn.Linear(1, 3, dtype=np.float64), nn.Linear(3, 1, dtype=np.float64)
    hidden.weight.data[...] = 1.0
    hidden.bias.data[...] = [-a, -(a + b) / 2, -b]
    output.weight.data[...] = np.array([[1.0, -2.0, 1.0]]) * 2 / (b - a)
    output.bias.data[...] = 0.0
    net = nn.Sequential(hidden, nn.ReLU(), output)
    x = np.linspace(-4, 4, 161)
    np.testing.assert_allclose(np.asarray(net(dl.tensor(x[:, None]))).ravel(), hat(x, a, b), atol=1e-12)


def test_hat_rejects_plausible_mistakes():
    def tent(x, a, b):  # the chapter's two units, stretched: falls below 0 after b
        m = (a + b) / 2
        return 2 / (b - a) * (relu(x - a) - 2 * relu(x - m))

    assert "third unit" in fails("11.hat", tent)
    fails("11.hat", lambda x, a, b: relu(x - a) - 2 * relu(x - (a + b) / 2) + relu(x - b))  # peak (b − a)/2, not 1
    fails("11.hat", lambda x, a, b: np.maximum(0, 1 - np.abs(x - (a + b) / 2)))  # a hat of the wrong width
    fails("11.hat", lambda x, a, b: sigma(10 * (x - a)) - sigma(10 * (x - b)))  # a sigmoid bump
    check("11.hat", lambda x, a, b: np.maximum(0, 1 - np.abs(2 * x - a - b) / (b - a)))  # another way to write it


# ---------------------------------------------------------------------------------------------- the tower
def ridge(values, edges, s):
    return sigma(s * (values - edges[0])) - sigma(s * (values - edges[1]))


def test_tower_is_localised_where_one_layer_is_not():
    axis = np.linspace(-3, 3, 61)
    points = np.array([(u, v) for u in axis for v in axis])
    tower = tower_2d(points, (-1.0, 1.0), (-1.0, 1.0), 10.0)
    inside = np.all(np.abs(points) < 0.6, axis=1)
    outside = np.any(np.abs(points) > 1.3, axis=1)
    assert tower[inside].min() > 0.95 and tower[outside].max() < 0.05
    one_layer = ridge(points[:, 0], (-1, 1), 10.0) + ridge(points[:, 1], (-1, 1), 10.0)
    assert one_layer[outside].max() > 0.9  # the cross: its arms reach the edge of the plane


@pytest.mark.parametrize(
    ("wrong", "says"),
    [
        (lambda p, ex, ey, s: ridge(p[:, 0], ex, s) + ridge(p[:, 1], ey, s), "second layer"),
        (lambda p, ex, ey, s: sigma(s * (ridge(p[:, 0], ex, s) + ridge(p[:, 1], ey, s) - 1)), "between 1 and 2"),
        (lambda p, ex, ey, s: ridge(p[:, 0], ex, s) * ridge(p[:, 1], ey, s), "cannot multiply"),
        (lambda p, ex, ey, s: sigma(s * (ridge(p[:, 0], ey, s) + ridge(p[:, 1], ex, s) - 1.5)), None),  # edges swapped
        (lambda p, ex, ey, s: sigma(ridge(p[:, 0], ex, s) + ridge(p[:, 1], ey, s) - 1.5), None),  # no s in layer 2
    ],
)
def test_tower_rejects_plausible_mistakes(wrong, says):
    message = fails("11.tower_2d", wrong)
    assert says is None or says in message


# ---------------------------------------------------------------------------------------------- counting
def test_count_parameters_rejects_plausible_mistakes_and_agrees_with_dlcourse():
    pairs = lambda sizes: zip(sizes[:-1], sizes[1:])  # noqa: E731
    fails("11.count_parameters", lambda sizes: sum(a * b for a, b in pairs(sizes)))  # no biases
    fails("11.count_parameters", lambda sizes: sum(a * b + a for a, b in pairs(sizes)))  # biases per input
    fails("11.count_parameters", lambda sizes: sum(sizes) ** 2)
    rng = np.random.default_rng(1)
    for _ in range(5):
        sizes = [int(k) for k in rng.integers(1, 20, size=int(rng.integers(2, 5)))]
        model = nn.Sequential(*[nn.Linear(a, b) for a, b in pairs(sizes)])
        assert count_parameters(sizes) == sum(p.data.size for p in model.parameters())


# ---------------------------------------------------------------------------------------------- the measurement
def test_hidden_units_needed_is_what_the_bump_builder_shows_for_every_student():
    chapter = chapter_specs()["11"]
    answers = set()
    for seed in range(12):
        n = chapter.numbers(seed)
        fewest = fewest_hidden_units(n.target, n.max_error)
        answers.add(fewest)
        app = universal.BumpBuilder(n.target, steepness=STEEPNESS, n_bumps=fewest // 2)
        assert app.max_error() <= n.max_error and fewest // 2 <= MAX_BUMPS
        assert f"{fewest} hidden units" in app.message_text
        app.controls["n_bumps"].value -= 1
        assert app.max_error() > n.max_error  # one bump fewer is not enough
    assert len(answers) >= 6, "per-student numbers must give students different answers"


def test_hidden_units_needed_check_and_near_misses():
    fewest = fewest_hidden_units(PUBLIC.target, PUBLIC.max_error)
    assert bump_max_error(PUBLIC.target, fewest // 2) <= PUBLIC.max_error
    check("11.hidden_units_needed", fewest)
    fails("11.hidden_units_needed", fewest - 2, match="Too few")
    fails("11.hidden_units_needed", fewest // 2, match="number of bumps")
    fails("11.hidden_units_needed", fewest + 2, match="not the fewest")
    for wrong in (True, str(fewest), fewest + 0.5):
        fails("11.hidden_units_needed", wrong, match="whole number")
    fails("11.hidden_units_needed", ..., match="no answer yet")
    assert str(fewest) not in fails("11.hidden_units_needed", 0)  # the answer is never revealed


def test_the_builder_cell_starts_on_the_learners_target():
    assert "bump_builder(numbers.target, steepness=100.0" in "\n".join(c.source for c in CHAPTER.nb.cells)
    assert STEEPNESS == 100.0


# ------------------------------------------------------------------ the notebook's own solutions pass
SOLUTIONS = {"11_hat": ("11.hat", "hat"), "11_tower_2d": ("11.tower_2d", "tower_2d"),
             "11_count_parameters": ("11.count_parameters", "count_parameters"),
             "11_hidden_units": ("11.hidden_units_needed", "hidden_units_needed")}  # fmt: skip


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_notebook_solution_passes_and_its_test_cell_calls_the_check(grade_id):
    assert_solution_passes_in_test_cell(CHAPTER, grade_id, *SOLUTIONS[grade_id])


def test_released_measurement_stub_says_no_answer():
    assert_released_value_stub_says_no_answer(CHAPTER, "11.hidden_units_needed", "11_hidden_units",
                                              "hidden_units_needed")  # fmt: skip
    assert exercise_spec("11.hidden_units_needed").section.startswith("§4")
