"""Build the course as a static website (`make book`): Sphinx + myst-nb + sphinx-book-theme, offline.

    python docs/book/build.py                          # the whole book → build/book/
    python docs/book/build.py --chapters 06 --no-api   # one chapter + landing + instructors (the fast test)

What happens, in order:
1. Every instructor chapter (solutions in) runs top to bottom in a fresh kernel, and every scene of
   `scenes.py` records its app as an animation — two at a time, each result cached under
   build/book-cache/ by a hash of everything it depends on (the chapter, or the scene's own code in
   scenes.py; the package; the lock), so an unchanged chapter is not run again and an unchanged scene
   not recorded again.
2. Each chapter page is assembled from its executed notebook: every solution and test cell is
   replaced by its released (learner) version with no outputs, widget views give way to their PNG,
   the app's snapshot gives way to its recording, and a banner links Binder and the learner's notebook.
3. The landing page (from README.md), the instructors' guide and the API pages join them in a staging
   folder, MathJax (from npm, see Makefile) goes into _static, and Sphinx writes the site.

Each step prints its wall and CPU time (`[Sphinx: 15.1 s wall, 15.6 s CPU]`), each chapter and recording
too: on a shared machine wall time says little, CPU time is comparable between builds.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import scenes as scene_catalog  # noqa: E402  (docs/book/scenes.py, beside this file)

CHAPTERS_DIR = ROOT / "instructor" / "chapters"
LEARNER_DIR = ROOT / "notebooks"
SITE_TEMPLATE = HERE / "site"
MATHJAX_DEFAULT = ROOT / "build" / "book-npm" / "node_modules" / "mathjax" / "es5"
# MathJax files the site serves: the TeX→HTML bundle and what it loads on demand (fonts, extensions, menu)
MATHJAX_PARTS = ["tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre"]
# "dlcourse/dlcourse" is a placeholder GitHub org/repo, as in the README's Binder links: replace it with the real one.
BINDER_URL = "https://mybinder.org/v2/gh/dlcourse/dlcourse/HEAD?urlpath=lab/tree/notebooks/{name}.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children (workers, kernels, Sphinx)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class phase:
    """`with phase("Sphinx", log):` logs the phase's wall and CPU time (the machine may be busy: CPU is the
    fairer measure; wall time is what the reader of `make book` waits)."""

    def __init__(self, name: str, log):
        self.name, self.log = name, log

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.log(
                f"[{self.name}: {time.perf_counter() - self.wall:.1f} s wall, {cpu_seconds() - self.cpu:.1f} s CPU]"
            )


class BuildError(Exception):
    """The book cannot be built as asked (a chapter failed, an app has nowhere to go, Sphinx failed)."""


# ---------------------------------------------------------------------------------------------- caching
def _fingerprint(*paths: Path) -> str:
    """A hash of the files (folders: every file below them, caches skipped) and of the Python version."""
    digest = hashlib.sha256(sys.version.encode())
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.suffix in (".nbi", ".nbc", ".pyc"):
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _dependencies() -> list[Path]:
    """What every executed chapter and recording depends on besides its own source."""
    return [ROOT / "dlcourse", ROOT / "binder" / "requirements.txt"]


# ---------------------------------------------------------------------------------------------- step 1
def execute_chapter(source: Path, target: Path) -> tuple[float, float]:
    """Run the instructor chapter `source` top to bottom in a fresh kernel; write it with outputs to `target`.
    Returns (wall, CPU) seconds, the kernel's CPU included."""
    from nbclient import NotebookClient

    nb = nbformat.read(source, as_version=4)
    start, cpu = time.perf_counter(), cpu_seconds()
    client = NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(source.parent)}})  # fmt: skip
    client.execute()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    nbformat.write(nb, partial)
    partial.replace(target)  # only complete results land in the cache
    return time.perf_counter() - start, cpu_seconds() - cpu


def record_scene(name: str, target: Path) -> tuple[float, float]:
    """Record scene `name` (scenes.py) into `target`. Returns (wall, CPU) seconds."""
    start, cpu = time.perf_counter(), cpu_seconds()
    (scene,) = scene_catalog.scenes_for(names=[name])
    made = scene_catalog.record_scene(scene, target.parent / "partial")
    made.path.replace(target)
    return time.perf_counter() - start, cpu_seconds() - cpu


