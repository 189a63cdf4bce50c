"""What learners open (notebooks/) is exactly the release of the instructors' chapters: no solution, no
hidden test, nothing stale."""

import pytest
from exercise_helpers import CHECKS_DIR, REPO, read

from dlcourse.exercises import markup
from dlcourse.exercises.release import chapter_spec_for, leaks, release_notebook

SOURCES = sorted((REPO / "instructor" / "chapters").glob("*.ipynb"))
COPIES = sorted((REPO / "notebooks").glob("*.ipynb"))


def comparable(nb):
    """What a learner sees of a notebook: cell types, sources and metadata, and the notebook metadata."""
    return {
        "metadata": dict(nb.metadata),
        "cells": [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells],
    }


def test_every_chapter_has_a_learner_copy_and_nothing_else():
    assert SOURCES, "no chapters in instructor/chapters/"
    assert [p.name for p in COPIES] == [p.name for p in SOURCES], "run `make release` to regenerate notebooks/"


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_learner_copy_is_the_current_release(source):
    copy = REPO / "notebooks" / source.name
    assert copy.exists(), f"notebooks/{source.name} is missing: run `make release`"
    expected = comparable(release_notebook(read(source), chapter_spec_for(source, CHECKS_DIR)))
    assert comparable(read(copy)) == expected, f"notebooks/{source.name} is stale: run `make release`"


@pytest.mark.parametrize("copy", COPIES, ids=[p.stem for p in COPIES])
def test_learner_copy_has_no_solution_block_or_hidden_test(copy):
    nb = read(copy)
    text = "\n".join(c.source for c in nb.cells)
    for marker in (markup.BEGIN_SOLUTION, markup.END_SOLUTION, markup.BEGIN_HIDDEN, markup.END_HIDDEN):
        assert marker not in text
    assert leaks(read(REPO / "instructor" / "chapters" / copy.name), nb) == []
