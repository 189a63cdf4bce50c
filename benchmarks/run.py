"""Run the course's workloads for dlcourse (Numba and NumPy backends) and PyTorch CPU in one process.

    python benchmarks/run.py                  # everything, median of 3 after a warm-up
    python benchmarks/run.py --only W1 W5 --repeat 5

Prints a Markdown table (time, ratio dlcourse/PyTorch, speed-up of Numba over NumPy), the start-up
numbers (import time, kernels compiled cold and loaded warm), and writes results.json and
results.png next to this file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from workloads import WORKLOADS  # noqa: E402


def time_workload(make, repeat: int) -> float | None:
    """Median seconds of `repeat` fresh runs of make()(), after one warm-up run; None if unavailable."""
    try:
        make()()  # warm-up: compile kernels, fill caches, first-touch memory
    except ImportError as error:
        print(f"    skipped ({error})", flush=True)
        return None
    times = []
    for _ in range(repeat):
        run = make()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup_numbers() -> dict:
    """`import dlcourse` time, compiling every kernel with an empty cache, and loading them from it."""
    code_import = "import time; t = time.perf_counter(); import dlcourse; print(time.perf_counter() - t)"
    code_warm = (
        "import time; t = time.perf_counter(); import dlcourse.kernels as k; "
        "k.warmup(verbose=False); print(time.perf_counter() - t)"
    )
    env = dict(os.environ)
    results = {}
    imports = [float(subprocess.check_output([sys.executable, "-c", code_import], env=env)) for _ in range(3)]
    results["import dlcourse (s)"] = min(imports)
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache  # an empty cache: everything compiles
        results["all kernels, cold cache (s)"] = float(
            subprocess.check_output([sys.executable, "-c", code_warm], env=env)
        )
        results["all kernels, warm cache (s)"] = float(
            subprocess.check_output([sys.executable, "-c", code_warm], env=env)
        )
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="workload ids to run, e.g. W1 W3")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-numpy", action="store_true", help="skip dlcourse's NumPy backend")
    parser.add_argument("--no-startup", action="store_true", help="skip import/compile timings")
    args = parser.parse_args(argv)

    import dlcourse as dl

    rows = []
    for name, (make_dl, make_peer) in WORKLOADS.items():
        if args.only and name.split()[0] not in args.only:
            continue
        print(f"{name} ...", flush=True)
        dl.set_backend("numba")
        t_numba = time_workload(make_dl, args.repeat)
        t_numpy = None
        if not args.no_numpy:
            dl.set_backend("numpy")
            t_numpy = time_workload(make_dl, 1 if name.startswith("W5") else args.repeat)
            dl.set_backend("numba")
        t_peer = time_workload(make_peer, args.repeat)
        rows.append({"workload": name, "dlcourse": t_numba, "dlcourse_numpy": t_numpy, "peer": t_peer})

    peer_name = "micrograd 0.1.0 (W6) / PyTorch"
    print()
    print(f"| workload | dlcourse (numba) s | dlcourse (numpy) s | {peer_name} s | ratio | numba speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["dlcourse"] / r["peer"] if r["dlcourse"] and r["peer"] else None
        speedup = r["dlcourse_numpy"] / r["dlcourse"] if r["dlcourse"] and r["dlcourse_numpy"] else None
        r["ratio"], r["numba_speedup"] = ratio, speedup
        print(
            f"| {r['workload']} | {_fmt(r['dlcourse'])} | {_fmt(r['dlcourse_numpy'])} | {_fmt(r['peer'])} "
            f"| {_fmt(ratio, 2)} | {_fmt(speedup, 1)}× |"
        )

    startup = {} if args.no_startup else startup_numbers()
    for key, value in startup.items():
        print(f"{key}: {value:.3f}")

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    try:
        import torch

        machine += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        pass
    print(f"machine: {machine}")
    (HERE / "results.json").write_text(json.dumps({"machine": machine, "rows": rows, "startup": startup}, indent=2))
    _plot(rows, HERE / "results.png")
    return 0


def _fmt(value, digits=3):
    return "—" if value is None else f"{value:.{digits}f}"


def _plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if r.get("ratio")]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = [r["workload"] for r in rows]
    ax.barh(names, [r["ratio"] for r in rows], color="#0072B2")
    ax.axvline(1.0, color="#D55E00", linestyle="--", label="as fast as the peer")
    ax.set_xscale("log")
    ax.set_xlabel("time ratio dlcourse / peer (lower is better; W6 peer: micrograd, others: PyTorch CPU)")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    sys.exit(main())
