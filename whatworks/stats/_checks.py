"""Input validation shared by every module in :mod:`whatworks.stats`.

Each check either returns a cleaned value or raises :class:`StatsRefusal` with a sentence an
analyst can read without knowing any statistics. Keeping the wording here means the same problem
is described the same way whichever function spots it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray


class StatsRefusal(ValueError):
    """The data cannot support the requested calculation.

    ``reason`` is a plain-English sentence meant to be shown to the person who supplied the data,
    e.g. ``"The control arm has no observations."``. It subclasses :class:`ValueError` so code that
    already guards against bad input with ``except ValueError`` keeps working.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[type[StatsRefusal], tuple[str]]:
        # Keep the exception picklable (task queues pickle exceptions) with its single argument.
        return (type(self), (self.reason,))


def refuse(reason: str) -> StatsRefusal:
    """Build a refusal; ``raise refuse(...)`` reads better than constructing inline."""
    return StatsRefusal(reason)


def check_alpha(alpha: float) -> float:
    """Significance level must be a real number strictly between 0 and 1."""
    value = as_real(alpha, "The significance level (alpha)")
    if not 0.0 < value < 1.0:
        raise refuse("The significance level (alpha) must be between 0 and 1, e.g. 0.05.")
    return value


def check_probability(value: float, label: str, *, open_interval: bool = True) -> float:
    """A rate such as a baseline conversion rate; 0 and 1 are excluded by default."""
    number = as_real(value, label)
    if open_interval and not 0.0 < number < 1.0:
        raise refuse(f"{label} must be strictly between 0 and 1.")
    if not open_interval and not 0.0 <= number <= 1.0:
        raise refuse(f"{label} must be between 0 and 1.")
    return number


def check_count(value: Any, label: str) -> int:
    """A non-negative whole number (booleans are rejected: ``True`` is not a count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise refuse(f"{label} must be a whole number.")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise refuse(f"{label} is missing or not a finite number.")
    if number != math.floor(number):
        raise refuse(f"{label} must be a whole number, not {value}.")
    if number < 0:
        raise refuse(f"{label} cannot be negative.")
    return int(number)


def check_arm_counts(successes: Any, n: Any, arm: str) -> tuple[int, int]:
    """Successes and size of one arm of a binary-outcome comparison."""
    size = check_count(n, f"The number of people in the {arm}")
    hits = check_count(successes, f"The number of successes in the {arm}")
    if size == 0:
        raise refuse(f"The {arm} has no observations.")
    if hits > size:
        raise refuse(
            f"The {arm} reports {hits} successes out of only {size} people; "
            "successes cannot exceed the number of people."
        )
    return hits, size


def check_positive(value: float, label: str) -> float:
    number = as_real(value, label)
    if number <= 0:
        raise refuse(f"{label} must be greater than zero.")
    return number


def check_values(values: Iterable[float], label: str) -> NDArray[np.float64]:
    """A one-dimensional sample of finite numbers (may be empty; callers decide the minimum)."""
    try:
        array = np.asarray(
            list(values) if not isinstance(values, np.ndarray) else values, dtype=float
        )
    except (TypeError, ValueError):
        raise refuse(f"{label} contains something that is not a number.") from None
    if array.ndim != 1:
        raise refuse(f"{label} must be a flat list of numbers.")
    if not np.all(np.isfinite(array)):
        raise refuse(f"{label} contains missing or infinite values; remove or fix them first.")
    return array


def check_events(events: Sequence[Any] | NDArray[Any], n: int, label: str) -> NDArray[np.bool_]:
    """Event indicators for survival data: 1/True = the event happened, 0/False = censored."""
    array = check_values(events, label)
    if array.size != n:
        raise refuse(f"{label} has {array.size} entries but there are {n} durations.")
    if not np.all((array == 0) | (array == 1)):
        raise refuse(f"{label} must be 1 (event happened) or 0 (still waiting / censored).")
    return array.astype(bool)


def as_real(value: Any, label: str) -> float:
    """A finite real number (not a bool, not NaN, not infinite)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise refuse(f"{label} must be a number.")
    number = float(value)
    if not math.isfinite(number):
        raise refuse(f"{label} is missing or not a finite number.")
    return number
