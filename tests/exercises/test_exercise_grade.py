"""`dlcourse grade` on the demo chapter: per-exercise scores decided by probes, locked cells restored,
tampering reported, batches that never lose a submission, gradebooks, resume, parallel runs, per-student
numbers. (Attacks that need the sandbox — reading files, outliving the grader — are in test_grading_attacks.py.)"""

import csv
import json

import nbformat
import pytest
from exercise_helpers import DEMO, DEMO_CHECKS, FIXTURES, cell_by_id, read, write

from dlcourse.cli import main
from dlcourse.exercises import markup, spec
from dlcourse.exercises.grade import Grader, Settings, run_blocking
from dlcourse.exercises.isolation import Unsandboxed
from dlcourse.exercises.release import numbers_cell_for, release_notebook, student_seed

pytestmark = pytest.mark.slow

RIGHT = {
    "99_clipped_relu": "def clipped_relu(x, cap=6.0):\n    return np.clip(x, 0.0, cap)",
    "99_one_step_lr": "one_step_lr = 1 / numbers.curvature",
    "99_running_mean": "def running_mean(values):\n    values = np.asarray(values, float)\n"
    "    return np.cumsum(values) / np.arange(1, len(values) + 1)",
}


def learner_copy(seed=0):
    return release_notebook(read(DEMO), spec.load_chapter(DEMO_CHECKS / "ch99.py"), seed)


def answered(nb=None, **sources):
    """A learner copy with the given answer cells (by grade_id) filled in."""
    nb = learner_copy() if nb is None else nb
    for grade_id, source in sources.items():
        cell_by_id(nb, grade_id).source = source
    return nb


def grade_paths(paths, **settings):
    grader = Grader(
        FIXTURES, Unsandboxed(), Settings(timeout=settings.pop("timeout", 20), **settings), checks_dir=DEMO_CHECKS
    )
    return {r.path: r for r in run_blocking(grader.grade_all(paths))}


def points(result):
    return {e.grade_id: e.points for e in result.exercises}


# ------------------------------------------------------------------------------------------ one batch, many cases
class Forgeries:
    """Submissions that try to earn points without computing anything: each must score 0."""

    input_transformer = (
        "import IPython\n"
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'] if any('check(' in l or 'probe' in l for l in lines) else lines)"
    )
    monkeypatched_numpy = "import numpy\nnumpy.allclose = numpy.isclose = lambda *a, **k: True\nnumpy.testing.assert_allclose = lambda *a, **k: None"
    fake_check = "import dlcourse.exercises as ex\ndef check(*a, **k): print('✓ passed')\nex.check = check"
    fake_probes = (
        "from IPython.display import display\n"
        "def probe(label, value, **options):\n    display({'application/vnd.dlcourse.probe+json': {'label': label, 'value': 0}}, raw=True)\n"
        "def probe_call(label, fn, *a, **k):\n    probe(label, None)"
    )
    silenced_errors = "import sys\nsys.excepthook = lambda *a: None\nget_ipython().showtraceback = lambda *a, **k: None"
    exits = "import os\nos._exit(0)"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    files = {
        "full": write(read(DEMO), root / "full" / "99_demo.ipynb"),  # the instructor's own chapter
        "untouched": write(learner_copy(), root / "untouched" / "99_demo.ipynb"),
        "half": write(
            answered(**{**RIGHT, "99_running_mean": "def running_mean(values):\n    return np.cumsum(values)"}),
            root / "half" / "99_demo.ipynb",
        ),  # fmt: skip
        "hang": write(
            answered(**{**RIGHT, "99_clipped_relu": "def clipped_relu(x, cap=6.0):\n    while True:\n        pass"}),
            root / "hang" / "99_demo.ipynb",
        ),  # fmt: skip
        "crash": write(
            answered(**{**RIGHT, "99_clipped_relu": "import os\nos._exit(1)"}), root / "crash" / "99_demo.ipynb"
        ),
        "garbage": root / "garbage" / "99_demo.ipynb",
        "empty": root / "empty" / "99_demo.ipynb",
        "alien": write(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), root / "alien" / "notes.ipynb"
        ),
    }
    files["garbage"].parent.mkdir()
    files["garbage"].write_text("{ not json")
    files["empty"].parent.mkdir()
    files["empty"].write_text("")
    # tampering: the test cell of exercise 1 edited, the test cell of exercise 3 deleted, answers right
    nb = answered(**RIGHT)
    cell_by_id(nb, "99_clipped_relu_test").source = "pass"
    nb.cells.remove(cell_by_id(nb, "99_running_mean_test"))
    cell_by_id(nb, "99_one_step_lr_test").metadata["nbgrader"]["points"] = 100
    files["tampered"] = write(nb, root / "tampered" / "99_demo.ipynb")
    # an editor (Colab…) stripped every cell's metadata: answers are found by resemblance
    nb = answered(**RIGHT)
    for cell in nb.cells:
        cell.metadata = {}
    nb.cells = [c for c in nb.cells if "check(" not in c.source]  # and the test cells are gone too
    files["stripped"] = write(nb, root / "stripped" / "99_demo.ipynb")
    files["misnamed"] = write(answered(**RIGHT), root / "misnamed" / "98_other.ipynb")
    for name, trick in vars(Forgeries).items():
        if not name.startswith("_"):
            nb = learner_copy()
            nb.cells.insert(1, nbformat.v4.new_code_cell(trick))
            files[f"forgery_{name}"] = write(nb, root / f"forgery_{name}" / "99_demo.ipynb")
    results = grade_paths(list(files.values()), timeout=6, submission_timeout=90, jobs=2)
    return {name: results[str(path)] for name, path in files.items()}


