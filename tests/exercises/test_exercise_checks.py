"""`check()` as a learner meets it, on the demo chapter's recorded data (checks99/ch99.py): right answers
pass, wrong ones get a diagnosis and a hint that gets more specific when the same failure comes back."""

import numpy as np
import pytest
from exercise_helpers import fails, stub

from dlcourse.exercises import CheckFailed, check, exercise_numbers, recorded


def clipped_relu(x, cap=6.0):
    return np.minimum(np.maximum(x, 0.0), cap)


def test_solution_passes_and_says_how_many_cases(capsys):
    check("99.clipped_relu", clipped_relu)
    assert "✓ 99.clipped_relu passed (12 cases)" in capsys.readouterr().out


def test_stub_says_not_implemented_and_where_the_idea_is():
    message = fails("99.clipped_relu", stub)
    assert "not implemented yet" in message and "§1 (clipped ReLU)" in message
    assert "Hint" not in message  # an untouched stub gets no hint: there is nothing to correct yet


def test_wrong_values_name_the_case_index_expected_got_and_input():
    message = fails("99.clipped_relu", lambda x, cap=6.0: np.clip(x, 0.0, 5.0))
    assert "case 1 of 12" in message and "index (4,)" in message
    assert "expected 6.0, got 5.0" in message and "on input: x = array(" in message


def test_hints_get_more_specific_when_the_same_failure_comes_back():
    def wrong(x, cap=6.0):
        return np.clip(x, 0.0, 5.0)

    first, second, third = (fails("99.clipped_relu", wrong) for _ in range(3))
    assert "Hint: Two limits" in first
    assert "Hint: Apply the lower limit first" in second
    assert "Hint: Apply the lower limit first" in third  # the last tier stays


def test_a_recognised_mistake_gets_its_own_hint():
    message = fails("99.clipped_relu", lambda x, cap=6.0: np.maximum(x, 0.0))
    assert "Hint: Values above the cap must be cut down to the cap." in message


def test_learner_exception_shows_their_line_not_ours():
    def broken(x, cap=6.0):
        return x.no_such_method()

    message = fails("99.clipped_relu", broken)
    assert "your code raised AttributeError" in message and "in broken, line" in message
    assert "x.no_such_method()" in message and "checks.py" not in message


def test_forgotten_return_mutation_and_not_a_function():
    def no_return(x, cap=6.0):
        np.minimum(np.maximum(x, 0.0), cap)

    def in_place(x, cap=6.0):
        np.clip(x, 0.0, cap, out=x)
        return x

    assert "forget a `return`" in fails("99.clipped_relu", no_return)
    assert "changed its input `x` in place" in fails("99.clipped_relu", in_place)
    assert "expected a function, got float" in fails("99.clipped_relu", 3.0)
    assert "did you run the cell" in fails("99.clipped_relu", None)


def test_check_failed_is_an_assertion_error_with_a_short_ipython_traceback():
    with pytest.raises(AssertionError) as info:
        check("99.clipped_relu", stub)
    assert isinstance(info.value, CheckFailed)
    rendered = info.value._render_traceback_()
    assert len(rendered) == 1 and "not implemented yet" in rendered[0]


def test_value_check_never_reveals_the_answer(capsys):
    check("99.one_step_lr", 0.5)  # the public numbers: curvature 2
    assert "✓ 99.one_step_lr passed" in capsys.readouterr().out
    message = fails("99.one_step_lr", 0.3)
    assert "0.3 is not the expected value" in message and "0.5" not in message
    assert "Hint:" in message


def test_value_check_tolerance_and_kinds():
    check("99.one_step_lr", 0.5 + 5e-7)  # within the recorded tolerance (1e-6)
    fails("99.one_step_lr", 0.5 + 3e-6)  # beyond twice the tolerance: rejected
    assert "expected a number" in fails("99.one_step_lr", "0.5")
    assert "no answer yet" in fails("99.one_step_lr", ...)


def test_a_known_wrong_value_gets_its_hint():
    assert "the other side, not the minimum" in fails("99.one_step_lr", 1.0)


def test_a_personal_key_replaces_the_public_answers(capsys):
    """A learner whose release gave them curvature 4 must answer 0.25; 0.5 (the public answer) is wrong for them."""
    from exercise_helpers import DEMO_CHECKS

    from dlcourse.exercises.release import chapter_spec_for, numbers_cell_for

    chapter = chapter_spec_for(DEMO_CHECKS.parent / "fixtures" / "99_demo.ipynb", DEMO_CHECKS)
    seed = next(s for s in range(1, 100) if chapter.numbers(s).curvature == 4)
    namespace = {"exercise_numbers": exercise_numbers}
    exec(numbers_cell_for(chapter, seed), namespace)
    assert "Your numbers for chapter 99" in repr(namespace["numbers"]) and namespace["numbers"].curvature == 4
    check("99.one_step_lr", 0.25)
    fails("99.one_step_lr", 0.5)
    recorded.forget()
    check("99.one_step_lr", 0.5)  # without the key: the public numbers again


def test_a_prediction_is_revealed_and_explained_once_answered(capsys):
    check("99.direction", "Uphill ")
    out = capsys.readouterr().out
    assert "you predicted 'uphill'" in out and "the answer is 'downhill'" in out and "against the gradient" in out
    check("99.direction", "downhill")
    assert "✓ right" in capsys.readouterr().out
    assert "no answer yet" in fails("99.direction", ...)
    assert "is not one of" in fails("99.direction", "sideways")


def test_unknown_ids_say_which_exist():
    with pytest.raises(recorded.UnknownExercise, match=r"known: 99\.clipped_relu"):
        check("99.clipped_rleu", clipped_relu)
    with pytest.raises(recorded.UnknownExercise, match="not an exercise id"):
        check("relu", clipped_relu)


def test_a_graded_choice_is_only_confirmed_as_valid(capsys):
    for answer in ("adam", "sgd"):  # right or wrong, the learner hears the same: no guessing game
        check("99.fastest", answer)
        assert "'" + answer + "' is a valid choice" in capsys.readouterr().out
    assert "is not one of" in fails("99.fastest", "rmsprop")


def test_a_property_is_measured_with_the_public_function(capsys):
    check("99.diverging_lr", 0.5)  # κ = 50: any lr above 2/50 diverges
    assert "✓ 99.diverging_lr passed" in capsys.readouterr().out
    message = fails("99.diverging_lr", 0.01)
    assert "the loss after 200 steps on the bowl is" in message and "it must be > 1000000.0" in message
    assert "could not be measured" in fails("99.diverging_lr", "fast")
