"""Check the built course website the way a reader meets it (`make book` ends with this).

    python docs/book/check.py build/book                 # every check, Chromium included
    python docs/book/check.py build/book --no-browser    # only the checks that read files

File checks: no page loads a script, style, font or image from another host; no line of a solution
or hidden test (nor a marker) is anywhere in the site; every internal link and anchor resolves; every
chapter page links Binder and the learner's notebook (which exists, without solutions) and shows a
recorded animation. Browser checks (headless Chromium via Playwright, pages served on 127.0.0.1): no
console error or failed request, every image and animation decodes (naturalWidth > 0), MathJax
typeset every formula and no raw `$…$` or `\\frac` is left in the text.
"""

from __future__ import annotations

import argparse
import functools
import html.parser
import http.server
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHAPTERS_DIR = ROOT / "instructor" / "chapters"
CHROMIUM = os.environ.get("DLCOURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
TEXT_FILES = {".html", ".js", ".txt", ".ipynb", ".json", ".md", ".css", ".inv"}
LOADING_TAGS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src", "audio": "src",
                "embed": "src", "object": "data", "link": "href"}  # fmt: skip
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


# ---------------------------------------------------------------------------------------------- reading pages
class Page(html.parser.HTMLParser):
    """One HTML file: its text lines, element ids, links and the resources it loads, and what the notebook
    cells' outputs show (`output_lines`, and `tracebacks`: error outputs, as myst-nb marks them)."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path, self.ids, self.links, self.resources = path, set(), [], []
        self._text, self._skip, self._output, self._divs, self.tracebacks = [], 0, [], [], 0
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":  # a stack of open divs, each marked True if it is a cell's output area
            classes = (attrs.get("class") or "").split()
            self._divs.append("cell_output" in classes)
            self.tracebacks += "traceback" in classes and "output" in classes
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs)
        if tag in LOADING_TAGS and attrs.get(LOADING_TAGS[tag]):
            if tag != "link" or attrs.get("rel", "") not in ("canonical", "alternate"):
                self.resources.append((tag, attrs[LOADING_TAGS[tag]]))
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.resources.append((tag, candidate.split()[0]))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "div" and self._divs:
            self._divs.pop()

    def handle_data(self, data):
        if not self._skip:
            self._text.append(data)
            if any(self._divs):
                self._output.append(data)

    @property
    def lines(self) -> set[str]:
        return {line.strip() for line in "".join(self._text).split("\n")}

    @property
    def output_lines(self) -> set[str]:
        """The text of the notebook cells' outputs (not their code: a chapter may catch NotImplementedError)."""
        return {line.strip() for line in "".join(self._output).split("\n")}


@functools.cache
def read_page(path: Path) -> Page:
    return Page(path)


