"""Sphinx configuration of the course website (docs/book/build.py copies this folder and adds the pages)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "dlcourse"
author = "the dlcourse authors"
copyright = "dlcourse authors, MIT licence"  # noqa: A001 - Sphinx's name
html_title = "dlcourse"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.mathjax", "docstrings"]
exclude_patterns = ["_build", "chapters/learner", "**/.ipynb_checkpoints"]
suppress_warnings = [
    "myst.header",  # a notebook's later sections may skip a level (### after #)
    "misc.highlighting_failure",  # an abridged JSON example ("...") is still worth colouring
]

# notebooks arrive executed (build.py ran them with the solutions in, then put the learner's cells back)
nb_execution_mode = "off"
nb_output_stderr = "remove"  # Numba and library warnings carry machine paths; the book shows results
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# autodoc: the library's reference, formulas and all, straight from the docstrings
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
add_module_names = False

# math and every other asset served from the site itself: no CDN
mathjax_path = "mathjax/tex-chtml.js"  # relative to _static; copied there from npm's mathjax@3 by build.py

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_favicon = "_static/favicon.svg"  # else the browser asks for /favicon.ico and gets a 404
html_context = {"default_mode": "light"}  # the figures are drawn on white
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    # "dlcourse/dlcourse" is a placeholder GitHub org/repo, as in the README's Binder links: replace it.
    "repository_url": "https://github.com/dlcourse/dlcourse",
    "use_repository_button": True,
    "use_download_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
