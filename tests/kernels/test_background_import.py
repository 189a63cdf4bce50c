"""Building a layer whose forward pass is a Numba kernel starts importing Numba on a daemon thread, in a
Jupyter kernel only; `import dlcourse` alone, plain scripts and the NumPy backend never load Numba early."""

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
import dlcourse.nn as nn
{build}
thread = backend._numba_import
started = thread is not None
if started:
    thread.join(60)
print(json.dumps({{"started": started, "numba_loaded": "numba" in sys.modules,
                  "daemon": bool(thread and thread.daemon),
                  "tables_loaded": "numba.np.arraymath" in sys.modules}}))  # what the first compile would load
"""


def probe(pretend_kernel: bool, build: str = "nn.Conv2d(1, 2, 3)", **env) -> dict:
    environment = {**os.environ, "DLCOURSE_NUMBA_BACKGROUND": "1", "DLCOURSE_BACKEND": "numba", **env}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(pretend_kernel=pretend_kernel, build=build)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("build", ["nn.Conv2d(1, 2, 3)", "nn.MaxPool2d(2)", "nn.AvgPool2d(2)", "nn.LSTM(1, 4)"])
def test_in_a_jupyter_kernel_a_kernel_layer_starts_the_import_in_the_background(build):
    pytest.importorskip("ipykernel")
    state = probe(pretend_kernel=True, build=build)
    assert state == {"started": True, "numba_loaded": True, "daemon": True, "tables_loaded": True}


def test_layers_without_a_kernel_do_not_load_numba():
    pytest.importorskip("ipykernel")
    state = probe(pretend_kernel=True, build="nn.Sequential(nn.Linear(2, 3), nn.Tanh()); nn.BCELoss()")
    assert state == {"started": False, "numba_loaded": False, "daemon": False, "tables_loaded": False}


@pytest.mark.parametrize(
    "env",
    [{"DLCOURSE_NUMBA_BACKGROUND": "0"}, {"DLCOURSE_BACKEND": "numpy"}],
    ids=["switched-off", "numpy-backend"],
)
def test_switched_off_or_numpy_backend_never_imports_numba(env):
    pytest.importorskip("ipykernel")
    state = probe(pretend_kernel=True, **env)
    assert state == {"started": False, "numba_loaded": False, "daemon": False, "tables_loaded": False}


def test_a_plain_script_does_not_pay_for_numba():
    state = probe(pretend_kernel=False)
    assert state == {"started": False, "numba_loaded": False, "daemon": False, "tables_loaded": False}


SMALL_AND_LARGE = """
import json, sys
import numpy as np
import dlcourse as dl
import dlcourse.nn as nn
from dlcourse.cluster.kmeans import kmeans
rng = np.random.default_rng(0)
loss_fn = nn.CrossEntropyLoss()
logits = dl.tensor(rng.standard_normal((64, 10)).astype(np.float32), requires_grad=True)
loss_fn(logits, dl.tensor(rng.integers(0, 10, 64))).backward()  # a course-sized batch
kmeans(rng.standard_normal((300, 2)), 3, seed=0)  # a course-sized clustering
small = "numba" in sys.modules
big = dl.tensor(rng.standard_normal((20_000, 10)).astype(np.float32), requires_grad=True)
loss_fn(big, dl.tensor(rng.integers(0, 10, 20_000))).backward()
print(json.dumps({"small": small, "large": "numba" in sys.modules}))
"""


def test_course_sized_losses_and_clusterings_never_load_numba_large_ones_do():
    """Below `LARGE` the compiled loops would save microseconds, while loading Numba costs ~125 MiB."""
    environment = {**os.environ, "DLCOURSE_BACKEND": "numba"}
    result = subprocess.run(
        [sys.executable, "-c", SMALL_AND_LARGE], capture_output=True, text=True, env=environment, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"small": False, "large": True}


RACE = """
import ipykernel  # noqa: F401
import time
import numpy as np
import dlcourse as dl
import dlcourse.nn as nn
conv, lstm = nn.Conv2d(1, 4, 3), nn.LSTM(1, 4)  # starts the background import
time.sleep({delay})  # the learner's next cell comes while Numba is still loading, or after
conv(dl.tensor(np.ones((2, 1, 6, 6), np.float32)))
lstm(dl.tensor(np.ones((3, 2, 1), np.float32)))
print("done")
"""


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3])
def test_a_kernel_called_while_numba_loads_in_the_background_never_deadlocks(delay):
    """The prefetch builds Numba's contexts in Numba's own lock order; the opposite order hung chapter 08
    (this test then timed out for about half of these delays)."""
    pytest.importorskip("ipykernel")
    environment = {**os.environ, "DLCOURSE_NUMBA_BACKGROUND": "1", "DLCOURSE_BACKEND": "numba"}
    result = subprocess.run(
        [sys.executable, "-c", RACE.format(delay=delay)], capture_output=True, text=True, env=environment, timeout=90
    )
    assert result.returncode == 0 and result.stdout.strip() == "done", result.stderr
