"""The `dlcourse` command line: help everywhere, one-line errors with exit code 2, list, warmup."""

import os
import subprocess
import sys
import types

import pytest
from exercise_helpers import FIXTURES, REPO

from dlcourse.cli import main


def run_module(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "dlcourse", *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize(
    "command", [[], ["release"], ["grade"], ["list"], ["warmup"], ["record-checks"], ["autograder"]]
)
def test_help_works_for_every_command(command):
    done = run_module(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: dlcourse")


def test_errors_are_one_line_without_traceback(tmp_path):
    done = run_module("grade", str(tmp_path / "missing"), "--source", str(FIXTURES), "--out", str(tmp_path / "r"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert "no such file or folder" in done.stderr


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda t: ["grade", str(t / "empty"), "--source", str(FIXTURES), "--out", str(t / "r")], "no submissions"),
        (
            lambda t: ["grade", str(t / "g.ipynb"), "--source", str(t / "nowhere"), "--out", str(t / "r")],
            "not a directory",
        ),
        (
            lambda t: ["grade", str(t / "g.ipynb"), "--source", str(FIXTURES), "--out", str(t / "r"), "-j", "0"],
            "at least 1",
        ),
        (
            lambda t: ["grade", str(t / "g.ipynb"), "--source", str(FIXTURES), "--out", str(t / "r"), "--timeout", "0"],
            "positive",
        ),
        (lambda t: ["list", "--source", str(t / "nowhere")], "not a directory"),
        (lambda t: ["release", str(t / "nowhere"), str(t / "out")], "no such directory"),
        (lambda t: ["release", str(t / "notes.txt"), str(t / "out")], "not a notebook"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys, make_args, message):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "garbage.ipynb").write_text("{ this is not json")
    (tmp_path / "empty").mkdir()
    assert main(make_args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "release" in capsys.readouterr().out


def test_list_shows_exercises_points_and_totals(capsys):
    assert main(["list", "--source", str(FIXTURES)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "99_demo  (3 exercises, 5 points)"
    assert lines[1].split() == ["99_clipped_relu_test", "2"]
    assert lines[-1].startswith("1 chapter, 3 exercises, 5 points")


def test_warmup_calls_the_kernels_warmup_or_says_nothing_to_do(monkeypatch, capsys):
    calls = []
    monkeypatch.setitem(sys.modules, "dlcourse.kernels", types.SimpleNamespace(warmup=lambda jobs: calls.append(jobs)))
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert main(["warmup"]) == 0 and calls == [2]  # compiles in 2 processes by default, even with more cores
    assert main(["warmup", "--jobs", "1"]) == 0 and calls == [2, 1]
    monkeypatch.setitem(sys.modules, "dlcourse.kernels", types.SimpleNamespace())
    assert main(["warmup"]) == 0
    assert "nothing to warm up" in capsys.readouterr().out
