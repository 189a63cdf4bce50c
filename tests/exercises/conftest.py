"""Shared fixtures for the homework-tooling tests."""

import pytest

pytest.register_assert_rewrite("exercise_helpers")  # detailed assert messages in the shared test bodies

import sys  # noqa: E402

from exercise_helpers import DEMO, DEMO_CHECKS, REPO, read  # noqa: E402 - after the rewrite hook, on purpose

# The chapter tests import the instructor's specs (instructor/checks/chNN.py) as `checks.chNN`.
sys.path.insert(0, str(REPO / "instructor"))

from dlcourse.exercises import checks, recorded  # noqa: E402
from dlcourse.exercises.record import record_directory  # noqa: E402

# The fixture chapters are inputs, not notebooks to test (and nbval must not run them).
collect_ignore_glob = ["fixtures/*", "checks99/*"]


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory):
    """The demo chapter's check data, recorded from checks99/ch99.py as an instructor would."""
    out = tmp_path_factory.mktemp("recorded99")
    record_directory(DEMO_CHECKS, out)
    return out


@pytest.fixture(autouse=True)
def demo_checks_path(monkeypatch, demo_data_dir):
    """Let check() (and grading kernels, which get this variable) find the demo chapter's recorded data."""
    monkeypatch.setenv("DLCOURSE_CHECKS_PATH", str(demo_data_dir))
    recorded.forget()
    checks._attempts.clear()  # hint tiers start afresh in every test
    yield
    recorded.forget()


@pytest.fixture
def demo_nb():
    return read(DEMO)
