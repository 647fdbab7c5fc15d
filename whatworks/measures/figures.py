"""The rules a figure must meet for its metric's kind, in one place.

Used by `Observation.clean()` and by the importer, so a figure typed in and a figure
uploaded are held to the same invariants. Errors are keyed by column name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

# A value typed next to its numerator and denominator is usually rounded ("33.3%"): it
# must agree with their ratio to this much, and the exact ratio is what is stored.
RATIO_TOLERANCE = 0.0005


class MetricLike(Protocol):
    kind: str
    rate_per: int


@dataclass
class Figures:
    value: float | None
    errors: list[tuple[str, str]] = field(default_factory=list)


def _ratio(metric: MetricLike, numerator: float, denominator: float) -> float:
    ratio = numerator / denominator
    return ratio * metric.rate_per if metric.kind == "count" else ratio


def check_figures(
    metric: MetricLike,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
) -> Figures:
    """Validate a figure; return the value to store (derived when it can be) and errors."""
    errors: list[tuple[str, str]] = []
    for name, number in (("value", value), ("numerator", numerator), ("denominator", denominator)):
        if number is not None and not math.isfinite(number):
            errors.append((name, "enter a finite number"))
    if errors:
        return Figures(None, errors)

    if (numerator is None) != (denominator is None):
        missing = "denominator" if denominator is None else "numerator"
        errors.append((missing, "give both the numerator and the denominator, or neither"))
    if denominator is not None and denominator <= 0:
        errors.append(("denominator", "must be more than 0"))
    counts_things = metric.kind in ("proportion", "count", "time_to_event")
    if numerator is not None and counts_things and numerator < 0:
        errors.append(("numerator", "must be 0 or more"))
    if (
        numerator is not None
        and denominator is not None
        and denominator > 0
        and metric.kind in ("proportion", "time_to_event")
        and numerator > denominator
    ):
        what = "successes" if metric.kind == "proportion" else "events"
        errors.append(
            ("numerator", f"cannot be more than the denominator (the {what} are a part of it)")
        )
    if errors:
        return Figures(None, errors)

    derivable = metric.kind in ("proportion", "mean", "count")
    if numerator is not None and denominator is not None and derivable:
        exact = _ratio(metric, numerator, denominator)
        if value is not None and abs(value - exact) > RATIO_TOLERANCE * max(1.0, abs(exact)):
            errors.append(
                (
                    "value",
                    f"does not match numerator / denominator ({exact:.6g}); "
                    "leave it blank or correct it",
                )
            )
            return Figures(None, errors)
        value = exact

    if value is None:
        hint = " (or give the numerator and denominator)" if derivable else ""
        return Figures(None, [("value", f"enter a number{hint}")])
    if metric.kind == "proportion" and not 0 <= value <= 1:
        errors.append(("value", "a proportion must be from 0 to 1, or from 0% to 100%"))
    elif metric.kind in ("count", "time_to_event") and value < 0:
        errors.append(("value", "must be 0 or more"))
    return Figures(None if errors else value, errors)
