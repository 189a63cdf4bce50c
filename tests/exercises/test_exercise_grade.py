"""`dlcourse grade`: full marks for the solution, 0 for the stub, fair scores for broken submissions."""

import csv
import json
import time

import pytest
from exercise_helpers import DEMO, FIXTURES, cell_by_id, read, submission, write

from dlcourse.cli import main
from dlcourse.exercises import markup
from dlcourse.exercises.grade import find_source, restore_locked_cells
from dlcourse.exercises.release import release_notebook

EXERCISES = ["99_clipped_relu_test", "99_one_step_lr_test", "99_running_mean_test"]


def grade(tmp_path, *notebooks, timeout=30):
    """Run `dlcourse grade` in-process; return the parsed JSON report(s) and the CSV rows."""
    report, gradebook = tmp_path / "report.json", tmp_path / "grades.csv"
    args = ["grade", *map(str, notebooks), "--source", str(FIXTURES), "--timeout", str(timeout)]
    assert main([*args, "--json", str(report), "--csv", str(gradebook)]) == 0
    with gradebook.open() as f:
        return json.loads(report.read_text()), list(csv.DictReader(f))


def by_id(report):
    return {e["grade_id"]: e for e in report["exercises"]}


def test_solution_gets_full_marks_and_untouched_copy_gets_zero(tmp_path, demo_nb, capsys):
    solution = write(demo_nb, tmp_path / "solution" / DEMO.name)
    untouched = write(release_notebook(demo_nb), tmp_path / "student" / DEMO.name)
    (full, zero), rows = grade(tmp_path, solution, untouched)

    assert (full["score"], full["max_score"]) == (5, 5)
    assert all(e["passed"] and e["error"] is None for e in full["exercises"])

    assert (zero["score"], zero["max_score"]) == (0, 5)
    assert list(by_id(zero)) == EXERCISES  # a complete report: every exercise listed
    assert "not implemented yet" in by_id(zero)["99_clipped_relu_test"]["error"]
    assert by_id(zero)["99_one_step_lr_test"]["error"].startswith("NameError")
    assert all(e["points"] == 0 and not e["passed"] for e in zero["exercises"])

    assert [row["total"] for row in rows] == ["5", "0"]
    assert "total" in capsys.readouterr().out


@pytest.mark.slow
def test_broken_submission_with_an_infinite_loop_is_scored_within_the_timeout(tmp_path, demo_nb, capsys):
    broken = submission(
        demo_nb,
        # exercise 1: wrong answer; exercise 2: never finishes; exercise 3: correct
        **{
            "99_clipped_relu": "def clipped_relu(x, cap=6.0):\n    return np.maximum(x, 0.0)",
            "99_one_step_lr": "one_step_lr = 0.5\nwhile True:\n    pass",
        },
    )
    path = write(broken, tmp_path / "alice" / DEMO.name)
    started = time.perf_counter()
    report, rows = grade(tmp_path, path, timeout=5)
    assert time.perf_counter() - started < 60

    results = by_id(report)
    assert (report["score"], report["max_score"]) == (3, 5)
    assert "values differ" in results["99_clipped_relu_test"]["error"]
    # the loop was interrupted, not killed: the kernel kept `one_step_lr`, and the exercise after it ran
    assert results["99_one_step_lr_test"]["passed"] is True
    assert results["99_running_mean_test"] == {
        "grade_id": "99_running_mean_test",
        "points": 2,
        "max_points": 2,
        "passed": True,
        "error": None,
    }
    assert rows == [
        {
            "notebook": str(path),
            "99_clipped_relu_test": "0",
            "99_one_step_lr_test": "1",
            "99_running_mean_test": "2",
            "total": "3",
            "max_total": "5",
        }
    ]
    table = capsys.readouterr().out
    assert "✗ 99.clipped_relu: case 1 of 12: values differ" in table and "3 / 5" in table


@pytest.mark.slow
def test_a_loop_that_defines_nothing_costs_only_its_exercise(tmp_path, demo_nb):
    looping = submission(demo_nb, **{"99_one_step_lr": "while True:\n    pass\none_step_lr = 0.5"})
    report, _ = grade(tmp_path, write(looping, tmp_path / "bob" / DEMO.name), timeout=5)
    results = by_id(report)
    assert report["score"] == 4
    assert results["99_one_step_lr_test"]["error"].startswith(
        "99_one_step_lr: the cell ran longer than 5 s and was stopped; then NameError"
    )
    assert results["99_running_mean_test"]["passed"]


@pytest.mark.slow
def test_a_crashed_kernel_or_an_uninterruptible_loop_is_restarted_and_the_rest_still_scores(tmp_path, demo_nb):
    hostile = submission(
        demo_nb,
        **{
            "99_clipped_relu": "import os\nos._exit(1)  # kills the kernel",
            "99_one_step_lr": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        },
    )
    report, _ = grade(tmp_path, write(hostile, tmp_path / "mallory" / DEMO.name), timeout=5)
    results = by_id(report)
    assert results["99_clipped_relu_test"]["error"].startswith("99_clipped_relu: the kernel died")
    assert "ran longer than 5 s" in results["99_one_step_lr_test"]["error"]
    # after each restart the cells that had run fine were replayed, so `np` etc. exist again
    assert results["99_running_mean_test"]["passed"] and report["score"] == 2


def test_hidden_tests_come_back_even_if_the_learner_deleted_or_edited_them(tmp_path, demo_nb):
    cheating = submission(
        release_notebook(demo_nb),
        **{
            "99_clipped_relu_test": "pass  # the learner replaced the check",
            "99_one_step_lr": "one_step_lr = 0.5",
            # passes the visible shape test, fails the hidden values test …
            "99_running_mean": "def running_mean(values):\n    return np.zeros(len(values))",
            # … which the learner tried to get rid of by deleting the test cell
            "99_running_mean_test": None,
        },
    )
    report, _ = grade(tmp_path, write(cheating, tmp_path / "eve" / DEMO.name))
    results = by_id(report)
    assert list(results) == EXERCISES
    assert not results["99_clipped_relu_test"]["passed"]
    assert results["99_one_step_lr_test"]["passed"]
    assert results["99_running_mean_test"]["error"].startswith("AssertionError")
    assert report["score"] == 1


def test_restore_puts_deleted_tests_back_in_place(demo_nb):
    student = submission(release_notebook(demo_nb), **{"99_running_mean_test": None})
    cell_by_id(student, "99_clipped_relu_test").source = "pass"
    restored = restore_locked_cells(student, demo_nb)
    ids = [markup.grade_id(c) for c in restored.cells]
    assert ids.index("99_running_mean_test") == ids.index("99_running_mean") + 1
    for grade_id in EXERCISES:
        assert cell_by_id(restored, grade_id).source == cell_by_id(demo_nb, grade_id).source
    assert "BEGIN HIDDEN TESTS" in cell_by_id(restored, "99_running_mean_test").source
    assert cell_by_id(restored, "99_running_mean").source != cell_by_id(demo_nb, "99_running_mean").source
    assert len({c.id for c in restored.cells}) == len(restored.cells)


def test_renamed_submission_is_matched_by_its_grade_ids(tmp_path, demo_nb):
    path = write(demo_nb, tmp_path / "alice_homework.ipynb")
    assert find_source(path, read(path), FIXTURES) == DEMO