def run_jobs(chapters: list[Path], scenes: list, cache: Path, jobs: int, log) -> tuple[dict, dict]:
    """Executed chapters and recordings, from the cache or made now (`jobs` at a time)."""
    common = _fingerprint(*_dependencies())
    executed, recorded, todo = {}, {}, []
    for source in chapters:
        target = cache / "executed" / f"{source.stem}-{_fingerprint(source)}-{common}.ipynb"
        executed[source.stem] = target
        if not target.exists():
            todo.append((execute_chapter, source, target, f"executed {source.stem}"))
    for scene in scenes:
        key = hashlib.sha256(scene_catalog.recipe(scene).encode()).hexdigest()[:16]
        target = cache / "recorded" / f"{scene.name}-{key}-{common}.webp"
        recorded[scene.name] = target
        if not target.exists():
            todo.append((record_scene, scene.name, target, f"recorded {scene.name}"))
    log(f"{len(chapters)} chapters, {len(scenes)} recordings: {len(todo)} to make, the rest cached")
    if todo:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in make test: BLAS threads only fight here
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(fn, arg, target): what for fn, arg, target, what in todo}
            for future in concurrent.futures.as_completed(futures):
                try:
                    wall, cpu = future.result()
                except Exception as error:
                    pool.shutdown(cancel_futures=True)
                    raise BuildError(f"{futures[future].split()[-1]}: {type(error).__name__}: {error}") from error
                log(f"  {futures[future]} in {wall:.1f} s ({cpu:.1f} s CPU)")
    return executed, recorded


# ---------------------------------------------------------------------------------------------- step 2
def learner_version(path: Path):
    """The released notebook of the instructor chapter at `path` (solutions stubbed, hidden tests gone, the
    default learner's numbers), made by `dlcourse release`'s own code."""
    from dlcourse.exercises.release import chapter_spec_for, default_checks_dir, release_notebook

    chapter = chapter_spec_for(path, default_checks_dir(path.parent))
    return release_notebook(nbformat.read(path, as_version=4), chapter)


def _is_exercise_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def _clean_outputs(cell) -> None:
    """Widget views → their static picture (the book has no kernel); saved widget state is dropped, and so
    are widgets without a picture (training progress bars: their text is the bar at 0 %, as first shown)."""
    kept = []
    for output in cell.get("outputs", []):
        data = output.get("data")
        if data and WIDGET_VIEW in data:
            del data[WIDGET_VIEW]
            if "image/png" not in data:
                continue
            data.pop("text/html", None)  # ipympl's HTML is the same PNG wrapped in a "Figure" label
        kept.append(output)
    if "outputs" in cell:
        cell.outputs = kept


def _banner(name: str) -> str:
    launch = BINDER_URL.format(name=name)
    return (
        ":::{admonition} Run this chapter yourself\n"
        ":class: tip chapter-links\n\n"
        f"[▶ Launch this chapter live on Binder]({launch}) · "
        f"{{download}}`⬇ Download the notebook <learner/{name}.ipynb>` "
        "(the learner's copy: exercises to fill in, no outputs).\n\n"
        "Here the live apps are shown as animations, recorded from the apps' own code when this page was built, "
        "and each exercise shows what you start from.\n"
        ":::"
    )


def _recording_cell(scene, launch: str) -> nbformat.NotebookNode:
    text = (
        f":::{{figure}} anim/{scene.name}.webp\n"
        f":alt: {scene.caption}\n"
        ":figclass: recorded-app\n\n"
        f"**Recorded from the live app.** {scene.caption} "
        f"([Play with it yourself on Binder]({launch}).)\n"
        ":::"
    )
    return nbformat.v4.new_markdown_cell(text)


