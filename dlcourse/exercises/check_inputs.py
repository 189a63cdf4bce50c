"""Functions that some exercises' check inputs use (e.g. a gradient checker is tried on them)."""

import numpy as np


def sum_of_cubes(x):
    """f(x) = Σ xᵢ³."""
    return float(np.sum(x**3))


def weighted_sines(x):
    """f(x) = Σᵢ (i + 1) · sin(xᵢ), over the flattened x."""
    return float(np.sum(np.arange(1, x.size + 1) * np.sin(x.ravel())))


def log_norm(x):
    """f(x) = log(1 + Σ xᵢ²): every element's derivative depends on all the others."""
    return float(np.log1p(np.sum(x**2)))
