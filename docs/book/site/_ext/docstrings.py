"""Sphinx extension: the library's docstrings, written for people reading code, shown faithfully.

dlcourse's docstrings are plain text with Markdown habits: `code` in single backticks, indented
examples, formulas with * and _ (`z = x * y`, `h_t`). Read as reStructuredText they would turn into
italics, broken references and warnings. This turns them into reStructuredText that means what the
text says: backticked spans become inline code, an indented block becomes a literal (code) block,
and the characters reStructuredText would otherwise interpret are escaped.
"""

import re

_CODE = re.compile(r"(`+)(.+?)\1")  # `code` or ``code``
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)]|#\.)\s")


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*|])", r"\\\1", text)
    text = re.sub(r"(?<=\w)_(?=\W|$)", r"\\_", text)  # name_ would be a hyperlink reference
    text = re.sub(r"^(\.\.|[-=~^\"'`#:+]{3,}\s*$)", r"\\\1", text)  # a comment, or a section underline
    return text


def inline(line: str) -> str:
    """One line of text: code spans → ``literal``, everything else escaped."""
    out, last = [], 0
    for match in _CODE.finditer(line):
        out.append(_escape(line[last : match.start()]))
        code = match.group(2).strip()
        # an inline literal must touch whitespace or punctuation: "\ " is an invisible separator (`Value`s)
        before = "\\ " if match.start() > 0 and line[match.start() - 1].isalnum() else ""
        after = "\\ " if match.end() < len(line) and line[match.end()].isalnum() else ""
        out.append(f"{before}``{code}``{after}" if code else _escape(match.group(0)))
        last = match.end()
    out.append(_escape(line[last:]))
    result = "".join(out)
    # a list marker at the start stays a marker (its escaped form would show the backslash's effect only)
    return re.sub(r"^(\s*)\\\*(\s)", r"\1*\2", result)


def to_rst(lines: list[str]) -> list[str]:
    """Docstring lines (already dedented by autodoc) → reStructuredText lines."""
    out, literal = [], False
    for line in lines:
        if line.strip() and line[0] in " \t":  # indented: an example or a table → a literal block
            if not literal:
                if out and out[-1].strip():
                    out.append("")
                out += ["::", ""]
                literal = True
            out.append(line)
            continue
        if not line.strip():
            out.append("")
            continue
        if literal:
            if out and out[-1].strip():
                out.append("")
            literal = False
        if _LIST_ITEM.match(line) and out and out[-1].strip() and not _LIST_ITEM.match(out[-1]):
            out.append("")  # a list needs a blank line before it
        out.append(inline(line))
    return out


def _process(app, what, name, obj, options, lines):
    lines[:] = to_rst(list(lines))


def setup(app):
    app.connect("autodoc-process-docstring", _process)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
