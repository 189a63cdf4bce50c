"""Axis limits that change in jumps: most animation frames then keep the axes and can be blitted.

    limits = steady_log_limits(current, low, high)     # (bottom, top) for a log axis
    ax.set_ylim(limits); app.show(limits)              # App.show blits while the limits stay the same

An axis whose limits follow the data exactly must be redrawn in full (ticks, labels) on every
frame; these keep the limits while the data stay inside, and jump with a margin when they leave.
"""

from __future__ import annotations

import numpy as np


def steady_log_limits(current, low: float, high: float, margin: int = 2, slack: int = 6):
    """(bottom, top) in whole decades for data in [low, high] > 0 on a log axis.

    Kept as `current` while the data fit inside and fill more than `slack` decades less than it; else
    new limits with `margin` spare decades below (where vanishing values usually go) and one above.
    """
    low, high = max(float(low), 1e-300), max(float(high), float(low), 1e-300)
    if current is not None:
        bottom, top = current
        inside = bottom <= low and high <= top
        decades = np.log10(top / bottom) - np.log10(high / low)
        if inside and decades <= slack:
            return current
    return (10.0 ** (np.floor(np.log10(low)) - margin), 10.0 ** (np.ceil(np.log10(high)) + 1))
