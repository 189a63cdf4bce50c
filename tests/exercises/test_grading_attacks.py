"""Submissions written to game the grader, graded the way an instructor would (`dlcourse grade`, sandboxed):
every attack scores 0, the instructor's chapters, the other submissions and the reports stay byte-identical,
nothing the submissions started outlives the grader, and each one finishes within its time budget."""

import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from exercise_helpers import DEMO, DEMO_CHECKS, read, write

from dlcourse.exercises import spec
from dlcourse.exercises.release import release_notebook
from dlcourse.exercises.sandbox import sandbox_problem

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}"),
]

MARKER = "dlcourse-attack-marker"
ANSWERS = "# in every answer cell\n"  # an attack starting with this line replaces each answer cell  # in the command line of every process an attack starts


def attacks(source: Path, victim: Path, report: Path, port: int) -> dict[str, str | tuple[str, ...]]:
    """name → the code of the cell(s) added to an untouched learner copy (the attacker knows every path)."""
    answers_from_source = f"""
import json, re
nb = json.load(open({str(source / DEMO.name)!r}))
code = "\\n".join("".join(c["source"]) for c in nb["cells"] if c.get("metadata", {{}}).get("nbgrader", {{}}).get("solution"))
exec(re.sub(r".*(BEGIN|END) SOLUTION.*\\n", "", code), globals())
"""
    return {
        # these two replace every answer cell (so the stolen solutions are defined where the tests expect them)
        "read_the_instructors_chapter": ANSWERS + answers_from_source,
        "read_the_graders_command_line": ANSWERS
        + """
import glob, json, re
for path in glob.glob("/proc/*/cmdline"):
    text = open(path, "rb").read().replace(b"\\0", b" ").decode(errors="replace")
    if "--source" in text or "grade" in text:
        found = re.search(r"--source (\\S+)", text)
        if found:
            nb = json.load(open(found.group(1) + "/99_demo.ipynb"))
            code = "\\n".join("".join(c["source"]) for c in nb["cells"] if "SOLUTION" in "".join(c["source"]))
            exec(re.sub(r".*(BEGIN|END) SOLUTION.*\\n", "", code), globals())
""",
        "rewrite_another_submission": f"""
import json
nb = json.load(open({str(victim)!r}))
nb["cells"].append({{"cell_type": "code", "metadata": {{}}, "outputs": [], "execution_count": None, "source": "x = 1"}})
json.dump(nb, open({str(victim)!r}, "w"))
""",
        "rewrite_the_instructors_chapter": f"open({str(source / DEMO.name)!r}, 'a').write(' ')",
        "daemon_rewrites_the_report": f"""
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        sys.argv = ["{MARKER}"]
        try:
            import setproctitle
        except ImportError:
            pass
        for _ in range(40):
            time.sleep(0.25)
            try:
                open({str(report / "grades_wide.csv")!r}, "w").write("student,total\\nme,99\\n")
            except OSError:
                pass
        os._exit(0)
    os._exit(0)
""",
        "sleeping_children": f"""
import subprocess
for _ in range(20):
    subprocess.Popen(["sleep", "300", "{MARKER}"])
""",
        "network": f"""
import socket
import subprocess
import sys
socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"secret answers please")
""",
        "twenty_gigabytes": "import numpy as np\nhog = np.ones(20 * 2**30 // 8)",
        "fifty_megabytes_of_output": "print('x' * 50_000_000)\nraise ValueError('y' * 50_000_000)",
        "input_transformer": (
            "get_ipython().input_transformers_cleanup.append("
            "lambda lines: ['pass\\n'] if any('probe' in l or 'check(' in l for l in lines) else lines)"
        ),
        "monkeypatched_everything": """
import numpy, builtins
numpy.allclose = numpy.isclose = lambda *a, **k: True
import dlcourse.exercises as ex
ex.check = lambda *a, **k: print("✓ passed")
""",
        "hang_only_when_replayed": (  # fine the first time; after the next cell kills the kernel, a replay hangs
            "import os, time\nif os.path.exists('ran-once'):\n    while True:\n        time.sleep(1)\n"
            "open('ran-once', 'w').write('x')",
            "import os\nos._exit(1)",
        ),
        "kill_the_kernel": "import os\nos._exit(1)",
    }


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def attack_processes() -> list[str]:
    found = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = path.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if MARKER in text and "pytest" not in text:
            found.append(f"{path.parent.name}: {text[:100]}")
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    source = root / "instructor" / "chapters"
    source.mkdir(parents=True)
    (source / DEMO.name).write_bytes(DEMO.read_bytes())
    learner = release_notebook(read(DEMO), spec.load_chapter(DEMO_CHECKS / "ch99.py"))
    victim = write(learner, root / "submitted" / "victim" / "ps1" / DEMO.name)
    report = root / "report"

    received = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)

    def listen():
        while not stop.is_set():
            try:
                received.append(server.accept()[0].recv(100))
            except OSError:
                pass

    stop = threading.Event()
    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    names = []
    for name, code in attacks(source, victim, report, server.getsockname()[1]).items():
        nb = read(victim)
        if isinstance(code, str) and code.startswith(ANSWERS):
            for cell in nb.cells:
                if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                    cell.source = code
        else:
            for offset, cell in enumerate((code,) if isinstance(code, str) else code):
                nb.cells.insert(1 + offset, nbformat.v4.new_code_cell(cell))
        write(nb, root / "submitted" / name / "ps1" / DEMO.name)
        names.append(name)
    before = {"source": tree_digest(source), "victim": tree_digest(victim.parent)}
    started = time.monotonic()
    # the real command, in its own process: its command line names --source, as an instructor's would
    command = [sys.executable, "-m", "dlcourse", "grade", str(root / "submitted"), "--out", str(report), "--source",
               str(source), "--checks", str(DEMO_CHECKS), "--timeout", "10", "--submission-timeout", "120", "-j", "2"]  # fmt: skip
    status = subprocess.run(command, capture_output=True, text=True, timeout=900).returncode
    seconds = time.monotonic() - started
    reports_right_after = tree_digest(report)
    time.sleep(6)  # the daemon attack would strike within 10 s of starting
    stop.set()
    listener.join()
    server.close()
    results = {s["student"]: s for s in json.loads((report / "report.json").read_text())["submissions"]}
    return {
        "status": status, "results": results, "names": names, "received": received, "seconds": seconds,
        "before": before, "after": {"source": tree_digest(source), "victim": tree_digest(victim.parent)},
        "reports": (reports_right_after, tree_digest(report)), "processes": attack_processes(),
    }  # fmt: skip


