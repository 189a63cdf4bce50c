"""`Dropout`: during training, zero each value with probability p and scale the rest by 1/(1-p)."""

from __future__ import annotations

from dlcourse.nn import functional as F
from dlcourse.nn import init
from dlcourse.nn.module import Module


class Dropout(Module):
    """y = x · mask / (1 - p) with mask ~ Bernoulli(1 - p) in training mode; y = x in eval mode.

    Scaling by 1/(1-p) keeps the expected value of every unit unchanged, so nothing needs to change
    at evaluation time. The masks come from the layer's own generator (`seed=`, or one derived from
    `nn.init`'s default generator), so runs are reproducible.
    """

    def __init__(self, p: float = 0.5, seed=None):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p is a probability and must be in [0, 1], got {p}")
        self.p = p
        # its own stream, so that adding a Dropout layer does not shift other layers' random numbers
        self.generator = init.default_generator().spawn(1)[0] if seed is None else init.as_generator(seed)

    def forward(self, x):
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"
