"""nbgrader markup: cell builders, region parsing, validation (against nbgrader's own validator too)."""

import nbformat
import pytest
from exercise_helpers import cell_by_id

from dlcourse.exercises import markup

SOLUTION = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\nprint('defined f')"


def test_solution_cell_metadata_is_nbgraders():
    cell = markup.solution_cell(SOLUTION, "03_double")
    assert cell.metadata["nbgrader"] == {
        "grade": False,
        "grade_id": "03_double",
        "locked": False,
        "schema_version": 3,
        "solution": True,
    }
    assert cell.cell_type == "code" and cell.source == SOLUTION


def test_test_cell_metadata_is_nbgraders():
    cell = markup.test_cell('check("03.double", f)', "03_double_test", points=2)
    assert cell.metadata["nbgrader"] == {
        "grade": True,
        "grade_id": "03_double_test",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
    }


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: markup.solution_cell(SOLUTION, "03.double"), "letters, digits"),
        (lambda: markup.solution_cell("def f(x):\n    return 2 * x", "03_double"), "no '### BEGIN SOLUTION'"),
        (lambda: markup.solution_cell("### BEGIN SOLUTION\nx = 1", "03_x"), "has no matching"),
        (lambda: markup.test_cell("assert True", "03_t", points=0), "points must be a positive"),
        (lambda: markup.test_cell("### BEGIN HIDDEN TESTS\nassert f(1) == 2", "03_t", 1), "has no matching"),
        (lambda: markup.test_cell(SOLUTION, "03_t", 1), "must not contain a solution region"),
    ],
)
def test_builders_refuse_mistakes(build, match):
    with pytest.raises(markup.MarkupError, match=match):
        build()


def test_replace_solutions_keeps_indentation_and_surroundings():
    released = markup.replace_solutions(SOLUTION)
    assert released == ("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nprint('defined f')")


def test_remove_hidden_tests_keeps_visible_ones():
    source = "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(5) == 10\n### END HIDDEN TESTS\nprint('ok')"
    assert markup.remove_hidden_tests(source) == "assert f(1) == 2\nprint('ok')"


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("### BEGIN SOLUTION\nx = 1", "no matching 'END SOLUTION'"),
        ("x = 1\n### END SOLUTION", "without a 'BEGIN SOLUTION'"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ],
)
def test_broken_regions_are_errors(source, match):
    with pytest.raises(markup.MarkupError, match=match):
        markup.regions(source, markup.BEGIN_SOLUTION, markup.END_SOLUTION)


def test_validate_catches_duplicate_ids_and_unmarked_solutions(demo_nb):
    markup.validate(demo_nb)
    duplicate = nbformat.from_dict(demo_nb)
    duplicate.cells.append(markup.test_cell("assert True", "99_clipped_relu_test", 1))
    with pytest.raises(markup.MarkupError, match="duplicate grade_id '99_clipped_relu_test'"):
        markup.validate(duplicate)
    unmarked = nbformat.from_dict(demo_nb)
    unmarked.cells.append(nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    with pytest.raises(markup.MarkupError, match="not marked as a solution cell"):
        markup.validate(unmarked)


def test_nbgraders_own_validator_accepts_the_demo_chapter(demo_nb):
    v3 = pytest.importorskip("nbgrader.nbgraderformat.v3")
    v3.MetadataValidatorV3().validate_nb(demo_nb)  # raises ValidationError on a bad cell
    broken = nbformat.from_dict(demo_nb)
    del cell_by_id(broken, "99_clipped_relu_test").metadata["nbgrader"]["points"]
    with pytest.raises(v3.ValidationError):
        v3.MetadataValidatorV3().validate_nb(broken)


def test_test_cells_lists_graded_code_cells_in_order(demo_nb):
    ids = [markup.grade_id(c) for c in markup.test_cells(demo_nb)]
    assert ids == ["99_clipped_relu_test", "99_one_step_lr_test", "99_running_mean_test"]