def test_the_batch_completes_and_reports_the_sandbox(graded):
    assert graded["status"] == 0
    assert set(graded["results"]) == {"victim", *graded["names"]}
    assert all(r["sandbox"] == "bubblewrap" for r in graded["results"].values())


@pytest.mark.parametrize("name", list(attacks(Path("/x"), Path("/x"), Path("/x"), 1)))
def test_every_attack_scores_zero_within_its_budget(graded, name):
    result = graded["results"][name]
    assert result["score"] == 0, [(e["grade_id"], e["message"]) for e in result["exercises"]]
    assert result["status"] != "unreadable"
    assert result["seconds"] < 120 + 30, "the submission outlived its time budget"


def test_nothing_outside_a_submissions_sandbox_changed(graded):
    assert graded["after"]["source"] == graded["before"]["source"], "the instructor's chapter was modified"
    assert graded["after"]["victim"] == graded["before"]["victim"], "another submission was modified"
    right_after, later = graded["reports"]
    assert later == right_after, "the report changed after the grader finished"
    assert graded["results"]["victim"]["score"] == 0


def test_no_process_outlives_the_grader_and_nothing_got_out(graded):
    assert graded["processes"] == []
    assert graded["received"] == [], "a submission reached the grader's network"


def test_resource_attacks_are_contained(graded):
    hog = graded["results"]["twenty_gigabytes"]
    assert hog["status"] in ("graded", "tampered")
    loud = graded["results"]["fifty_megabytes_of_output"]
    assert len(json.dumps(loud)) < 100_000
    replay = graded["results"]["hang_only_when_replayed"]
    assert replay["seconds"] < 60


def test_the_stealing_attacks_really_work_without_the_sandbox(tmp_path):
    """The control: graded --unsandboxed, the two attacks that read the instructor's chapter get full marks —
    so the zeros above come from the sandbox, not from attack code that never worked."""
    source = tmp_path / "instructor" / "chapters"
    source.mkdir(parents=True)
    (source / DEMO.name).write_bytes(DEMO.read_bytes())
    learner = release_notebook(read(DEMO), spec.load_chapter(DEMO_CHECKS / "ch99.py"))
    codes = attacks(source, tmp_path / "victim.ipynb", tmp_path / "report", 1)
    for name in ("read_the_instructors_chapter", "read_the_graders_command_line"):
        nb = nbformat.from_dict(json.loads(json.dumps(learner)))
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                cell.source = codes[name]
        write(nb, tmp_path / "submitted" / name / "ps1" / DEMO.name)
    command = [sys.executable, "-m", "dlcourse", "grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "r"),
               "--source", str(source), "--checks", str(DEMO_CHECKS), "--unsandboxed", "--timeout", "20"]  # fmt: skip
    assert subprocess.run(command, capture_output=True, timeout=600).returncode == 0
    scores = {s["student"]: s["score"] for s in json.loads((tmp_path / "r" / "report.json").read_text())["submissions"]}
    assert scores == {"read_the_instructors_chapter": 5, "read_the_graders_command_line": 5}
