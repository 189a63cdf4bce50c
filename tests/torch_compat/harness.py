"""Run a PyTorch snippet twice — with torch, and with its import lines switched to dlcourse — and
compare the results from identical random draws.

A snippet is a file in snippets/ whose header comments say where it comes from and which
expressions to compare once it has run (`# compare: loss, w.grad`) and optionally a tolerance (`# rtol: 1e-4`). Apart from
the import lines, its code runs exactly as published.

The two libraries draw different random numbers for the same seed, so the torch run records every
random tensor it makes (randn, rand, randint, randperm and the `nn.init` fills that layers use at
construction) and the dlcourse run replays them in the same order: both start from the same weights.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import sys
from pathlib import Path

import numpy as np

SNIPPETS = Path(__file__).parent / "snippets"

_IMPORT_SWITCHES = [
    (re.compile(r"^import torch$"), "import dlcourse as torch"),
    (re.compile(r"^import torch\.(\S+) as (\w+)$"), r"import dlcourse.\1 as \2"),
    (re.compile(r"^from torch(\.\S+)? import (.+)$"), r"from dlcourse\1 import \2"),
]


def switch_imports(source: str) -> str:
    """The snippet with `torch` replaced by `dlcourse` in its import lines — and nowhere else."""
    lines = []
    for line in source.splitlines():
        for pattern, replacement in _IMPORT_SWITCHES:
            if pattern.match(line):
                line = pattern.sub(replacement, line)
                break
        lines.append(line)
    return "\n".join(lines) + "\n"


def header(source: str, key: str, default=None):
    match = re.search(rf"^# {key}: (.+)$", source, re.MULTILINE)
    return match.group(1).strip() if match else default


_RANDOM_FACTORIES = ["randn", "rand", "randint", "randperm", "normal"]
_RANDOM_FILLS = ["kaiming_uniform_", "uniform_", "normal_", "xavier_uniform_"]
_RANDOM_METHODS = ["random_", "normal_", "uniform_"]


@contextlib.contextmanager
def _patched(obj, name, replacement):
    original = getattr(obj, name)
    setattr(obj, name, replacement)
    try:
        yield original
    finally:
        setattr(obj, name, original)


def _run(source: str, draws: list, record: bool, torch_module, init_module) -> dict:
    """Execute `source` with the random functions of `torch_module` recording (or replaying) `draws`."""
    with contextlib.ExitStack() as stack:
        for name in _RANDOM_FACTORIES:
            original = getattr(torch_module, name)
            stack.enter_context(_patched(torch_module, name, _factory(original, draws, record, name)))
        for name in _RANDOM_FILLS:
            original = getattr(init_module, name)
            stack.enter_context(_patched(init_module, name, _fill(original, draws, record, name)))
        for name in _RANDOM_METHODS:  # x.random_(5), x.normal_(): the tensor class's methods
            original = getattr(torch_module.Tensor, name)
            stack.enter_context(_patched(torch_module.Tensor, name, _fill(original, draws, record, name)))
        random.seed(0)  # snippets that shuffle with Python's random get the same order in both runs
        namespace = {"__name__": "__snippet__"}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<snippet>", "exec"), namespace)
    return namespace


_depth = [0]  # > 0 inside a random function: draws it makes internally are part of its own draw


def _outermost(call, record_or_replay):
    _depth[0] += 1
    try:
        result = call()
    finally:
        _depth[0] -= 1
    if _depth[0] == 0:
        record_or_replay()
    return result


def _factory(original, draws, record, name):
    def wrapper(*args, **kwargs):
        box = {}

        def call():
            box["t"] = original(*args, **kwargs)
            return box["t"]

        def store():
            if record:
                draws.append((name, box["t"].detach().numpy().copy()))
            else:
                _replay(draws, name, box["t"].data)

        return _outermost(call, store)

    return wrapper


def _fill(original, draws, record, name):
    def wrapper(tensor, *args, **kwargs):
        if _called_from_dataloader():
            return original(tensor, *args, **kwargs)  # DataLoader's worker seed: not a draw of the snippet's

        def store():
            if record:
                draws.append((name, tensor.detach().numpy().copy()))
            else:
                _replay(draws, name, tensor.data)

        return _outermost(lambda: original(tensor, *args, **kwargs), store)

    return wrapper


def _called_from_dataloader() -> bool:
    frame = sys._getframe(2)
    for _ in range(6):  # a few frames up: torch may route the call through a device mode first
        if frame is None:
            return False
        if "/torch/utils/data/" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def _replay(draws, name, target: np.ndarray):
    if not draws:
        raise AssertionError(f"dlcourse drew more random tensors than torch (an extra {name})")
    recorded_name, values = draws.pop(0)
    if values.shape != target.shape:
        raise AssertionError(f"random draw {recorded_name} of shape {values.shape} replayed into {name} {target.shape}")
    target[...] = values


def run_both(path: Path):
    """(torch results, dlcourse results, names compared) for the snippet at `path`."""
    import torch

    import dlcourse
    import dlcourse.nn.init

    source = path.read_text()
    names = compared_expressions(header(source, "compare"))
    draws: list = []
    torch.manual_seed(0)
    try:
        theirs = _run(source, draws, True, torch, torch.nn.init)
    finally:
        torch.set_default_device(None)  # a snippet may set it (to "cpu"); leave torch as it was
    dlcourse.manual_seed(0)
    ours = _run(switch_imports(source), draws, False, dlcourse, dlcourse.nn.init)
    assert not draws, f"torch drew {len(draws)} more random tensors than dlcourse"
    return theirs, ours, names


def compared_expressions(line: str) -> list[str]:
    """`a, b.grad, [x, y]` → ["a", "b.grad", "[x, y]"] (commas inside brackets stay)."""
    import ast

    text = f"({line},)"
    return [ast.get_source_segment(text, element) for element in ast.parse(text, mode="eval").body.elts]


def as_values(x):
    """A comparable NumPy array from a tensor (either library), number or list of them."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        return np.asarray(x.numpy(), dtype=np.float64)
    if isinstance(x, (list, tuple)):  # e.g. the gradients of all parameters: one flat vector
        return np.concatenate([np.ravel(as_values(v)) for v in x]) if x else np.zeros(0)
    return np.asarray(x, dtype=np.float64)