def pages(site: Path) -> list[Path]:
    """The site's pages (the themes also copy Jinja macro files ending in .html into _static: not pages)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


# ---------------------------------------------------------------------------------------------- file checks
def external_assets(site: Path) -> list[str]:
    """Scripts, styles, fonts and images that would come from another host (the site must work offline)."""
    problems = []
    for path in pages(site):
        for tag, url in read_page(path).resources:
            if EXTERNAL.match(url):
                problems.append(f"{path.relative_to(site)}: <{tag}> loads {url}")
    for css in site.rglob("*.css"):
        for url in re.findall(r"(?:url\(\s*['\"]?|@import\s+['\"])((?:[a-z]+:)?//[^'\")\s]+)", css.read_text()):
            problems.append(f"{css.relative_to(site)}: loads {url}")
    return problems


def secret_lines(chapters_dir: Path = CHAPTERS_DIR) -> set[str]:
    """Lines that only solutions and hidden tests contain (stripped; lines without a letter or digit tell nothing).

    A line that also appears outside every solution — elsewhere in a chapter, or in the dlcourse package —
    gives nothing away (`return out`, `else:`).
    """
    import nbformat

    from dlcourse.exercises import markup

    secret, public = set(), set()
    for path in sorted(chapters_dir.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            lines = cell.source.split("\n")
            hidden = set()
            pairs = [(markup.BEGIN_HIDDEN, markup.END_HIDDEN)]
            if markup.is_solution(cell):
                pairs.append((markup.BEGIN_SOLUTION, markup.END_SOLUTION))
                if not markup.regions(cell.source, markup.BEGIN_SOLUTION, markup.END_SOLUTION):
                    hidden.update(range(len(lines)))  # a solution cell without markers is all answer
            for begin, end in pairs:
                for region in markup.regions(cell.source, begin, end):
                    hidden.update(range(region.begin + 1, region.end))
            for number, line in enumerate(lines):
                (secret if number in hidden else public).add(line.strip())
    # what the installed package says is no secret: a learner can read it (and chapters print it with inspect)
    for source in (ROOT / "dlcourse").rglob("*.py"):
        public.update(line.strip() for line in source.read_text(encoding="utf-8").split("\n"))
    return {line for line in secret - public if any(ch.isalnum() for ch in line)}


def leaks(site: Path, chapters_dir: Path = CHAPTERS_DIR) -> list[str]:
    """Every solution or hidden-test line found in any text file of the site, and markers on chapter pages."""
    secret, problems = secret_lines(chapters_dir), []
    for path in sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_FILES):
        where = path.relative_to(site)
        if path.suffix == ".html":
            found = read_page(path).lines & secret
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":  # sources are a string or a list of lines
                sources = [cell.get("source", "") for cell in json.loads(text)["cells"]]
                text = "\n".join(source if isinstance(source, str) else "".join(source) for source in sources)
            found = {line.strip() for line in text.split("\n")} & secret
        problems += [f"{where}: solution/hidden-test line {line!r}" for line in sorted(found)]
        if where.parts[0] in ("chapters", "_downloads") or path.suffix == ".ipynb":
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{where}: marker {marker!r}" for marker in MARKERS if marker in text]
    return problems


def broken_links(site: Path) -> list[str]:
    """Internal links (and images) that point at no file, or at an anchor the target page lacks."""
    problems = []
    for path in pages(site):
        page = read_page(path)
        targets = [a["href"] for a in page.links] + [url for tag, url in page.resources if tag == "img"]
        for href in targets:
            if EXTERNAL.match(href) or href.startswith(("mailto:", "javascript:", "data:")):
                continue
            parts = urlsplit(href)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                problems.append(f"{path.relative_to(site)}: link {href!r} leads nowhere")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in read_page(target).ids:
                problems.append(f"{path.relative_to(site)}: link {href!r}: no anchor #{parts.fragment} there")
    return problems


def chapter_pages(site: Path) -> list[Path]:
    return sorted((site / "chapters").glob("[0-9][0-9]_*.html"))


def chapter_links(site: Path) -> list[str]:
    """Every chapter page: a Binder launch link, the learner's notebook to download, a recorded animation,
    and no error output (an exercise stub shows as code, not as a red NotImplementedError)."""
    problems = []
    chapters = chapter_pages(site)
    if not chapters:
        problems.append("no chapter pages under chapters/")
    for path in chapters:
        name, page, where = path.stem, read_page(path), path.relative_to(site)
        hrefs = [a["href"] for a in page.links]
        if not any("mybinder.org/v2/gh/" in h and f"notebooks/{name}.ipynb" in h for h in hrefs):
            problems.append(f"{where}: no 'launch on Binder' link to notebooks/{name}.ipynb")
        downloads = [a["href"] for a in page.links if "download" in a and a["href"].endswith(f"/{name}.ipynb")]
        if not downloads:
            problems.append(f"{where}: no download link of {name}.ipynb")
        for href in downloads:
            notebook = (path.parent / unquote(href)).resolve()
            if not notebook.is_file():
                problems.append(f"{where}: the download {href} is missing")
            elif json.loads(notebook.read_text())["nbformat"] != 4:
                problems.append(f"{where}: the download {href} is not a Jupyter notebook")
        if not any(tag == "img" and url.endswith(".webp") for tag, url in page.resources):
            problems.append(f"{where}: shows no recorded animation of its apps")
        shown = "\n".join(page.output_lines)
        if page.tracebacks or "Traceback (most recent call last)" in shown or "NotImplementedError" in shown:
            problems.append(f"{where}: shows an error output (a cell raised when the chapter ran)")
    return problems


def file_checks(site: Path) -> list[str]:
    return external_assets(site) + leaks(site) + broken_links(site) + chapter_links(site)


# ---------------------------------------------------------------------------------------------- browser checks
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser closed a page while an animation was still downloading: nothing to report
        super().handle_error(request, client_address)


class serve:
    """`with serve(site) as base:` the site over HTTP on 127.0.0.1 (a free port), for the browser."""

    def __init__(self, site: Path):
        handler = functools.partial(_QuietHandler, directory=str(site))
        self.server = _Server(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# In the page: wait for every image (lazy ones too) and for MathJax, then report what a reader would see wrong.
_INSPECT = """async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done); img.addEventListener("error", done); setTimeout(done, 10000); })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const broken = images.filter(img => !(img.naturalWidth > 0)).map(img => img.getAttribute("src"));
  const formulas = document.querySelectorAll(".math").length;
  const typeset = document.querySelectorAll("mjx-container").length;
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const inCode = node => node.parentElement.closest("pre, code, script, style, textarea, mjx-container, .highlight");
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (inCode(node)) continue;
    if (/\\$[^$\\s][^$]*\\$/.test(text) || /\\\\(frac|sum|theta|partial|nabla|sqrt|mathbf)\\b/.test(text)
        || /\\\\\\(|\\\\\\[/.test(text)) {
      raw.push(text.trim().slice(0, 80));
    }
  }
  return {broken, formulas, typeset, raw, images: images.length};
}"""


def browser_problems(site: Path, chromium: str = CHROMIUM, log=print, parallel: int = 3) -> tuple[list[str], dict]:
    """Open every page in headless Chromium: what a reader would see broken (one line per problem), and
    what was looked at ({"pages", "images", "formulas"} counts, and per page the same as "by_page").

    `parallel` pages are open at once (each in its own renderer process): a page spends much of its time
    waiting for its images and MathJax's fonts, so the site is checked in about half the time.
    """
    import asyncio

    return asyncio.run(_browser_problems(site, chromium, log, parallel))


async def _browser_problems(site: Path, chromium: str, log, parallel: int) -> tuple[list[str], dict]:
    import asyncio

    from playwright.async_api import async_playwright

    problems, seen = [], {"pages": 0, "images": 0, "formulas": 0, "by_page": {}}
    with serve(site) as base:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            slots = asyncio.Semaphore(parallel)

            async def inspect(where: str) -> tuple[list[str], dict]:
                async with slots:
                    page = await browser.new_page()
                    errors = []
                    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error"
                            else None)  # fmt: skip
                    page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
                    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} ({r.failure})"))
                    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400
                            else None)  # fmt: skip
                    try:
                        await page.goto(urljoin(base, where), wait_until="load")
                        found = await page.evaluate(_INSPECT)
                    finally:
                        await page.close()
                    return errors, found

            names = [str(path.relative_to(site)) for path in pages(site)]
            try:
                outcomes = await asyncio.gather(*(inspect(where) for where in names))
            finally:
                await browser.close()
    for where, (errors, found) in zip(names, outcomes):
        problems += [f"{where}: {error}" for error in errors]
        problems += [f"{where}: image does not load: {src}" for src in found["broken"]]
        if found["typeset"] < found["formulas"]:
            problems.append(f"{where}: {found['formulas']} formulas, only {found['typeset']} typeset by MathJax")
        problems += [f"{where}: untypeset math in the text: {text!r}" for text in found["raw"]]
        seen["pages"] += 1
        seen["images"] += found["images"]
        seen["formulas"] += found["formulas"]
        seen["by_page"][where] = {"images": found["images"], "formulas": found["formulas"]}
    log(f"browser: {seen['pages']} pages, {seen['images']} images, {seen['formulas']} formulas checked")
    return problems, seen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, nargs="?", default=ROOT / "build" / "book")
    parser.add_argument("--no-browser", action="store_true", help="only the checks that read files")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"the browser (default {CHROMIUM})")
    parser.add_argument("--parallel", type=int, default=3, help="pages open at once in the browser (default 3)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"book-check: no site at {args.site} (run make book)", file=sys.stderr)
        return 1
    start = time.perf_counter()
    problems = file_checks(args.site)
    print(f"files: {len(pages(args.site))} pages read; links, leaks, assets and chapter links checked "
          f"[{time.perf_counter() - start:.1f} s]")  # fmt: skip
    if not args.no_browser:
        if Path(args.chromium).exists():
            start = time.perf_counter()
            problems += browser_problems(args.site, args.chromium, parallel=args.parallel)[0]
            print(f"[browser checks: {time.perf_counter() - start:.1f} s]")
        else:
            hint = "set DLCOURSE_CHROMIUM, or pass --no-browser (make book BOOK_CHECK_ARGS=--no-browser)"
            print(
                f"book-check: no browser at {args.chromium} ({hint}): the browser checks did not run", file=sys.stderr
            )
            return 1
    for problem in problems:
        print(f"  ✗ {problem}")
    print(f"book-check: {len(problems)} problem(s)" if problems else "book-check: the site is fine")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
