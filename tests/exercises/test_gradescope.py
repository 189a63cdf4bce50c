"""The Gradescope autograder zip, run locally in a simulated /autograder layout: its results.json follows
Gradescope's documented format and its score is `dlcourse grade`'s."""

import json
import os
import subprocess
import sys
import zipfile

import jsonschema
import pytest
from exercise_helpers import DEMO, DEMO_CHECKS, FIXTURES, cell_by_id, read, write

from dlcourse.cli import main
from dlcourse.exercises import spec
from dlcourse.exercises.grade import Grader, Settings, run_blocking
from dlcourse.exercises.isolation import Unsandboxed
from dlcourse.exercises.release import release_notebook

pytestmark = pytest.mark.slow

# Gradescope's results.json, as documented at gradescope-autograders.readthedocs.io/en/latest/specs/
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
RESULTS_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "extra_data": {"type": "object"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    assert main(["autograder", "99_demo", "--gradescope", str(out), "--source", str(FIXTURES),
                 "--checks", str(DEMO_CHECKS)]) == 0  # fmt: skip
    return out


def simulate(autograder, tmp_path, submission_nb, name="99_demo.ipynb"):
    """Lay out /autograder as Gradescope does (source = the zip, submission = the student's files) and run it."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(root / "source")
    if submission_nb is not None:
        write(submission_nb, root / "submission" / name)
    else:
        (root / "submission").mkdir(parents=True)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), DLCOURSE_AUTOGRADER_PYTHON=sys.executable)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_has_gradescopes_layout_and_no_stray_files(autograder):
    with zipfile.ZipFile(autograder) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "requirements.txt", "config.json", "chapters/99_demo.ipynb",
                "checks/ch99.py"} <= names  # fmt: skip
        assert any(n.startswith("expected/99_demo-") for n in names), "the instructor's values are computed once"
        assert "python/dlcourse/exercises/grade.py" in names
        assert not [n for n in names if "__pycache__" in n]
        for script in ("setup.sh", "run_autograder"):
            assert archive.getinfo(script).external_attr >> 16 & 0o111, f"{script} must be executable"
            assert subprocess.run(["bash", "-n"], input=archive.read(script), capture_output=True).returncode == 0


def test_results_json_is_valid_and_scores_like_dlcourse_grade(autograder, tmp_path):
    demo_spec = spec.load_chapter(DEMO_CHECKS / "ch99.py")
    submission = release_notebook(read(DEMO), demo_spec)
    cell_by_id(submission, "99_clipped_relu").source = "def clipped_relu(x, cap=6.0):\n    return np.clip(x, 0, cap)"
    results = simulate(autograder, tmp_path, submission)
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert [t["name"] for t in results["tests"]] == [
        "99_clipped_relu_test",
        "99_one_step_lr_test",
        "99_running_mean_test",
    ]
    assert [t["status"] for t in results["tests"]] == ["passed", "failed", "failed"]
    path = write(submission, tmp_path / "local" / "99_demo.ipynb")
    local = run_blocking(Grader(FIXTURES, Unsandboxed(), Settings(timeout=30), checks_dir=DEMO_CHECKS).grade(path))
    assert results["score"] == local.score == 2
    assert sum(t["max_score"] for t in results["tests"]) == local.max_score


def test_no_submission_still_writes_a_result(autograder, tmp_path):
    results = simulate(autograder, tmp_path, None)
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0 and "No notebook" in results["output"]


def test_an_unknown_chapter_is_refused(tmp_path, capsys):
    assert main(["autograder", "42_nothing", "--gradescope", str(tmp_path / "a.zip"), "--source", str(FIXTURES)]) == 1
    assert "no such chapter: 42_nothing" in capsys.readouterr().err
