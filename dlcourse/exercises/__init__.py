"""Homework tooling. Learners: `check("03.relu", relu)`. Instructors: `dlcourse release/grade` (see `dlcourse --help`).

What ships here holds no answer: checks read recorded data (record.py), value answers are salted hashes,
and the reference solutions stay with the instructor's chapters (`instructor/`).
"""

from dlcourse.exercises.checks import CheckFailed, check
from dlcourse.exercises.numbers import exercise_numbers
from dlcourse.exercises.probes import probe, probe_call

__all__ = ["CheckFailed", "check", "exercise_numbers", "probe", "probe_call"]
