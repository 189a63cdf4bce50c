"""The course website, built for one chapter and read the way a reader meets it (`make book` does all twelve).

The fixture builds chapter 06 + the landing page + the instructors' guide with docs/book/build.py (the
executed chapter and its recording are cached in build/book-cache/, like `make book`), then the checks of
docs/book/check.py run on it — and each check is also shown to fail on a page made to break it.
Skips, with the reason, without the book's tools (`make book-tools`) or without Chromium.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "docs" / "book"
sys.path.insert(0, str(BOOK))

import build  # noqa: E402  (docs/book/build.py)
import check  # noqa: E402  (docs/book/check.py)

CHAPTER = "06_backprop"  # the quickest chapter to run (a few seconds), with an app and three exercises
CHROMIUM = os.environ.get("DLCOURSE_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser
missing = [name for name in ("sphinx", "myst_nb", "sphinx_book_theme") if importlib.util.find_spec(name) is None]
needs_tools = pytest.mark.skipif(
    bool(missing) or not (build.MATHJAX_DEFAULT / "tex-chtml.js").exists(),
    reason=f"the book's tools are not installed ({', '.join(missing) or 'MathJax'}): run `make book-tools`",
)
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or importlib.util.find_spec("playwright") is None,
    reason=f"needs Chromium at {CHROMIUM} and Playwright",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if missing or not (build.MATHJAX_DEFAULT / "tex-chtml.js").exists():
        pytest.skip("the book's tools are not installed: run `make book-tools`")
    root = tmp_path_factory.mktemp("book")
    cache = REPO / "build" / "book-cache"
    return build.build(root / "site", root / "work", cache, chapters=["06"], with_api=False, log=lambda *_: None)


def broken_copy(site: Path, tmp_path: Path, page: str, replace: str, by: str) -> Path:
    """A copy of the site in which `page` has every `replace` swapped for `by` (a check must then fail)."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    target = copy / page
    text = target.read_text(encoding="utf-8")
    assert replace in text, f"{page} has no {replace!r} to break"
    target.write_text(text.replace(replace, by), encoding="utf-8")
    check.read_page.cache_clear()
    return copy


@needs_tools
def test_the_site_has_the_landing_page_the_guide_and_the_chapter(site):
    assert check.pages(site) == sorted(
        site / p for p in ("index.html", "instructors.html", f"chapters/{CHAPTER}.html", "genindex.html", "search.html")
    )
    landing = check.read_page(site / "index.html")
    assert any(a["href"] == f"chapters/{CHAPTER}.html" for a in landing.links), "the chapter table links the page"
    assert any(url.endswith("landscape.webp") for _, url in landing.resources), "the README's pictures move"
    assert any("Writing your own exercises" in line for line in check.read_page(site / "instructors.html").lines)


@needs_tools
def test_exercises_show_the_learners_stub_and_no_solution_or_hidden_test(site, tmp_path):
    secret = check.secret_lines()
    chapter = check.read_page(site / "chapters" / f"{CHAPTER}.html")
    assert len(secret) > 50  # the chapters' solutions and hidden tests, minus lines seen elsewhere
    assert "raise NotImplementedError()" in chapter.lines and "# YOUR CODE HERE" in chapter.lines
    assert check.leaks(site) == []
    # the check finds a solution line wherever it is (a chapter's solution put back into a page)
    leaked = sorted(secret)[0]
    broken = broken_copy(site, tmp_path, "instructors.html", "</body>", f"<pre>{leaked}</pre></body>")
    assert check.leaks(broken) == [f"instructors.html: solution/hidden-test line {leaked!r}"]


@needs_tools
def test_the_chapter_page_links_binder_the_learners_notebook_and_shows_its_app_recorded(site, tmp_path):
    assert check.chapter_links(site) == []
    page = check.read_page(site / "chapters" / f"{CHAPTER}.html")
    (download,) = [a["href"] for a in page.links if "download" in a]
    served = json.loads((site / "chapters" / download).read_text())
    assert served == json.loads((REPO / "notebooks" / f"{CHAPTER}.ipynb").read_text()), "the learner's copy"
    broken = broken_copy(site, tmp_path, f"chapters/{CHAPTER}.html", "mybinder.org/v2/gh/", "example.org/")
    assert check.chapter_links(broken) == [
        f"chapters/{CHAPTER}.html: no 'launch on Binder' link to notebooks/{CHAPTER}.ipynb"
    ]
    # an error in a cell's output is reported; the same words in the code (a stub, `except NotImplementedError:`)
    # are not
    output = '<div class="cell_output docutils container">'
    for shown in ("<pre>NotImplementedError: </pre>", '<div class="output traceback"><pre>ValueError</pre></div>'):
        broken = broken_copy(site, tmp_path / str(len(shown)), f"chapters/{CHAPTER}.html", output, output + shown)
        assert check.chapter_links(broken) == [
            f"chapters/{CHAPTER}.html: shows an error output (a cell raised when the chapter ran)"
        ]
    code = '<div class="cell_input docutils container">'
    broken = broken_copy(site, tmp_path / "code", f"chapters/{CHAPTER}.html", code,
                         code + "<pre>except NotImplementedError:\n    pass</pre>")  # fmt: skip
    assert check.chapter_links(broken) == []


@needs_tools
def test_nothing_is_loaded_from_another_host_and_every_link_resolves(site, tmp_path):
    assert check.external_assets(site) == []
    assert check.broken_links(site) == []
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists(), "MathJax is served by the site itself"
    cdn = '<script src="https://cdn.example.org/mathjax.js"></script></head>'
    broken = broken_copy(site, tmp_path, "index.html", "</head>", cdn)
    assert check.external_assets(broken) == ["index.html: <script> loads https://cdn.example.org/mathjax.js"]
    assert check.broken_links(broken_copy(site, tmp_path / "b", "index.html", "</body>", '<a href="#nowhere">x</a>'))


@needs_tools
@needs_chromium
def test_every_page_reads_well_in_chromium(site, tmp_path):
    problems, seen = check.browser_problems(site, CHROMIUM, log=lambda *_: None)
    assert problems == []
    chapter = seen["by_page"][f"chapters/{CHAPTER}.html"]
    assert chapter["formulas"] > 20 and chapter["images"] >= 2  # MathJax typeset them all; the pictures loaded
    # a formula MathJax never sees, and an image that does not decode, are both reported
    broken = broken_copy(site, tmp_path, "instructors.html", "</body>",
                         '<p>raw $x^2$ and \\frac{1}{2}</p><img src="_static/missing.png"></body>')  # fmt: skip
    problems, _ = check.browser_problems(broken, CHROMIUM, log=lambda *_: None)
    assert any("untypeset math" in p and "$x^2$" in p for p in problems)
    assert any("image does not load: _static/missing.png" in p for p in problems)


def test_widget_views_give_way_to_their_picture_and_progress_bars_go():
    import nbformat

    view = {"model_id": "0", "version_major": 2, "version_minor": 0}
    app = {build.WIDGET_VIEW: view, "image/png": "iVBORw0KGgo=", "text/html": "<img>", "text/plain": "<App: x>"}
    bar = {build.WIDGET_VIEW: view, "text/plain": "  0%|          | 0/720 [00:00<?, ?step/s]"}
    cell = nbformat.v4.new_code_cell("fit(model, ...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in (app, bar)]
    cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="trained\n"))
    build._clean_outputs(cell)
    assert [sorted(o.get("data", {})) for o in cell.outputs] == [["image/png", "text/plain"], []]
    assert cell.outputs[1].text == "trained\n"
