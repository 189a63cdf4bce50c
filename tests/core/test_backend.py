"""Backends: `dl.set_backend`, `DLCOURSE_BACKEND` (read at import, so tested in a subprocess), dispatch."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import backend

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, backend_env: str | None) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with DLCOURSE_BACKEND set to `backend_env` (None: unset)."""
    env = {k: v for k, v in os.environ.items() if k != "DLCOURSE_BACKEND"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    if backend_env is not None:
        env["DLCOURSE_BACKEND"] = backend_env
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def restore_backend():
    previous = dl.get_backend()
    yield
    dl.set_backend(previous)


def test_set_and_get_backend(restore_backend):
    dl.set_backend("numpy")
    assert dl.get_backend() == "numpy"
    dl.set_backend(" Numba ")  # case and spaces don't matter
    assert dl.get_backend() == "numba"
    with pytest.raises(ValueError, match="unknown backend"):
        dl.set_backend("gpu")
    assert dl.get_backend() == "numba"  # a failed switch changes nothing


@pytest.mark.parametrize("value, expected", [(None, "numba"), ("numpy", "numpy"), (" NumPy ", "numpy"), ("", "numba")])
def test_environment_variable_is_read_at_import(value, expected):
    result = run_python("import dlcourse; print(dlcourse.get_backend())", value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_invalid_environment_variable_warns_and_falls_back_to_numba():
    result = run_python("import dlcourse; print(dlcourse.get_backend())", "fortran")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "numba"
    assert "DLCOURSE_BACKEND='fortran'" in result.stderr


def test_numpy_backend_from_the_environment_never_imports_numba():
    code = """
        import sys
        import numpy as np
        import dlcourse as dl
        assert "numba" not in sys.modules and "torch" not in sys.modules  # import dlcourse stays light
        x = dl.tensor(np.ones((4, 2)), requires_grad=True)
        x[np.array([0, 0, 3])].sum().backward()   # the scatter-add kernel runs its NumPy reference
        print(x.grad[:, 0].tolist(), "numba" in sys.modules)
    """
    result = run_python(code, "numpy")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[2.0, 0.0, 0.0, 1.0] False"


def _plus_two(x):
    """Reference twin: x + 2 (deliberately different from the loops, so the test sees which one ran)."""
    return x + 2


@pytest.fixture
def marker_kernel():
    def plus_one(x):
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = x[i] + 1
        return out

    k = backend.kernel(reference=_plus_two)(plus_one)
    yield k
    backend._registry.remove(k)  # keep the registry to the package's own kernels


def test_kernel_dispatch_follows_the_backend(marker_kernel, restore_backend):
    x = np.zeros(3)
    dl.set_backend("numpy")
    np.testing.assert_array_equal(marker_kernel(x), [2.0, 2.0, 2.0])
    dl.set_backend("numba")
    np.testing.assert_array_equal(marker_kernel(x), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(marker_kernel.reference(x), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(marker_kernel.accelerated(x), [1.0, 1.0, 1.0])
    assert marker_kernel.__name__ == "plus_one"
    assert "numba" in repr(marker_kernel)
    assert marker_kernel in backend.registered_kernels()


def test_scatter_kernel_is_registered():
    names = [k.__name__ for k in dl.kernels.load_all()]
    assert "scatter_add_rows" in names
