"""Settings shared by the whole test suite (the notebooks run in their own kernels, untouched by this)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# Plots in unit tests render off-screen. matplotlib.use() instead of MPLBACKEND=Agg in os.environ:
# the environment would leak into the nbval kernels and the JupyterLab of the browser tests, where
# figures must behave as they do for a learner.
matplotlib.use("Agg")

# Numba caches compiled kernels next to their source; only where that is read-only (an installed
# copy, a read-only checkout) send the cache elsewhere. Must happen before numba is imported.
if not os.access(REPO / "dlcourse", os.W_OK) and "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "dlcourse-numba-cache")

# No deadline: the first call of a Numba kernel compiles, which takes seconds, not milliseconds.
settings.register_profile("ci", deadline=None, max_examples=50, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Notebooks under tests/ are fixtures (e.g. for the grader), not chapters: nbval must not run them.
collect_ignore_glob = ["*.ipynb"]


@pytest.fixture(params=["numba", "numpy"])
def backend(request):
    """Run the test with each backend: the compiled Numba kernels and the NumPy references."""
    import dlcourse as dl  # here, not at the top: NUMBA_CACHE_DIR above must be set before numba loads

    previous = dl.get_backend()
    dl.set_backend(request.param)
    yield request.param
    dl.set_backend(previous)
