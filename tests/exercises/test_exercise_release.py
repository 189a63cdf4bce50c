"""`dlcourse release`: no solution or hidden-test line survives; everything else is intact."""

import copy

import nbformat
import pytest
from exercise_helpers import DEMO, DEMO_CHECKS, cell_by_id, read, write

from dlcourse.cli import main
from dlcourse.exercises import markup, spec
from dlcourse.exercises.release import leaks, read_roster, release_notebook, student_seed


def secret_lines(nb):
    """Every line inside a solution or hidden-test region (markers included), found independently."""
    secrets = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.split("\n"):
            if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                inside = True
            if inside:
                secrets.append(line.strip())
            if "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                inside = False
    return secrets


@pytest.fixture
def demo_spec():
    return spec.load_chapter(DEMO_CHECKS / "ch99.py")


@pytest.fixture
def demo_with_outputs(demo_nb):
    """The demo chapter as an instructor might save it: executed, with outputs."""
    nb = copy.deepcopy(demo_nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
            cell.execution_count = 7
    return nb


def test_cli_release_writes_a_clean_student_copy(tmp_path, capsys):
    assert main(["release", str(DEMO.parent), str(tmp_path / "out"), "--checks", str(DEMO_CHECKS)]) == 0
    assert "released" in capsys.readouterr().out
    released = read(tmp_path / "out" / DEMO.name)
    source = read(DEMO)
    released_lines = {line.strip() for cell in released.cells for line in cell.source.split("\n")}
    assert secret_lines(source), "the fixture must have solutions to hide"
    leaked = [line for line in secret_lines(source) if line in released_lines]
    assert leaked == []


def test_stubs_keep_indentation_and_surrounding_code(demo_with_outputs, demo_spec):
    released = release_notebook(demo_with_outputs, demo_spec)
    assert cell_by_id(released, "99_clipped_relu").source == (
        'def clipped_relu(x, cap=6.0):\n    """min(max(x, 0), cap), elementwise."""\n'
        "    # YOUR CODE HERE\n    raise NotImplementedError()"
    )
    assert cell_by_id(released, "99_one_step_lr").source == (
        'one_step_lr = ...  # YOUR ANSWER HERE\nprint(f"your learning rate: {one_step_lr}")'
    )
    assert cell_by_id(released, "99_running_mean_test").source == 'check("99.running_mean", running_mean)'


def test_outputs_cleared_and_every_other_cell_identical(demo_with_outputs, demo_spec):
    released = release_notebook(demo_with_outputs, demo_spec)
    assert len(released.cells) == len(demo_with_outputs.cells)
    for before, after in zip(demo_with_outputs.cells, released.cells):
        if after.cell_type == "code":
            assert after.outputs == [] and after.execution_count is None
        assert after.metadata == before.metadata  # nbgrader metadata kept: nbgrader still knows the cells
        touched = markup.is_solution(before) or "HIDDEN TESTS" in before.source  # (the public numbers stay as they are)
        assert (after.source == before.source) != touched
    assert released.metadata == demo_with_outputs.metadata
    assert leaks(demo_with_outputs, released) == []


def test_leak_checker_finds_a_surviving_solution_line(demo_nb, demo_spec):
    released = release_notebook(demo_nb, demo_spec)
    cell_by_id(released, "99_running_mean").source += "\n    return np.cumsum(values) / np.arange(1, len(values) + 1)"
    cell_by_id(released, "99_running_mean_test").outputs = [nbformat.v4.new_output("stream", text="x")]
    found = leaks(demo_nb, released)
    assert any("np.cumsum(values)" in item for item in found)
    assert any("outputs of cell" in item for item in found)
    cell_by_id(released, "99_clipped_relu").source += "\n### BEGIN SOLUTION"
    assert "marker 'BEGIN SOLUTION'" in leaks(demo_nb, released)


def test_refuses_broken_markup_and_writes_nothing(tmp_path, demo_nb, capsys):
    cell_by_id(demo_nb, "99_running_mean").source = "def running_mean(values):\n    ### BEGIN SOLUTION\n    return 1"
    write(demo_nb, tmp_path / "src" / "99_demo.ipynb")
    assert main(["release", str(tmp_path / "src"), str(tmp_path / "out"), "--checks", str(DEMO_CHECKS)]) == 1
    err = capsys.readouterr().err
    assert "refused" in err and "has no matching 'END SOLUTION'" in err and "99_running_mean" in err
    assert not (tmp_path / "out").exists()


def test_refuses_to_release_over_the_source(tmp_path, demo_nb, capsys):
    write(demo_nb, tmp_path / "src" / "99_demo.ipynb")
    assert main(["release", str(tmp_path / "src"), str(tmp_path / "src"), "--checks", str(DEMO_CHECKS)]) == 1
    assert "overwrite the solutions" in capsys.readouterr().err
    assert read(tmp_path / "src" / "99_demo.ipynb") == demo_nb


def test_solution_cell_without_markers_becomes_all_stub(demo_nb, demo_spec):
    cell_by_id(demo_nb, "99_one_step_lr").source = "one_step_lr = 0.5"
    released = release_notebook(demo_nb, demo_spec)
    assert cell_by_id(released, "99_one_step_lr").source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert leaks(demo_nb, released) == []


def test_a_value_region_that_is_not_only_assignments_becomes_the_usual_stub():
    source = "### BEGIN SOLUTION\nlr = 0.1\nfor i in range(3):\n    lr /= 2\n### END SOLUTION"
    assert markup.replace_solutions(source) == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert markup.replace_solutions("### BEGIN SOLUTION\na = 1\nb = 2\n### END SOLUTION") == (
        "a = ...  # YOUR ANSWER HERE\nb = ...  # YOUR ANSWER HERE"
    )


def test_a_numbers_cell_needs_the_chapters_checks(demo_nb):
    from dlcourse.exercises.release import ReleaseError

    with pytest.raises(ReleaseError, match="needs the chapter's checks"):
        release_notebook(demo_nb)


def test_roster_release_gives_each_student_their_own_numbers_and_key(tmp_path, demo_nb, capsys):
    write(demo_nb, tmp_path / "src" / "99_demo.ipynb")
    (tmp_path / "students.csv").write_text("student,seed\nalice,\nbob,7\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["release", str(tmp_path / "src"), str(out), "--roster", str(tmp_path / "students.csv"),
                 "--checks", str(DEMO_CHECKS)]) == 0  # fmt: skip
    assert "2 students" in capsys.readouterr().out
    assert read_roster(out / "roster.csv") == {"alice": student_seed("alice"), "bob": 7}
    cells = {who: cell_by_id(read(out / who / "99_demo.ipynb"), "99_numbers").source for who in ("alice", "bob")}
    assert f"seed={student_seed('alice')}," in cells["alice"] and "seed=7," in cells["bob"]
    assert cells["alice"] != cells["bob"] and 'key="' in cells["alice"]
    for who in ("alice", "bob"):
        assert leaks(demo_nb, read(out / who / "99_demo.ipynb")) == []


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("name\nalice\n", "'student' column"),
        ("student\nalice\nalice\n", "appears twice"),
        ("student\n../etc\n", "not a usable student id"),
        ("student,seed\nalice,x1\n", "not a whole number"),
    ],
)
def test_a_bad_roster_is_refused_with_the_line(tmp_path, demo_nb, capsys, roster, message):
    write(demo_nb, tmp_path / "src" / "99_demo.ipynb")
    (tmp_path / "r.csv").write_text(roster, encoding="utf-8")
    assert main(["release", str(tmp_path / "src"), str(tmp_path / "out"), "--roster", str(tmp_path / "r.csv"),
                 "--checks", str(DEMO_CHECKS)]) == 1  # fmt: skip
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_release_refuses_to_overwrite_without_the_flag(tmp_path, demo_nb, capsys):
    write(demo_nb, tmp_path / "src" / "99_demo.ipynb")
    args = ["release", str(tmp_path / "src"), str(tmp_path / "out"), "--checks", str(DEMO_CHECKS)]
    assert main(args) == 0
    (tmp_path / "out" / "99_demo.ipynb").write_text("my work", encoding="utf-8")
    assert main(args) == 1 and "--overwrite" in capsys.readouterr().err
    assert (tmp_path / "out" / "99_demo.ipynb").read_text(encoding="utf-8") == "my work"
    assert main([*args, "--overwrite"]) == 0
