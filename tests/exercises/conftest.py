"""Shared fixtures for the homework-tooling tests."""

import pytest

pytest.register_assert_rewrite("exercise_helpers")  # detailed assert messages in the shared test bodies

from exercise_helpers import DEMO, HERE, read  # noqa: E402 - after the rewrite hook, on purpose

# The fixture chapters are inputs, not notebooks to test (and nbval must not run them).
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(autouse=True)
def demo_checks_path(monkeypatch):
    """Let the registry (and grading kernels, which inherit the environment) find `ch99.py`."""
    monkeypatch.setenv("DLCOURSE_CHECKS_PATH", str(HERE))


@pytest.fixture
def demo_nb():
    return read(DEMO)
