"""The benchmark harness (benchmarks/): timings alternate between the two sides, chapter numbers are measured."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import chapters  # noqa: E402
import run  # noqa: E402


def test_workloads_alternate_so_a_drifting_machine_hits_both_sides(monkeypatch):
    order = []

    def maker(name):
        def make():
            return lambda: order.append(name)

        return make

    def missing():
        raise ImportError("no torch here")

    times = run.time_workloads([maker("dlcourse"), maker("torch"), missing], repeat=3)
    assert order == ["dlcourse", "torch"] + ["dlcourse", "torch"] * 3  # warm-ups, then alternating runs
    assert times[0] is not None and times[1] is not None and times[2] is None


def test_chapter_numbers_come_from_the_kernel_process(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# a chapter"),
        nbformat.v4.new_code_cell("import numpy as np\nblock = np.ones(40 * 2**20 // 8)  # 40 MiB, touched"),
        nbformat.v4.new_code_cell(
            "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
        ),
    ]
    path = tmp_path / "99_test.ipynb"
    nbformat.write(nb, path)
    numbers = chapters.measure(path)
    assert numbers["cell time (s)"] >= 0.5
    assert numbers["kernel CPU (s)"] >= 0.5  # the busy loop ran in the kernel, not in this process
    assert numbers["peak RSS (MiB)"] >= 40 + 20  # the array plus an interpreter with NumPy
