"""Chapter 11's checks: each passes on the reference and the notebook's solution, fails on a stub and on
plausible mistakes (a sum instead of a difference, edges off by one, forgotten biases, …)."""

import numpy as np
import pytest
from checks.ch11 import (
    PREDICT_ERROR,
    PREDICT_GRID,
    PREDICT_STEEPNESS,
    bump,
    bump_max_error,
    count_parameters,
    fewest_hidden_units,
    sum_of_bumps,
)
from exercise_helpers import (
    REPO,
    ChapterNotebook,
    assert_reference_passes,
    assert_solution_passes_in_test_cell,
    fails,
)

from dlcourse import nn
from dlcourse.exercises.checks import check
from dlcourse.viz import universal

NOTEBOOK = REPO / "instructor" / "chapters" / "11_universal_approximation.ipynb"
CHAPTER = ChapterNotebook(NOTEBOOK, bump=bump)  # sum_of_bumps may use the learner's bump (defined just before)


def sigma(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("exercise_id", ["11.bump", "11.sum_of_bumps", "11.count_parameters"])
def test_reference_passes_and_stub_fails(exercise_id):
    assert_reference_passes(exercise_id)


def test_references_are_the_widgets_functions():
    """What the checks expect is exactly what the bump builder draws."""
    rng = np.random.default_rng(0)
    x, edges = rng.uniform(-4, 4, 50), np.sort(rng.uniform(-3, 3, 6))
    heights = rng.normal(size=5)
    np.testing.assert_allclose(bump(x, -1.0, 0.5, 30.0), universal.bump(x, -1.0, 0.5, 30.0), atol=1e-15)
    np.testing.assert_allclose(sum_of_bumps(x, edges, heights, 7.0), universal.sum_of_bumps(x, edges, heights, 7.0))
    np.testing.assert_array_equal(PREDICT_GRID, universal.BumpBuilder.GRID)


def test_bump_rejects_plausible_mistakes():
    fails("11.bump", lambda x, a, b, s: sigma(s * (x - a)) + sigma(s * (x - b)))  # a sum
    fails("11.bump", lambda x, a, b, s: sigma(s * (x - b)) - sigma(s * (x - a)))  # upside down
    fails("11.bump", lambda x, a, b, s: sigma(x - a) - sigma(x - b))  # no steepness
    fails("11.bump", lambda x, a, b, s: sigma(s * x - a) - sigma(s * x - b))  # bias not scaled by s
    check("11.bump", lambda x, a, b, s: 0.5 * (np.tanh(s * (x - a) / 2) - np.tanh(s * (x - b) / 2)))  # same thing


def test_sum_of_bumps_rejects_plausible_mistakes():
    def with_bump(pick):
        def answer(x, edges, heights, s):
            return sum(h * bump(x, *pick(edges, i), s) for i, h in enumerate(heights))

        return answer

    fails("11.sum_of_bumps", with_bump(lambda e, i: (e[i - 1], e[i])))  # edges shifted by one
    fails("11.sum_of_bumps", with_bump(lambda e, i: (e[0], e[-1])))  # every bump spans everything
    fails("11.sum_of_bumps", lambda x, e, h, s: sum(bump(x, e[i], e[i + 1], s) for i in range(len(h))))  # no heights
    fails("11.sum_of_bumps", lambda x, e, h, s: np.sum(h) * bump(x, e[0], e[-1], s))


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


def test_hidden_units_needed_window():
    fewest = fewest_hidden_units()
    assert fewest % 2 == 0 and bump_max_error(fewest // 2) <= PREDICT_ERROR < bump_max_error(fewest // 2 - 1)
    assert fewest == 44  # 22 bumps: what the notebook's solution says
    for good in (fewest, fewest + 1, fewest + 6, int(1.25 * fewest)):
        check("11.hidden_units_needed", good)
    fails("11.hidden_units_needed", fewest - 2, match="Too few")
    fails("11.hidden_units_needed", fewest // 2, match="number of bumps")
    fails("11.hidden_units_needed", 0, match="not the expected value")
    fails("11.hidden_units_needed", 2 * fewest, match="far more than needed")
    for wrong in (True, "44", 44.5):
        fails("11.hidden_units_needed", wrong, match="whole number")
    fails("11.hidden_units_needed", ..., match="no answer yet")


def test_the_bump_builder_shows_the_same_threshold():
    """Testing the prediction in the widget gives the check's answer."""
    app = universal.BumpBuilder("sine", steepness=PREDICT_STEEPNESS, n_bumps=fewest_hidden_units() // 2)
    assert app.max_error() <= PREDICT_ERROR
    app.controls["n_bumps"].value -= 1
    assert app.max_error() > PREDICT_ERROR
    assert f"{2 * app.controls['n_bumps'].value} hidden units" in app.message_text


# ------------------------------------------------------------------ the notebook's own solutions pass
SOLUTIONS = {"11_bump": ("11.bump", "bump"), "11_sum_of_bumps": ("11.sum_of_bumps", "sum_of_bumps"),
             "11_count_parameters": ("11.count_parameters", "count_parameters"),
             "11_hidden_units": ("11.hidden_units_needed", "hidden_units_needed")}  # fmt: skip


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook not written yet")
@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_notebook_solution_passes_and_its_test_cell_calls_the_check(grade_id):
    assert_solution_passes_in_test_cell(CHAPTER, grade_id, *SOLUTIONS[grade_id])
