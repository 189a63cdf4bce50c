"""Public PyTorch teaching snippets run unchanged on dlcourse (imports switched) and match torch (issue 15).

Each file in snippets/ cites its source in its header. See harness.py for how the two runs start
from identical random draws.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.torch_compat.harness import SNIPPETS, as_values, header, run_both, switch_imports

PATHS = sorted(SNIPPETS.glob("*.py"))


def test_the_corpus_has_at_least_twenty_snippets_each_citing_its_source():
    assert len(PATHS) >= 20
    for path in PATHS:
        source = path.read_text()
        assert header(source, "source", "").startswith("http"), path.name
        assert header(source, "compare"), path.name


def test_only_import_lines_change():
    source = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\nx = torch.ones(2)\n"
    assert switch_imports(source) == (
        "import dlcourse as torch\nimport dlcourse.nn as nn\nfrom dlcourse.utils.data import DataLoader\n"
        "x = torch.ones(2)\n"
    )


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_snippet_matches_torch(path):
    pytest.importorskip("torch")
    theirs, ours, names = run_both(path)
    rtol = float(header(path.read_text(), "rtol", "1e-5"))
    for name in names:
        np.testing.assert_allclose(
            as_values(eval(name, ours)),
            as_values(eval(name, theirs)),
            rtol=rtol,
            atol=rtol,
            err_msg=f"{path.name}: {name}",
        )


def test_the_readme_example_runs_unchanged_and_matches_torch(tmp_path):
    pytest.importorskip("torch")
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("## PyTorch users") :]
    code = section[section.index("```python") + len("```python") : section.index("```\n", section.index("```python"))]
    torch_code = code.replace("import dlcourse as torch          # was: import torch", "import torch")
    assert torch_code != code
    snippet = tmp_path / "readme.py"
    snippet.write_text("# compare: y_pred, loss\n" + torch_code)
    theirs, ours, names = run_both(snippet)
    for name in names:
        np.testing.assert_allclose(as_values(ours[name]), as_values(theirs[name]), rtol=1e-5, atol=1e-5)
