"""`dlcourse warmup` fills Numba's on-disk cache for every kernel, in parallel worker processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dlcourse import kernels


def test_parallel_warmup_caches_every_kernel(tmp_path):
    pytest.importorskip("numba")
    names = {kern.__name__ for kern in kernels.load_all()}
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "dlcourse", "warmup", "--jobs", "2"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert f"warmed {len(names)} kernels in 2 processes" in result.stdout
    indexed = {path.name.split(".")[1].rsplit("-", 1)[0] for path in tmp_path.rglob("*.nbi")}
    assert indexed == names, f"no cache entry for {sorted(names - indexed)}"
    # the cache holds machine code for both dtypes: loading everything in one process compiles nothing
    reload = subprocess.run(
        [
            sys.executable,
            "-c",
            "import dlcourse.kernels as k, numba; k.warmup(verbose=False);"
            "print(sum(len(d.stats.cache_misses) for d in (kern._compiled for kern in k.load_all())))",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert reload.returncode == 0, reload.stderr
    assert reload.stdout.split()[-1] == "0", "kernels were compiled again instead of loaded from the cache"
