"""Run the course's workloads for dlcourse (Numba and NumPy backends) and PyTorch CPU in one process.

    python benchmarks/run.py                  # everything, median of 3 after a warm-up
    python benchmarks/run.py --only W1 W5 --repeat 5

Prints a Markdown table (time, ratio dlcourse/PyTorch, speed-up of Numba over NumPy), the start-up
numbers (import time, kernels compiled cold — in one process and as `dlcourse warmup` does — and loaded
warm, a fresh kernel's first compiled call), every chapter's cell time and peak memory (chapters.py, ~1 min),
grading throughput (grading.py; --no-grading skips its ~8 minutes), and writes results.json and
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


def time_workloads(makers, repeat: int) -> list[float | None]:
    """Median seconds of `repeat` fresh runs of each make()(), after one warm-up run each; None if unavailable.

    The runs alternate (dlcourse, peer, dlcourse, peer, …) so that a machine that slows down or speeds up
    during the benchmark affects both sides alike: the ratio is what we report.
    """
    available = []
    for make in makers:
        try:
            make()()  # warm-up: compile kernels, fill caches, first-touch memory
            available.append(make)
        except ImportError as error:
            print(f"    skipped ({error})", flush=True)
            available.append(None)
    times = [[] for _ in makers]
    for _ in range(repeat):
        for make, runs in zip(available, times):
            if make is not None:
                run = make()
                start = time.perf_counter()
                run()
                runs.append(time.perf_counter() - start)
    return [statistics.median(runs) if runs else None for runs in times]


def startup_numbers() -> dict:
    """`import dlcourse`; every kernel compiled into an empty cache (one process, and `dlcourse warmup`'s
    parallel processes); every kernel loaded from the filled cache; a fresh kernel's first compiled call."""
    from first_call import probe

    code_import = "import time; t = time.perf_counter(); import dlcourse; print(time.perf_counter() - t)"
    code_warm = (
        "import time, sys; t = time.perf_counter(); import dlcourse.kernels as k; "
        "k.warmup(verbose=False, jobs=int(sys.argv[1])); print(time.perf_counter() - t)"
    )
    env = dict(os.environ)
    results = {}
    imports = [float(subprocess.check_output([sys.executable, "-c", code_import], env=env)) for _ in range(3)]
    results["import dlcourse (s)"] = min(imports)
    jobs = min(2, os.cpu_count() or 1)
    for label, workers in (("one process", 1), (f"{jobs} processes, as dlcourse warmup", jobs)):
        with tempfile.TemporaryDirectory() as cache:
            env["NUMBA_CACHE_DIR"] = cache  # an empty cache: everything compiles
            warm = [sys.executable, "-c", code_warm]
            results[f"all kernels, cold cache, {label} (s)"] = float(
                subprocess.check_output([*warm, str(workers)], env=env)
            )
            if workers == 1:
                results["all kernels, warm cache (s)"] = float(subprocess.check_output([*warm, "1"], env=env))
    # the first call loads from the cache a learner has (make lab fills it)
    subprocess.run([sys.executable, "-m", "dlcourse", "warmup"], check=True, capture_output=True)
    calls = sorted(probe(background=True, think=2.0)[1] for _ in range(3))
    results["first compiled call in a fresh kernel, warm cache, background import (s)"] = calls[1]
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="workload ids to run, e.g. W1 W3")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-numpy", action="store_true", help="skip dlcourse's NumPy backend")
    parser.add_argument("--no-startup", action="store_true", help="skip import/compile timings")
    parser.add_argument("--no-grading", action="store_true", help="skip grading throughput (benchmarks/grading.py)")
    parser.add_argument("--no-chapters", action="store_true", help="skip the chapters' time and memory (chapters.py)")
    args = parser.parse_args(argv)

    import dlcourse as dl

    rows = []
    for name, (make_dl, make_peer) in WORKLOADS.items():
        if args.only and name.split()[0] not in args.only:
            continue
        print(f"{name} ...", flush=True)
        dl.set_backend("numba")
        t_numba, t_peer = time_workloads([make_dl, make_peer], args.repeat)
        t_numpy = None
        if not args.no_numpy:
            dl.set_backend("numpy")
            (t_numpy,) = time_workloads([make_dl], 1 if name.startswith("W5") else args.repeat)
            dl.set_backend("numba")
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

    chapters = {}
    if not args.no_chapters:
        import chapters as chapter_bench

        chapters = chapter_bench.measure_all()
        chapter_bench.print_results(chapters)

    grading = {}
    if not args.no_grading:
        from grading import measure, print_results

        grading = measure()
        print_results(grading)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    try:
        import torch

        machine += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        pass
    print(f"machine: {machine}")
    results = {"machine": machine, "rows": rows, "startup": startup, "chapters": chapters, "grading": grading}
    (HERE / "results.json").write_text(json.dumps(results, indent=2))
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
