"""`import dlcourse` in a Jupyter kernel starts importing Numba on a daemon thread; elsewhere it does not."""

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, sys, threading
if {pretend_kernel}:
    import ipykernel  # noqa: F401 - what a Jupyter kernel has imported before the learner's first cell
import dlcourse.backend as backend
thread = backend._numba_import
started = thread is not None
if started:
    thread.join(60)
print(json.dumps({{"started": started, "numba_loaded": "numba" in sys.modules,
                  "daemon": bool(thread and thread.daemon)}}))
"""


def probe(pretend_kernel: bool, **env) -> dict:
    environment = {**os.environ, "DLCOURSE_NUMBA_BACKGROUND": "1", "DLCOURSE_BACKEND": "numba", **env}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(pretend_kernel=pretend_kernel)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_in_a_jupyter_kernel_numba_is_imported_in_the_background():
    pytest.importorskip("ipykernel")
    state = probe(pretend_kernel=True)
    assert state == {"started": True, "numba_loaded": True, "daemon": True}


@pytest.mark.parametrize(
    "env",
    [{"DLCOURSE_NUMBA_BACKGROUND": "0"}, {"DLCOURSE_BACKEND": "numpy"}],
    ids=["switched-off", "numpy-backend"],
)
def test_switched_off_or_numpy_backend_never_imports_numba(env):
    pytest.importorskip("ipykernel")
    state = probe(pretend_kernel=True, **env)
    assert state == {"started": False, "numba_loaded": False, "daemon": False}


def test_a_plain_script_does_not_pay_for_numba():
    state = probe(pretend_kernel=False)
    assert state == {"started": False, "numba_loaded": False, "daemon": False}
