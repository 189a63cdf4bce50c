"""How long a learner's first compiled call waits in a fresh Jupyter kernel (warm Numba cache).

    python benchmarks/first_call.py            # with and without the background Numba import

Each probe is a fresh process that imports ipykernel (as a Jupyter kernel has), then `dlcourse`, builds
an `nn.Conv2d`, "reads the next cell" for `--think` seconds, and times the layer's first call (a Numba
kernel).
Run `dlcourse warmup` first so the cache is filled: this measures loading, not compiling.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

PROBE = """
import sys, time
import ipykernel  # noqa: F401
import numpy as np
t0 = time.perf_counter()
import dlcourse as dl
import dlcourse.nn as nn
conv = nn.Conv2d(1, 4, 3)  # builds the layer: its kernel is known to be needed
t1 = time.perf_counter()
time.sleep({think})
images = dl.tensor(np.random.default_rng(0).standard_normal((8, 1, 8, 8)).astype(np.float32))
t2 = time.perf_counter()
conv(images)
print(t1 - t0, time.perf_counter() - t2)
"""


def probe(background: bool, think: float) -> tuple[float, float]:
    env = {**os.environ, "DLCOURSE_NUMBA_BACKGROUND": "1" if background else "0"}
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(think=think)], env=env, capture_output=True, text=True, check=True
    )
    import_time, first_call = map(float, out.stdout.split())
    return import_time, first_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--think", type=float, default=2.0, help="seconds between the import and the call")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for background in (True, False):
        runs = [probe(background, args.think) for _ in range(args.repeat)]
        label = "background numba import" if background else "numba imported on first call"
        print(
            f"{label:30s} import dlcourse {statistics.median(r[0] for r in runs):.2f} s, "
            f"first compiled call {statistics.median(r[1] for r in runs):.2f} s "
            f"(median of {args.repeat}, {args.think:g} s after the import)"
        )


if __name__ == "__main__":
    main()