def _app_cell_index(cells, scene) -> int:
    """The code cell that shows the scene's app: its output names the class, else its source calls the factory."""
    if scene.near:
        for index, cell in enumerate(cells):
            if cell.cell_type == "code" and re.search(scene.near, cell.source):
                return index
        raise BuildError(f"scene {scene.name}: no code cell of the chapter matches {scene.near!r}")
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            plain = output.get("data", {}).get("text/plain", "")
            if plain.startswith(f"<{scene.app_class}:") or plain.startswith(f"<{scene.app_class} "):
                return index
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and re.search(rf"\b({scene.factory}|{scene.app_class})\(", cell.source):
            return index
    raise BuildError(f"scene {scene.name}: the chapter shows no {scene.app_class} (nor calls {scene.factory})")


def assemble_chapter(executed: Path, name: str, scenes: list) -> nbformat.NotebookNode:
    """The chapter page: executed outputs, the learner's exercise cells, recordings and the launch banner."""
    shown = nbformat.read(executed, as_version=4)
    released = learner_version(CHAPTERS_DIR / f"{name}.ipynb")
    if [c.get("id") for c in shown.cells] != [c.get("id") for c in released.cells]:
        raise BuildError(f"{name}: the executed and released notebooks have different cells")
    cells = []
    for ran, learner in zip(shown.cells, released.cells):
        if _is_exercise_cell(ran) or ran.source != learner.source:
            learner = nbformat.from_dict(dict(learner))
            if learner.cell_type == "code":
                learner.outputs, learner.execution_count = [], None
            cells.append(learner)  # the stub and instructions exactly as the learner gets them
        else:
            _clean_outputs(ran)
            cells.append(ran)
    launch = BINDER_URL.format(name=name)
    for scene in sorted(scenes, key=lambda s: -_app_cell_index(cells, s)):  # from the bottom: indices hold
        at = _app_cell_index(cells, scene)
        cells[at].outputs = [o for o in cells[at].outputs if "image/png" not in o.get("data", {})]
        cells.insert(at + 1, _recording_cell(scene, launch))
    title = next((c for c in cells if c.cell_type == "markdown" and c.source.startswith("# ")), None)
    if title is None:
        raise BuildError(f"{name}: no markdown cell starts with the chapter's '# ' title")
    heading, _, rest = title.source.partition("\n")
    title.source = f"{heading}\n\n{_banner(name)}\n\n{rest}"  # right under the title
    shown.cells = cells
    shown.metadata.pop("widgets", None)
    return shown


# ---------------------------------------------------------------------------------------------- step 3
def landing_page(readme: str, chapters: list[str], with_api: bool) -> str:
    """README.md as the site's front page: local links, chapter names linked to their pages, a toctree."""
    text = re.sub(r"<!--.*?-->\n?", "", readme, flags=re.S)
    text = "\n".join(line for line in text.split("\n") if "dlcourse.github.io" not in line)  # the book itself
    # the Binder badge is an image on another host: a plain link keeps the site offline
    text = re.sub(r"\[!\[[^\]]*\]\([^)]*\)\]\(([^)]+)\)", r"[▶ Launch the whole course on Binder](\1)", text)
    text = text.replace("](docs/img/", "](img/").replace("](docs/instructors.md)", "](instructors.md)")
    for name in chapters:
        text = text.replace(f"| `{name}` |", f"| [{name}](chapters/{name}.ipynb) |")
    reference = ["instructors"] + (["api/index"] if with_api else [])
    toc = [":::{toctree}", ":hidden:", ":caption: Chapters", ""] + [f"chapters/{n}" for n in chapters] + [":::", ""]
    toc += [":::{toctree}", ":hidden:", ":caption: Reference", ""] + reference + [":::", ""]
    return text.rstrip() + "\n\n" + "\n".join(toc)


def instructors_page(guide: str) -> str:
    """docs/instructors.md starts at '##' (it is also read on GitHub): its headings move up one level."""
    first = re.search(r"^(#+) ", guide, flags=re.M)
    if first and len(first.group(1)) > 1:
        shift = len(first.group(1)) - 1
        guide = re.sub(r"^(#+) ", lambda m: "#" * max(1, len(m.group(1)) - shift) + " ", guide, flags=re.M)
    return guide


