"""Numbers on a page, by one rule (use these, or the template filters of the same names).

- ``number(12000)`` is "12,000" and ``number(18.456)`` "18.46": thousands separated, at most
  two decimal places, no trailing zeros;
- ``percent(0.1234)`` is "12.3%": a proportion shown as a percentage to one decimal place;
  ``points(0.031)`` is "3.1 percentage points" (a difference of proportions);
- ``money(Decimal("12000"))`` is "£12,000" and ``money(12.5)`` "£12.50": pounds with
  separators, pence only when there are any;
- ``interval(18.5, 24.25)`` is "18.5 to 24.25", each end by the same rule as the estimate;
- nothing to show (``None``) is "not recorded", never a zero.

GOV.UK style: https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style#numbers
"""

from __future__ import annotations

import math
from typing import Any

NOT_RECORDED = "not recorded"


def _real(value: Any) -> float | None:
    if value is None or value == "":
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def number(value: Any, places: int = 2, *, fixed: bool = False) -> str:
    """Thousands separated; up to ``places`` decimals (exactly ``places`` when ``fixed``)."""
    real = _real(value)
    if real is None:
        return NOT_RECORDED
    text = f"{real:,.{places}f}"
    if places and not fixed:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "−0"
    return text.replace("-", "−", 1)


def percent(proportion: Any, places: int = 1) -> str:
    real = _real(proportion)
    if real is None:
        return NOT_RECORDED
    return f"{number(100.0 * real, places, fixed=True)}%"


def points(difference: Any, places: int = 1) -> str:
    real = _real(difference)
    if real is None:
        return NOT_RECORDED
    return f"{number(100.0 * real, places, fixed=True)} percentage points"


def money(value: Any) -> str:
    real = _real(value)
    if real is None:
        return NOT_RECORDED
    pence = round(abs(real) * 100) % 100 != 0
    text = f"{abs(real):,.{2 if pence else 0}f}"
    return f"−£{text}" if real < 0 else f"£{text}"


def interval(low: Any, high: Any, places: int = 2) -> str:
    if _real(low) is None or _real(high) is None:
        return NOT_RECORDED
    return f"{number(low, places)} to {number(high, places)}"


def axis_tick(value: Any, _position: Any = None) -> str:
    """A chart axis's tick label by the same rule as the pages: thousands separated, at most
    two decimals, a true minus sign (for matplotlib's FuncFormatter)."""
    return number(value, 2)
