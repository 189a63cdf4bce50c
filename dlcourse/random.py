"""Random numbers as in PyTorch: one global generator (`dl.manual_seed`) and `dl.Generator` objects.

Every random function (`dl.randn`, `dl.rand`, `dl.randint`, `DataLoader(shuffle=True)`, …) takes
`generator=`; without one it draws from the global generator, which starts from a fixed seed so a
notebook gives the same numbers every run. `dl.manual_seed(s)` also reseeds the default generator
that `nn` layers use for their initial weights (see nn/init.py). The numbers are NumPy's
(PCG64), so they differ from torch's for the same seed — only the API is PyTorch's.
"""

from __future__ import annotations

import numpy as np

_global = np.random.default_rng(0)


class Generator:
    """A random number generator with PyTorch's interface: `g = dl.Generator().manual_seed(42)`."""

    def __init__(self, device="cpu"):
        from dlcourse.device import check_device

        check_device(device)
        self._seed = 67280421310721  # torch's default seed for a new Generator
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed`; returns the generator (so it can be made and seeded in one line)."""
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def __repr__(self):
        return f"Generator(seed={self._seed})"


def manual_seed(seed: int) -> Generator:
    """Reseed the global generator (and the default generator of `nn.init`), like `torch.manual_seed`."""
    global _global
    from dlcourse.nn import init

    _global = np.random.default_rng(int(seed))
    init.manual_seed(int(seed))
    generator = Generator()
    generator.rng, generator._seed = _global, int(seed)
    return generator


def seed() -> int:
    """Reseed the global generator from fresh entropy (like `torch.seed()`); returns the new seed."""
    new_seed = int(np.random.SeedSequence().entropy % 2**63)
    manual_seed(new_seed)
    return new_seed


def rng_of(generator=None) -> np.random.Generator:
    """The NumPy generator to draw from: the global one, a `dl.Generator`'s, an np Generator, or an int seed's."""
    if generator is None:
        return _global
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"generator must be None, a dl.Generator, a np.random.Generator or an int seed, got {generator!r}")
