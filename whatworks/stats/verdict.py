"""The honest verdict on an interval against a success criterion: one rule for the whole site.

Trials, before-and-after series and results recorded by hand on the register are all judged by
:func:`judge_interval`, so a result cannot read "met" on one page and "inconclusive" on another.
"""

from __future__ import annotations

import math
from typing import Literal

from ._checks import refuse

Outcome = Literal["met", "not met", "inconclusive"]


def judge_interval(
    ci_low: float | None,
    ci_high: float | None,
    *,
    criterion: float,
    direction: str,
    null_value: float = 0.0,
) -> Outcome:
    """Truth table of the verdict, on the interval alone.

    ``criterion`` is the locked minimum effect, a non-negative size in natural units measured
    from ``null_value`` ("no effect": 0 for a difference, 1 for a ratio, the baseline for a
    level) in the better ``direction`` ("higher" or "lower"). On the benefit scale (the
    difference turned so that better is positive) with interval ``[L, U]`` and threshold ``c``:

    =============================  ===============  ====================================
    interval                       verdict          why
    =============================  ===============  ====================================
    none (a single figure)         inconclusive     chance variation cannot be ruled out
    ``L >= c`` and ``L > 0``       met              every value the data allow clears c
    ``U < c``                      not met          the effect needed is ruled out (even
                                                    if the interval includes no effect:
                                                    it is then precise enough to say the
                                                    effect is too small to matter)
    otherwise (``L < c <= U``)     inconclusive     the interval spans the criterion: it
                                                    contains the effect needed and either
                                                    no effect or a smaller one
    =============================  ===============  ====================================

    So "not met" is never an underpowered null: an interval that spans both the criterion and
    no effect is "inconclusive" (DESIGN.md "Honest evidence"), and a harmful result (the whole
    interval on the side of doing worse) is "not met" whatever the criterion.
    """
    if direction not in ("higher", "lower"):
        raise refuse('The better direction must be "higher" or "lower".')
    if criterion < 0 or not math.isfinite(criterion):
        raise refuse("The success criterion must be a size of effect of zero or more.")
    if ci_low is None or ci_high is None:
        return "inconclusive"
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)) or ci_low > ci_high:
        raise refuse("The verdict needs a finite interval with its lower end first.")
    sign = 1.0 if direction == "higher" else -1.0
    low, high = sorted((sign * (ci_low - null_value), sign * (ci_high - null_value)))
    if low >= criterion and low > 0:
        return "met"
    if high < criterion:
        return "not met"
    return "inconclusive"
