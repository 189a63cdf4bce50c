"""Probes: how hidden tests hand the learner's results to the grader as plain data.

A graded test cell's hidden part (between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`, only in
the instructor's chapter) is a list of probes:

    z = np.random.default_rng(8301).normal(scale=4.0, size=(3, 5))     # inputs nobody has seen
    probe_call("sigmoid(z)", sigmoid, z)                              # the learner's output on them
    probe("conv_params", conv_params, spec="08.conv_params")          # a value, judged by the spec

Each probe only *reports*: it displays its value, encoded as data (encoding.py), under the MIME type
`application/vnd.dlcourse.probe+json`. It asserts nothing. The grader runs the same probes once on the
instructor's solution (the expected values) and once on each submission, and compares the two in its
own process, so nothing a submission does in its kernel can earn a point without computing the values.

The options (`rtol`, `atol`, `check_dtype`, `spec`) are read by the grader from the instructor's run only.
"""

from __future__ import annotations

from typing import Any

from dlcourse.exercises.encoding import EncodingError, encode

PROBE_MIME = "application/vnd.dlcourse.probe+json"
MAX_MESSAGE = 2000  # characters of an exception message kept in a probe record


def _emit(record: dict) -> None:
    try:
        from IPython.display import display
    except ImportError:  # plain Python (no kernel): nothing receives probes
        return
    display({PROBE_MIME: record, "text/plain": f"probe {record['label']!r}"}, raw=True)


def _record(label: str, value: Any, options: dict) -> dict:
    if value is Ellipsis:
        return {"label": label, "error": "no answer yet (the value is still `...`)", "options": options}
    try:
        return {"label": label, "value": encode(value), "options": options}
    except EncodingError as error:
        return {"label": label, "error": f"the result could not be sent: {error}", "options": options}


def probe(label: str, value: Any, **options: Any) -> None:
    """Report `value` under `label` (a value exercise's answer, or an output computed just above)."""
    _emit(_record(label, value, options))


def probe_call(label: str, fn: Any, *args: Any, **kwargs: Any) -> None:
    """Report `fn(*args, **kwargs)` under `label`, or the exception it raised (which then fails this probe).

    Keyword options for the grader are passed as `probe_options={...}` so they never clash with `fn`'s own."""
    options = kwargs.pop("probe_options", {})
    try:
        value = fn(*args, **kwargs)
    except Exception as error:  # the learner's function failed: that is a result too
        message = str(error)[:MAX_MESSAGE]
        if isinstance(error, NotImplementedError) and not message:
            message = "not implemented yet (the exercise still has its stub)"
        _emit({"label": label, "error": f"{type(error).__name__}: {message}", "options": options})
        return
    _emit(_record(label, value, options))
