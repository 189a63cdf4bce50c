"""Real nbgrader accepts the markup: `nbgrader generate_assignment` on a chapter, as an instructor would."""

import os
import subprocess
import sys

import pytest
from exercise_helpers import DEMO, DEMO_CHECKS, read

from dlcourse.exercises import markup, spec
from dlcourse.exercises.release import release_notebook

pytest.importorskip("nbgrader")


@pytest.mark.slow
def test_nbgrader_generate_assignment_matches_dlcourse_release(tmp_path):
    # A minimal nbgrader course: nbgrader_config.py + source/<assignment>/<notebook>.ipynb
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "dlcourse-test"\n')
    (tmp_path / "source" / "ps99").mkdir(parents=True)
    (tmp_path / "source" / "ps99" / DEMO.name).write_bytes(DEMO.read_bytes())
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env["PATH"]])  # nbgrader runs `alembic`
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", "ps99", "--force"]
    command += [f"--db=sqlite:///{tmp_path / 'gradebook.db'}"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]

    generated = read(tmp_path / "release" / "ps99" / DEMO.name)
    source = read(DEMO)
    text = "\n".join(cell.source for cell in generated.cells)
    for cell in source.cells:
        for begin, end in ((markup.BEGIN_SOLUTION, markup.END_SOLUTION), (markup.BEGIN_HIDDEN, markup.END_HIDDEN)):
            for body in markup.region_bodies(cell.source, begin, end):
                assert all(line.strip() not in text for line in body if line.strip())
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    # nbgrader's student copy and ours agree cell by cell, except where ours is friendlier: a value to set
    # becomes `name = ...` (nbgrader: raise NotImplementedError) and the numbers cell gets the learner's key
    ours = release_notebook(source, spec.load_chapter(DEMO_CHECKS / "ch99.py")).cells
    assert len(generated.cells) == len(ours)
    for theirs, mine, original in zip(generated.cells, ours, source.cells):
        if markup.is_numbers_cell(original):
            assert "seed=0," in theirs.source and "seed=0," in mine.source
        elif markup.is_solution(original) and markup.VALUE_STUB.split(" =")[1] in mine.source:
            assert "raise NotImplementedError()" in theirs.source
        else:
            assert theirs.source == mine.source