def copy_mathjax(mathjax: Path, static: Path) -> None:
    if not (mathjax / "tex-chtml.js").exists():
        raise BuildError(f"MathJax is missing at {mathjax} (make book installs it from npm: package.json beside "
                         "this file)")  # fmt: skip
    for part in MATHJAX_PARTS:
        source, target = mathjax / part, static / "mathjax" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def stage(work: Path, executed: dict, recorded: dict, scenes: list, with_api: bool, mathjax: Path) -> Path:
    """Write the Sphinx source folder: template, landing page, guide, chapters, recordings, downloads."""
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(SITE_TEMPLATE, src, ignore=shutil.ignore_patterns("__pycache__"))
    if not with_api:
        shutil.rmtree(src / "api")
    copy_mathjax(mathjax, src / "_static")
    names = sorted(executed)
    (src / "index.md").write_text(landing_page((ROOT / "README.md").read_text(), names, with_api))
    (src / "instructors.md").write_text(instructors_page((ROOT / "docs" / "instructors.md").read_text()))
    shutil.copytree(ROOT / "docs" / "img", src / "img")
    for name in names:
        nb = assemble_chapter(executed[name], name, [s for s in scenes if s.chapter == name[:2]])
        (src / "chapters" / "learner").mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, src / "chapters" / f"{name}.ipynb")
        shutil.copy2(LEARNER_DIR / f"{name}.ipynb", src / "chapters" / "learner" / f"{name}.ipynb")
    (src / "chapters" / "anim").mkdir(parents=True, exist_ok=True)
    for scene in scenes:
        shutil.copy2(recorded[scene.name], src / "chapters" / "anim" / f"{scene.name}.webp")
    return src


def sphinx(src: Path, out: Path, work: Path, jobs: int) -> None:
    shutil.rmtree(out, ignore_errors=True)
    # -E: a fresh environment every time (the staging folder is rewritten anyway, and autodoc cannot tell when
    # the docstring extension changed)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "-W", "--keep-going", "-j", str(jobs),
               "-d", str(work / "doctrees"), str(src), str(out)]  # fmt: skip
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BuildError("Sphinx reported errors or warnings (above)")


# ---------------------------------------------------------------------------------------------- main
def select_chapters(wanted: list[str] | None) -> list[Path]:
    every = sorted(CHAPTERS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if not wanted:
        return every
    chosen = [p for p in every if p.name[:2] in wanted or p.stem in wanted]
    missing = set(wanted) - {p.name[:2] for p in chosen} - {p.stem for p in chosen}
    if missing:
        raise BuildError(f"no chapter {', '.join(sorted(missing))} in {CHAPTERS_DIR.relative_to(ROOT)}")
    return chosen


def build(out: Path, work: Path, cache: Path, chapters=None, with_api=True, jobs=2, mathjax=MATHJAX_DEFAULT,
          log=print) -> Path:  # fmt: skip
    """Build the site into `out`; returns `out`. See the module docstring."""
    sources = select_chapters(chapters)
    numbers = {p.name[:2] for p in sources}
    scenes = [s for s in scene_catalog.SCENES if s.chapter in numbers]
    with phase("the whole build", log):
        with phase("chapters executed and scenes recorded", log):
            executed, recorded = run_jobs(sources, scenes, cache, jobs, log)
        with phase("pages assembled", log):
            src = stage(work, executed, recorded, scenes, with_api, mathjax)
        with phase("Sphinx", log):
            sphinx(src, out, work, jobs)
        log(f"site written to {out}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "book", help="the site (default build/book)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "book-work", help="staging and doctrees")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "book-cache", help="executed chapters, "
                        "recordings")  # fmt: skip
    parser.add_argument("--chapters", nargs="*", help="chapter numbers or names (default: all)")
    parser.add_argument("--no-api", action="store_true", help="leave out the API reference (faster)")
    parser.add_argument("--jobs", type=int, default=2, help="chapters/recordings made at once (default 2)")
    parser.add_argument("--mathjax", type=Path, default=MATHJAX_DEFAULT, help="MathJax's es5 folder (from npm)")
    args = parser.parse_args(argv)
    try:
        build(args.out, args.work, args.cache, args.chapters, not args.no_api, args.jobs, args.mathjax)
    except BuildError as error:
        print(f"make book: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
