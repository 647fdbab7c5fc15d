"""The plain-English words of the results page: numbers, effects, intervals and headlines.

Pure Python; the numbers come from :mod:`.estimators`, the verdict's words from :mod:`.verdict`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from whatworks import stats
from whatworks.trials.randomise import AllocationCheck

from .results import Comparison, Details, Kind, SurvivalComparison


@dataclass(frozen=True)
class Wording:
    """Words for the plain-English headlines.

    ``units`` is the plural noun for a unit ("tenants", "streets"). ``outcome`` is a verb phrase
    for proportions and time to event ("made contact") and a noun for means and rates ("rent
    arrears", "missed bins"). ``measure_unit`` follows numbers ("days", "pounds").
    ``arm_phrases`` maps an arm label to a relative clause ("who got the new letter"); the default
    is "in the <label> arm".
    """

    units: str = "people"
    outcome: str = "had the outcome"
    measure_unit: str = ""
    arm_phrases: tuple[tuple[str, str], ...] = ()

    def subject(self, arm: str) -> str:
        phrase = dict(self.arm_phrases).get(arm, f"in the {arm} arm")
        return f"{self.units} {phrase}"


def places_for(*values: float | None) -> int:
    """One precision for an estimate and its interval, so the three figures read alike.

    Whole numbers (e.g. days) stay whole; otherwise one decimal place, or two when every figure
    is below 1 in size, or none from 100 up.
    """
    present = [abs(v) for v in values if v is not None and math.isfinite(v)]
    if not present or all(float(v).is_integer() for v in present):
        return 0
    largest = max(present)
    if largest >= 100:
        return 0
    return 1 if largest >= 1 else 2


def number(value: float, places: int | None = None) -> str:
    """``value`` with thousands separators and ``places`` decimals (default: :func:`places_for`)."""
    digits = places_for(value) if places is None else places
    return f"{value:,.{digits}f}"


def unit_suffix(words: Wording) -> str:
    return f" {words.measure_unit}" if words.measure_unit else ""


WORDS: dict[str, tuple[str, str]] = {
    "proportion": ("fewer", "more"),
    "mean": ("lower", "higher"),
    "time_to_event": ("sooner", "later"),
}


def signed_words(kind: Kind, value: float, unit: str, places: int) -> str:
    """'25 days sooner', '3.1 points more': a signed difference as a size and a direction."""
    if value == 0:
        return f"0{unit}"
    below, above = WORDS[kind]
    return f"{number(abs(value), places)}{unit} {below if value < 0 else above}"


def effect_phrase(kind: Kind, measure: str, estimate: float, words: Wording, places: int) -> str:
    if kind == "proportion":
        return signed_words(kind, 100.0 * estimate, " percentage points", places)
    if kind == "mean":
        return signed_words(kind, estimate, unit_suffix(words), places)
    if kind == "rate":
        return f"{estimate:.2f} times the rate"
    prefix = "a median of" if measure == "difference in median time" else "on average"
    if estimate == 0:
        return f"at the same {'median' if prefix.startswith('a') else 'average'} time"
    return f"{prefix} {signed_words(kind, estimate, unit_suffix(words), places)}"


def interval_phrase(
    kind: Kind, low: float | None, high: float | None, alpha: float, words: Wording, places: int
) -> str:
    """The interval in the same words as the estimate.

    When both ends lie on one side of zero they are given as sizes in the estimate's direction
    ("19 to 31 days", read with "sooner"); when the interval reaches both sides each end is
    named in words ("8 days sooner to 2 days later"), so a sign is never left to the reader.
    """
    level = f"{100.0 * (1.0 - alpha):g}% interval"
    if low is None or high is None:
        return "(no interval could be estimated)"
    if kind == "rate":
        return f"({level} {low:.2f} to {high:.2f})"
    scale, unit = (100.0, " points") if kind == "proportion" else (1.0, unit_suffix(words))
    low, high = scale * low, scale * high
    if low < 0 <= high or low <= 0 < high:
        return (
            f"({level} {signed_words(kind, low, unit, places)} to "
            f"{signed_words(kind, high, unit, places)})"
        )
    ends = sorted((abs(low), abs(high)))
    return f"({level} {number(ends[0], places)} to {number(ends[1], places)}{unit})"


def comparison_headline(
    kind: Kind,
    measure: str,
    arm: str,
    control: str,
    details: Details,
    effect: str,
    interval: str,
    low: float | None,
    high: float | None,
    null: float,
    words: Wording,
) -> str:
    subject_t = capital(words.subject(arm))
    subject_c = words.subject(control)
    clear = low is not None and high is not None and (low > null or high < null)
    if not clear:
        question = {
            "proportion": f"are more or less likely to have {words.outcome} than",
            "mean": f"have a higher or lower average {words.outcome} than",
            "rate": f"have {words.outcome} at a higher or lower rate than",
            "time_to_event": f"{words.outcome} sooner or later than",
        }[kind]
        return (
            f"The trial cannot tell whether {words.subject(arm)} {question} {subject_c}: "
            f"the estimate is {effect} {interval}."
        )
    if kind == "proportion":
        assert isinstance(details, stats.ProportionComparison)
        return (
            f"{100.0 * details.rate_t:.1f}% of {words.subject(arm)} {words.outcome}, against "
            f"{100.0 * details.rate_c:.1f}% of {subject_c}: {effect} {interval}."
        )
    if kind == "mean":
        assert isinstance(details, stats.MeanComparison)
        return (
            f"{subject_t} had an average {words.outcome} of "
            f"{number(details.mean_t)}{unit_suffix(words)} against {number(details.mean_c)} for "
            f"{subject_c}: {effect} {interval}."
        )
    if kind == "rate":
        return f"{subject_t} had {words.outcome} at {effect} of {subject_c} {interval}."
    assert isinstance(details, SurvivalComparison)
    if measure == "difference in median time":
        return f"{subject_t} {words.outcome} {effect} than {subject_c} {interval}."
    return (
        f"Within the first {number(details.horizon)}{unit_suffix(words)}, {words.subject(arm)} "
        f"{words.outcome} {effect} than {subject_c} {interval}."
    )


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def outcome_headline(
    comparisons: Sequence[Comparison],
    control: str,
    withheld: bool,
    check: AllocationCheck | None,
    primary: bool,
) -> str:
    if withheld and check is not None:
        return (
            "The headline result is withheld because the allocation check failed: the numbers "
            f"per arm ({', '.join(str(o) for o in check.observed)}) differ from the designed ratio "
            f"more than chance allows (p = {check.p_value:.2g})."
        )
    if len(comparisons) == 1:
        return comparisons[0].headline
    clear = sum(
        1
        for c in comparisons
        if (c.p_adjusted if c.p_adjusted is not None else c.p_value) < c.alpha
    )
    allowance = " after allowing for comparing several arms (Holm)" if primary else ""
    return (
        f"{clear} of the {len(comparisons)} arms compared with the {control} arm "
        f"{'shows' if clear == 1 else 'show'} a clear difference{allowance}; each arm's result "
        "is given below."
    )


def interim(headline: str, analysis_date: date | None) -> str:
    when = f"{analysis_date.day} {analysis_date:%B %Y}" if analysis_date else "the planned date"
    lowered = headline[:1].lower() + headline[1:]
    return f"Interim result, before the planned analysis date of {when}: {lowered}"
