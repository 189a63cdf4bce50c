"""Numba kernels, each written directly under its readable NumPy reference (see backend.py).

`warmup()` compiles (or loads from Numba's on-disk cache) every kernel once, so that a learner's
first cell does not wait for the compiler: `make lab` and Binder's postBuild run it.
"""

from __future__ import annotations

import importlib
import pkgutil
import time


def load_all() -> list:
    """Import every kernel module so that all kernels are registered; return them."""
    from dlcourse.backend import registered_kernels

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return registered_kernels()


def _examples(module_names=None):
    """(module name, kernel, args) for the float32 and float64 example inputs of every kernel module's
    kernels (or only of the modules named)."""
    for module in pkgutil.iter_modules(__path__):
        if module_names is not None and module.name not in module_names:
            continue
        mod = importlib.import_module(f"{__name__}.{module.name}")
        examples = getattr(mod, "warmup_examples", None)
        if examples is not None:
            for kern, args in examples():
                yield module.name, kern, args


def _warm(module_name: str, kernel_name: str) -> float:
    """Compile (or cache-load) one kernel for all its example inputs; seconds taken."""
    start = time.perf_counter()
    for _, kern, args in _examples({module_name}):
        if kern.__name__ == kernel_name:
            kern.accelerated(*args)
    return time.perf_counter() - start


def warmup(verbose: bool = True, jobs: int = 1) -> dict:
    """Compile or cache-load every kernel for float32 and float64 by calling its example inputs.

    jobs=1 loads them into this process (a notebook's first cell then never waits). jobs > 1 only fills
    Numba's on-disk cache, compiling kernels in that many worker processes at once — what `dlcourse warmup`
    does: compiling is single-threaded, so on 2 cores it takes about half the time.
    """
    start_all = time.perf_counter()
    names = list(dict.fromkeys((module, kern.__name__) for module, kern, _ in _examples()))
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: the caller may be a Jupyter kernel with threads running
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            seconds = list(pool.map(_warm, *zip(*names)))
    else:
        seconds = [_warm(module, name) for module, name in names]
    timings = {name: s for (_, name), s in zip(names, seconds)}
    if verbose:
        for name, seconds in sorted(timings.items()):
            print(f"  {name:<32s} {seconds * 1000:8.1f} ms")
        workers = f" in {jobs} processes" if jobs > 1 else ""
        print(f"warmed {len(timings)} kernels{workers} in {time.perf_counter() - start_all:.1f} s")
    return timings
