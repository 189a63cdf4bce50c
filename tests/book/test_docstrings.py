"""The book's docstring extension: dlcourse's Markdown-flavoured docstrings become reStructuredText that
means what the text says (no stray italics, references or warnings)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("docstrings", REPO / "docs" / "book" / "site" / "_ext" / "docstrings.py")
docstrings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docstrings)


def test_backticked_code_becomes_inline_literal_even_next_to_letters():
    assert docstrings.inline("scalar `Value`s") == "scalar ``Value``\\ s"
    assert docstrings.inline("call ``fit`` twice") == "call ``fit`` twice"


def test_formula_characters_are_escaped_not_interpreted():
    assert docstrings.inline("z = x*y;  dz/dx = y") == "z = x\\*y;  dz/dx = y"
    assert docstrings.inline("h_t and grad_ |x|") == "h_t and grad\\_ \\|x\\|"
    assert docstrings.inline("a\\b") == "a\\\\b"


def test_indented_blocks_become_literal_blocks_with_blank_lines_around():
    lines = ["Looking inside:", "    rnn.last_hidden_states   h_1..h_T", "    lstm.last_gates", "Then text."]
    assert docstrings.to_rst(lines) == [
        "Looking inside:",
        "",
        "::",
        "",
        "    rnn.last_hidden_states   h_1..h_T",
        "    lstm.last_gates",
        "",
        "Then text.",
    ]


def test_a_list_gets_the_blank_line_it_needs():
    assert docstrings.to_rst(["What it does:", "- one", "- two"]) == ["What it does:", "", "- one", "- two"]