def test_every_submission_gets_exactly_one_result(batch):
    assert all(r.student == name for name, r in batch.items() if name != "alien")


def test_the_instructors_chapter_gets_full_marks_and_the_untouched_copy_none(batch):
    assert batch["full"].status == "graded" and batch["full"].score == batch["full"].max_score == 5
    assert batch["untouched"].status == "graded" and batch["untouched"].score == 0
    assert "not implemented yet" in batch["untouched"].exercises[0].message


def test_each_exercise_is_scored_on_its_own(batch):
    assert points(batch["half"]) == {"99_clipped_relu_test": 2, "99_one_step_lr_test": 1, "99_running_mean_test": 0}
    assert "running_mean of 7 values: values differ" in batch["half"].exercises[2].message


def test_a_hang_or_a_crash_costs_only_its_own_exercise(batch):
    for name in ("hang", "crash"):
        assert points(batch[name]) == {"99_clipped_relu_test": 0, "99_one_step_lr_test": 1, "99_running_mean_test": 2}
    assert batch["hang"].seconds < 60


@pytest.mark.parametrize(("name", "reason"), [("garbage", "not a readable notebook"), ("empty", "empty"),
                                             ("alien", "no exercise of any chapter")])  # fmt: skip
def test_unreadable_files_get_a_row_with_the_reason(batch, name, reason):
    assert batch[name].status == "unreadable" and reason in batch[name].reason


def test_tampered_locked_cells_are_reported_and_the_score_comes_from_the_source(batch):
    result = batch["tampered"]
    assert result.status == "tampered"
    flags = " | ".join(result.flags)
    assert "locked cell 99_clipped_relu_test was edited" in flags
    assert "locked cell 99_running_mean_test was deleted" in flags
    assert "99_one_step_lr_test: nbgrader metadata changed (points)" in flags
    assert points(result) == {"99_clipped_relu_test": 2, "99_one_step_lr_test": 1, "99_running_mean_test": 2}


def test_stripped_metadata_is_graded_by_content_not_penalised(batch):
    result = batch["stripped"]
    assert result.score == 5, [e.message for e in result.exercises]
    assert any("matched by content" in note for note in result.notes)


def test_a_misnamed_file_is_graded_as_the_chapter_it_holds_and_flagged(batch):
    result = batch["misnamed"]
    assert result.chapter == "99_demo.ipynb" and result.score == 5
    assert result.status == "tampered" and "named 98_other.ipynb" in result.reason


@pytest.mark.parametrize("trick", [name for name in vars(Forgeries) if not name.startswith("_")])
def test_forgeries_inside_the_kernel_earn_nothing(batch, trick):
    result = batch[f"forgery_{trick}"]
    assert result.score == 0, [(e.grade_id, e.message) for e in result.exercises]
    if trick != "exits":
        assert result.status == "tampered", "the trick should be reported"


# ------------------------------------------------------------------------------------------ gradebooks and runs
def run_cli(*args):
    return main(["grade", *map(str, args), "--source", str(FIXTURES), "--checks", str(DEMO_CHECKS), "--unsandboxed",
                 "--timeout", "20"])  # fmt: skip


