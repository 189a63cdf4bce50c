"""Learner-facing checks: fail on stubs and wrong answers with a useful message, pass on solutions."""

import inspect

import numpy as np
import pytest

from dlcourse.exercises import CheckFailed, check, checks, registry


def solution(x, cap=6.0):
    return np.minimum(np.maximum(x, 0.0), cap)


def stub(x, cap=6.0):
    # YOUR CODE HERE
    raise NotImplementedError()


def failing_message(exercise_id, answer):
    with pytest.raises(CheckFailed) as info:
        check(exercise_id, answer)
    return str(info.value)


def test_solution_passes_and_says_how_many_cases(capsys):
    check("99.clipped_relu", solution)
    assert capsys.readouterr().out.strip() == "✓ 99.clipped_relu passed (12 cases)"


def test_stub_gets_the_friendly_not_implemented_message():
    message = failing_message("99.clipped_relu", stub)
    assert checks.STUB_MESSAGE in message
    assert "Hint: Clip from below" in message


def test_wrong_values_name_the_index_expected_got_and_input():
    message = failing_message("99.clipped_relu", lambda x, cap=6.0: np.maximum(x, 0.0))
    assert "values differ at index (4,)" in message
    assert "expected 6.0, got 7.0" in message
    assert "max abs diff 1" in message
    assert "on input: x = array([-1., -0.,  0.,  3.,  7.])" in message
    assert "cap = 6.0" in message


def test_wrong_shape_is_reported_as_shape():
    message = failing_message("99.clipped_relu", lambda x, cap=6.0: solution(x, cap)[None])
    assert "shape differs: expected (5,), got (1, 5)" in message


def test_wrong_dtype_is_reported_as_dtype():
    message = failing_message("99.clipped_relu", lambda x, cap=6.0: solution(x, cap).astype(np.float32))
    assert "dtype differs: expected float64, got float32" in message


def test_nans_are_called_out():
    def with_nan(x, cap=6.0):
        out = solution(x, cap)
        out[..., :1] = np.nan
        return out

    message = failing_message("99.clipped_relu", with_nan)
    assert "NaN value(s) (first at index (0,))" in message


def test_learner_exception_shows_their_line_not_ours():
    def broken(x, cap=6.0):
        return x.reshape(3, 7)

    message = failing_message("99.clipped_relu", broken)
    line = inspect.getsourcelines(broken)[1] + 1
    assert "your code raised ValueError: cannot reshape array" in message
    assert f"in broken, line {line}: return x.reshape(3, 7)" in message
    assert "checks.py" not in message


def test_forgotten_return_and_input_mutation():
    assert "forget a `return`" in failing_message("99.clipped_relu", lambda x, cap=6.0: None)

    def in_place(x, cap=6.0):
        np.clip(x, 0.0, cap, out=x)
        return x

    assert "changed its input `x` in place" in failing_message("99.clipped_relu", in_place)


def test_not_a_function():
    assert "expected a function, got NoneType" in failing_message("99.clipped_relu", None)


def test_failure_never_shows_the_reference_code():
    reference_body = inspect.getsource(registry.lookup("99.clipped_relu").reference).splitlines()[-1].strip()
    for answer in (stub, lambda x, cap=6.0: x, lambda x, cap=6.0: 1 / 0):
        assert reference_body not in failing_message("99.clipped_relu", answer)


def test_random_cases_are_seeded():
    def wrong_on_random_inputs(x, cap=6.0):
        return solution(x, cap) if x.shape == (5,) or x.size == 0 else solution(x, cap) + 1

    first = failing_message("99.clipped_relu", wrong_on_random_inputs)
    assert "case 3 of 12" in first
    assert failing_message("99.clipped_relu", wrong_on_random_inputs) == first


def test_check_failed_is_an_assertion_error_with_a_short_ipython_traceback():
    with pytest.raises(AssertionError) as info:
        check("99.clipped_relu", stub)
    rendered = info.value._render_traceback_()
    assert len(rendered) == 1 and "Traceback" not in rendered[0] and "File " not in rendered[0]


def test_value_check_does_not_reveal_the_answer():
    check("99.one_step_lr", 0.5)
    message = failing_message("99.one_step_lr", 0.3)
    assert "0.3 is not the expected value (too small)" in message
    assert "0.5" not in message
    assert "(too large)" in failing_message("99.one_step_lr", 0.9)


def test_predicate_and_custom_checks(capsys):
    check("99.diverging_lr", 2.0)
    assert "does not meet the requirement" in failing_message("99.diverging_lr", 0.2)
    check("99.sorted_copy", sorted)
    assert "✓ 99.sorted_copy passed (2 cases)" in capsys.readouterr().out
    assert "changed its input list" in failing_message("99.sorted_copy", lambda v: v.sort() or v)
    assert checks.STUB_MESSAGE in failing_message("99.sorted_copy", stub)
    # the predicate's own code fails on a string: the learner hears about their answer, not our code
    message = failing_message("99.diverging_lr", "big")
    assert "could not be checked (TypeError" in message and "right kind of value" in message


def test_unknown_id_lists_the_known_ones():
    with pytest.raises(registry.UnknownExercise, match=r"no check named '99.nope' \(known: .*99.clipped_relu"):
        check("99.nope", solution)


def test_registration_mistakes_are_caught_early():
    with pytest.raises(ValueError, match="must look like '03.relu'"):
        registry.value_check("relu", 1.0)
    with pytest.raises(TypeError, match=r"write Case\(x\)"):
        registry.function_check("98.bad", solution, cases=[np.zeros(3)])


@pytest.mark.parametrize(
    ("expected", "got", "needle"),
    [
        ((np.zeros(2), 1.0), (np.zeros(2), 2.0), "output[1]: values differ"),
        ((1, 2), (1, 2, 3), "expected 2 values, got 3"),
        (np.zeros(3), [0.0, 0.0, 0.0], "expected a NumPy array of shape (3,), got [0.0, 0.0, 0.0]"),
        (1.5, np.zeros(2), "expected a single number, got an array of shape (2,)"),
        (np.ones(2), np.array([1.0, np.inf]), "infinite value(s)"),
        ({"w": 1.0}, {"w": 1.0, "b": 0.0}, "expected a dict with keys ['w']"),
        (True, 1.0, "expected a number like True"),
    ],
)
def test_difference_describes_the_mismatch(expected, got, needle):
    assert needle in checks.difference(expected, got)


@pytest.mark.parametrize(
    ("expected", "got"),
    [(1.0, np.float64(1.0)), (np.float32(2.0), 2.0 + 1e-9), ((np.arange(3.0), 1), (np.arange(3.0), 1)), (None, None)],
)
def test_difference_accepts_equal_values(expected, got):
    assert checks.difference(expected, got) is None


def test_chapter_modules_are_imported_lazily_from_the_package(tmp_path, monkeypatch):
    import dlcourse.exercises

    (tmp_path / "ch97.py").write_text(
        "from dlcourse.exercises.registry import value_check\nvalue_check('97.answer', 42)\n"
    )
    (tmp_path / "ch96.py").write_text("import a_module_that_does_not_exist\n")
    monkeypatch.setattr(dlcourse.exercises, "__path__", [*dlcourse.exercises.__path__, str(tmp_path)])
    assert "97.answer" not in registry.registered_ids()
    check("97.answer", 42)
    assert "97.answer" in registry.registered_ids()
    # a chapter module with a broken import reports *that*, not "no check named ..."
    with pytest.raises(ModuleNotFoundError, match="a_module_that_does_not_exist"):
        check("96.anything", 1)
