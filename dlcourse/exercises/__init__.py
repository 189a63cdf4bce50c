"""Homework tooling: `check("03.relu", relu)` for learners; release/grade (see `dlcourse --help`) for instructors."""

from dlcourse.exercises.checks import CheckFailed, check
from dlcourse.exercises.registry import Case, exercise, function_check, predicate_check, value_check

__all__ = ["Case", "CheckFailed", "check", "exercise", "function_check", "predicate_check", "value_check"]
