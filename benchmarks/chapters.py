"""What each chapter costs when it runs top to bottom headless: cell time, kernel CPU time, peak memory.

    python benchmarks/chapters.py              # all 12 instructor chapters, one fresh kernel each
    python benchmarks/chapters.py --chapters 05 09

Runs the instructor's chapters (solutions filled in, as CI's nbval does) in a fresh Jupyter kernel each,
with the settings of `make test` (Agg backend, one BLAS thread), and reports the summed cell time, the
kernel process's CPU time (user + system, what a shared machine pays) and its peak resident memory
(VmHWM: what a learner's kernel holds on a JupyterHub machine). The budget (issue 18): all chapters ≤ 60 s of cell
time, none over 10 s, none over 250 MiB.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "instructor" / "chapters"
BUDGET = {"total cell time (s)": 60.0, "cell time (s)": 10.0, "peak RSS (MiB)": 250.0}


def _proc_numbers(pid: int) -> tuple[float, float]:
    """(CPU seconds user + system, peak RSS in MiB) of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return cpu, peak_kib / 1024


def measure(path: Path) -> dict:
    """Run one chapter in a fresh kernel; its cell time, kernel CPU time and peak memory."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    cell_time = 0.0
    with client.setup_kernel():
        pid = client.km.provisioner.pid
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            start = time.perf_counter()
            client.execute_cell(cell, index)
            cell_time += time.perf_counter() - start
        cpu, peak = _proc_numbers(pid)
    return {"cell time (s)": cell_time, "kernel CPU (s)": cpu, "peak RSS (MiB)": peak}


def measure_all(chapters: list[str] | None = None) -> dict[str, dict]:
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    paths = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))
    if chapters:
        paths = [p for p in paths if p.name[:2] in chapters]
    results = {}
    for path in paths:
        print(f"{path.stem} ...", flush=True)
        results[path.stem] = measure(path)
    return results


def print_results(results: dict[str, dict]) -> None:
    print("\n| chapter | cell time s | kernel CPU s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for name, r in results.items():
        over = [key for key in ("cell time (s)", "peak RSS (MiB)") if r[key] > BUDGET[key]]
        mark = " ⚠ over " + ", ".join(k.split(" (")[0] for k in over) if over else ""
        numbers = f"{r['cell time (s)']:.1f} | {r['kernel CPU (s)']:.1f} | {r['peak RSS (MiB)']:.0f}"
        print(f"| {name} | {numbers} |{mark}")
    total = sum(r["cell time (s)"] for r in results.values())
    print(f"all chapters: {total:.1f} s of cell time (budget {BUDGET['total cell time (s)']:.0f} s)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapters", nargs="*", help="two-digit chapter numbers (default: all)")
    args = parser.parse_args(argv)
    print_results(measure_all(args.chapters))
    return 0


if __name__ == "__main__":
    sys.exit(main())
