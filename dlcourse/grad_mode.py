"""Whether operations record a graph for `backward()`; `no_grad()` switches it off."""

from __future__ import annotations

import functools

enabled = True  # read by Function.apply on every op


class _NoGrad:
    """Context manager (and decorator) that builds no graph: for evaluation and optimizer steps.

    >>> with dl.no_grad():
    ...     y = model(x)      # y.requires_grad is False, nothing is remembered for backward
    """

    def __enter__(self):
        global enabled
        self._previous = enabled
        enabled = False
        return self

    def __exit__(self, *exc):
        global enabled
        enabled = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _NoGrad():
                return fn(*args, **kwargs)

        return wrapper


def is_grad_enabled() -> bool:
    """True when new operations record a graph."""
    return enabled


def no_grad(fn=None):
    """`with dl.no_grad():` or `@dl.no_grad()` / `@dl.no_grad`: run without building a graph."""
    if callable(fn):
        return _NoGrad()(fn)
    return _NoGrad()