def test_gradebooks_resume_and_refusing_to_overwrite(tmp_path, capsys):
    a = write(answered(**RIGHT), tmp_path / "subs" / "alice" / "99_demo.ipynb")
    b = write(learner_copy(), tmp_path / "subs" / "submitted" / "bob" / "ps1" / "99_demo.ipynb")  # nbgrader layout
    out = tmp_path / "report"
    assert run_cli(a, "--out", out, "-j", "1") == 0
    assert "alice" in capsys.readouterr().out
    # resume: alice is kept, bob is graded
    assert run_cli(a, b, "--out", out, "--resume") == 0
    assert "1 submission(s) already graded" in capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    assert [s["student"] for s in report["submissions"]] == ["alice", "bob"]
    assert report["sandbox"] == "none (unsandboxed)"
    rows = list(csv.DictReader((out / "grades_long.csv").open()))
    assert {(r["student"], r["exercise"], r["points"]) for r in rows} >= {("alice", "99_clipped_relu_test", "2"),
                                                                           ("bob", "99_running_mean_test", "0")}  # fmt: skip
    wide = list(csv.DictReader((out / "grades_wide.csv").open()))
    assert [(w["student"], w["99_demo"], w["total"], w["max_total"]) for w in wide] == [("alice", "5", "5", "5"),
                                                                                     ("bob", "0", "0", "5")]  # fmt: skip
    assert len((out / "progress.jsonl").read_text().splitlines()) == 2
    # a report is never overwritten by accident
    assert run_cli(a, "--out", out) == 2
    assert "--resume" in capsys.readouterr().err
    assert run_cli(a, "--out", out, "--overwrite") == 0
    assert [s["student"] for s in json.loads((out / "report.json").read_text())["submissions"]] == ["alice"]


def test_two_jobs_give_the_same_scores_as_one(tmp_path):
    paths = [write(answered(**dict(list(RIGHT.items())[:k])), tmp_path / f"s{k}" / "99_demo.ipynb") for k in range(4)]
    one = grade_paths(paths, jobs=1)
    two = grade_paths(paths, jobs=2)
    assert {p: (r.score, points(r)) for p, r in one.items()} == {p: (r.score, points(r)) for p, r in two.items()}
    assert [one[str(p)].score for p in paths] == [0, 2, 3, 5]


def test_huge_output_is_capped_in_the_report(tmp_path):
    nb = answered(**RIGHT)
    nb.cells.insert(1, nbformat.v4.new_code_cell("print('x' * 30_000_000)\nraise ValueError('y' * 30_000_000)"))
    path = write(nb, tmp_path / "loud" / "99_demo.ipynb")
    out = tmp_path / "report"
    assert run_cli(path, "--out", out) == 0
    assert (out / "report.json").stat().st_size < 200_000
    assert json.loads((out / "report.json").read_text())["submissions"][0]["score"] == 5


# ------------------------------------------------------------------------------------------ per-student numbers
def test_each_student_is_graded_against_their_own_numbers(tmp_path):
    chapter = spec.load_chapter(DEMO_CHECKS / "ch99.py")
    alice, bob = "alice", "bob"
    assert chapter.numbers(student_seed(alice)).curvature != chapter.numbers(student_seed(bob)).curvature
    paths = {}
    for who in (alice, bob):
        nb = learner_copy(student_seed(who))
        assert cell_by_id(nb, "99_numbers").source == numbers_cell_for(chapter, student_seed(who))
        # each writes the number their own copy asks for, as a literal (no `numbers.` in the answer)
        lr = 1 / chapter.numbers(student_seed(who)).curvature
        paths[who] = write(
            answered(nb, **{**RIGHT, "99_one_step_lr": f"one_step_lr = {lr!r}"}), tmp_path / who / "99_demo.ipynb"
        )
    # carol hands in bob's notebook as hers: right for bob's numbers, wrong for hers
    carol = write(read(paths[bob]), tmp_path / "carol" / "99_demo.ipynb")
    roster = {alice: student_seed(alice), bob: student_seed(bob), "carol": student_seed("carol")}
    assert chapter.numbers(roster["carol"]).curvature != chapter.numbers(roster[bob]).curvature
    grader = Grader(FIXTURES, Unsandboxed(), Settings(timeout=20, jobs=2), checks_dir=DEMO_CHECKS, roster=roster)
    results = {r.student: r for r in run_blocking(grader.grade_all([paths[alice], paths[bob], carol]))}
    assert results[alice].score == 5 and results[bob].score == 5
    assert points(results["carol"])["99_one_step_lr_test"] == 0
    assert points(results["carol"])["99_clipped_relu_test"] == 2  # function exercises are the same for everyone
    assert "carol" in results and results["carol"].status == "tampered"  # her numbers cell is not hers


def test_markup_helpers_find_the_numbers_cell():
    nb = read(DEMO)
    assert [markup.grade_id(c) for c in nb.cells if markup.is_numbers_cell(c)] == ["99_numbers"]
