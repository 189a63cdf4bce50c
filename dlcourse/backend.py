"""Choose how the heavy loops run: compiled by Numba (default) or as plain NumPy.

Every kernel in `dlcourse.kernels` is written twice, side by side: a readable NumPy reference and
a loop version that Numba compiles. `@kernel(reference=...)` pairs them; `set_backend` decides
which one every call uses. Numba is imported lazily, on the first compiled call, so that
`import dlcourse` stays fast.

    dl.set_backend("numpy")     # or DLCOURSE_BACKEND=numpy in the environment
"""

from __future__ import annotations

import os
import sys
import threading
import warnings

BACKENDS = ("numba", "numpy")
_current = os.environ.get("DLCOURSE_BACKEND", "numba").strip().lower() or "numba"
if _current not in BACKENDS:
    warnings.warn(f"DLCOURSE_BACKEND={_current!r} is not one of {BACKENDS}; using 'numba'", stacklevel=1)
    _current = "numba"

_registry: list[Kernel] = []
_helpers: list = []  # (function, Numba options) that kernels call; registered (register_jitable) at the first compile
_numba_import: threading.Thread | None = None


def prefetch_numba() -> threading.Thread | None:
    """Start `import numba` (0.5–1.2 s) on a daemon thread, so the first compiled call need not wait for it.

    Called where a model commits to a kernel before its first call: building a Conv2d, a pooling layer,
    or an RNN/LSTM. A kernel call that comes before the import has finished simply
    waits on Python's import lock, so the result is the same, only sooner. Only in a Jupyter kernel
    (where the learner reads the next cell meanwhile) and with the numba backend; a chapter that never
    builds such a layer never loads Numba (≈ 120 MB). DLCOURSE_NUMBA_BACKGROUND=0 turns it off.
    """
    global _numba_import
    if (
        _numba_import is None
        and _current == "numba"
        and "numba" not in sys.modules
        and "ipykernel" in sys.modules
        and os.environ.get("DLCOURSE_NUMBA_BACKGROUND", "1").strip() != "0"
    ):
        _numba_import = threading.Thread(target=_import_numba, name="dlcourse-import-numba", daemon=True)
        _numba_import.start()
    return _numba_import


def _import_numba() -> None:
    try:
        import numba  # noqa: F401 - imported for its side effect: the module is ready when a kernel asks
        from numba.core.compiler_lock import global_compiler_lock
        from numba.core.registry import cpu_target

        # What the first compile (or cache load) would do next, 0.2–0.5 s: build Numba's CPU contexts and load
        # its typing and lowering tables — in Numba's own lock order, as a compile on another thread does:
        # each context is built under its property's lock (which takes the compiler lock inside), and only
        # then are the tables loaded under the compiler lock. (Taking the compiler lock first deadlocked
        # against a kernel call on the main thread that was building the context.)
        typing_context, target_context = cpu_target.typing_context, cpu_target.target_context
        with global_compiler_lock:
            typing_context.refresh()
            target_context.refresh()
    except Exception:  # noqa: BLE001 - the kernel call that needs numba reports the problem itself
        pass


def set_backend(name: str) -> None:
    """Run every kernel with `"numba"` (compiled loops) or `"numpy"` (the readable references)."""
    global _current
    name = str(name).strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}: choose one of {BACKENDS}")
    _current = name


def get_backend() -> str:
    """The backend new kernel calls use: "numba" or "numpy"."""
    return _current


class Kernel:
    """A NumPy reference and its Numba-compiled twin with the same signature.

    Calling the kernel runs the twin chosen by `set_backend`. `.reference` and `.accelerated`
    call one side explicitly (the parity tests compare them).
    """

    def __init__(self, loops, reference, worth_compiling=None):
        self.loops = loops  # the plain-Python loop version, compiled on first use
        self.reference = reference  # the NumPy version: the one to read first
        # worth_compiling(*args) -> bool: False sends a call to the NumPy twin even on the numba backend — for
        # inputs so small that the loops would save microseconds while loading Numba costs ~125 MiB and ~0.5 s
        self.worth_compiling = worth_compiling
        self.__name__ = loops.__name__
        self.__doc__ = loops.__doc__
        self._compiled = None
        _registry.append(self)

    def accelerated(self, *args):
        """Run the Numba-compiled loops (compiling, or loading from the cache, on first use)."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compile()
        return compiled(*args)

    def _compile(self):
        try:
            import numba
        except ImportError:  # pragma: no cover - numba is a dependency; keep the course usable
            warnings.warn("numba is not installed: running the NumPy references", stacklevel=3)
            self._compiled = self.reference
            return self._compiled
        _register_helpers()
        # cache=True writes the machine code next to the source (or ~/.cache if that is read-only),
        # so the compile cost is paid once per machine, not once per kernel start.
        # error_model="numpy": x / 0 gives inf or nan, as in the NumPy reference, instead of a Python-style
        # ZeroDivisionError check before every division — a check that stops the compiler from vectorizing
        # a loop that divides (a float32 tanh loop ran 6× faster without it).
        self._compiled = numba.njit(cache=True, error_model="numpy")(self.loops)
        return self._compiled

    def __call__(self, *args):
        if _current == "numba" and (self.worth_compiling is None or self.worth_compiling(*args)):
            compiled = self._compiled
            if compiled is None:
                compiled = self._compile()
            return compiled(*args)
        return self.reference(*args)

    def __repr__(self):
        return f"<kernel {self.__name__} ({_current})>"


def kernel(reference, worth_compiling=None):
    """Decorator: the decorated loops become a `Kernel` whose NumPy twin is `reference`."""

    def wrap(loops):
        return Kernel(loops, reference, worth_compiling)

    return wrap


def helper(function=None, **jit_options):
    """Decorator: a function that kernels call, compiled along with them (Python can still call it as is).

    `@helper` or `@helper(fastmath={"reassoc"})`: options for Numba when it compiles this function.
    """

    def register(function):
        _helpers.append((function, jit_options))
        return function

    return register if function is None else register(function)


def _register_helpers() -> None:
    """Teach Numba every `@helper` function (once each), so a kernel's loops can call it like a ufunc."""
    from numba.extending import register_jitable

    while _helpers:
        function, jit_options = _helpers[-1]
        if jit_options:
            register_jitable(**jit_options)(function)
        else:
            register_jitable(function)  # (register_jitable() without options is not a decorator factory)
        _helpers.pop()


def registered_kernels() -> list[Kernel]:
    """All kernels defined so far (import `dlcourse.kernels` to define them all)."""
    return list(_registry)
