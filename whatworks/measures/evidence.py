"""A metric's figures as evidence for a goal: the baseline proposed from them, and the series a
result is computed from.

Values come back on the metric's stored scale (a proportion as a fraction from 0 to 1), times
``scale``: the register's goals may state a proportion in percent, and pass 100.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from whatworks.measures.models import Metric, Observation

LAST_PERIODS = "last_periods"
SAME_MONTHS = "same_months"


@dataclass(frozen=True)
class BaselineProposal:
    """A baseline from the figures, with the periods it covers and the rule in words; or, when the
    figures cannot give one, ``value`` None and ``refusal`` saying why."""

    value: float | None
    period: str
    source: str
    periods_used: int
    refusal: str = ""


def _month_name(day: date) -> str:
    return f"{day:%B %Y}"


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _span(first: date, last: date, count: int) -> str:
    if first == last:
        return f"{_month_name(first)} (1 period)"
    return f"{_month_name(first)} to {_month_name(last)} ({count} periods)"


def propose_baseline(
    *,
    metric: Metric,
    organisation_id: int,
    start: date | None,
    rule: str,
    periods: int | None = None,
    until: date | None = None,
    scale: float = 1.0,
) -> BaselineProposal:
    """The baseline a goal's rule gives from ``organisation_id``'s figures of ``metric``.

    ``LAST_PERIODS``: the mean of the last ``periods`` figures that start before ``start``.
    ``SAME_MONTHS``: the mean of the figures a year before the pilot's own months (``start`` up
    to ``until``, or a year when ``until`` is not known), which allows for the time of year.
    """
    name = metric.name
    if start is None:
        return BaselineProposal(
            None,
            "",
            "",
            0,
            "Enter the planned start date first: the baseline is taken from the figures before it.",
        )
    rows = Observation.objects.filter(metric=metric, organisation_id=organisation_id)
    if rule == LAST_PERIODS:
        wanted = periods or 0
        if wanted < 1:
            return BaselineProposal(
                None, "", "", 0, "Enter how many periods the baseline is the mean of."
            )
        found = list(
            rows.filter(period_start__lt=start)
            .order_by("-period_start")
            .values_list("period_start", "value")[:wanted]
        )
        if len(found) < wanted:
            return BaselineProposal(
                None,
                "",
                "",
                len(found),
                f"“{name}” has {len(found)} figure{'s' if len(found) != 1 else ''} before "
                f"{start:%d %B %Y}; the baseline rule needs {wanted}. Choose fewer periods, "
                "add the missing figures, or type the baseline in.",
            )
        found.reverse()
        value = statistics.fmean(v for _, v in found) * scale
        return BaselineProposal(
            value,
            _span(found[0][0], found[-1][0], len(found)),
            f"Mean of the last {wanted} periods of “{name}” before the start",
            len(found),
        )
    if rule == SAME_MONTHS:
        end = until or _shift_year(start, 1)
        since, before = _shift_year(start, -1), _shift_year(end, -1)
        found = list(
            rows.filter(period_start__gte=since, period_start__lt=min(before, start))
            .order_by("period_start")
            .values_list("period_start", "value")
        )
        if not found:
            return BaselineProposal(
                None,
                "",
                "",
                0,
                f"“{name}” has no figures for the same months a year before the pilot "
                f"({_month_name(since)} to {_month_name(before)}). Choose the last periods "
                "before the start instead, or type the baseline in.",
            )
        value = statistics.fmean(v for _, v in found) * scale
        return BaselineProposal(
            value,
            _span(found[0][0], found[-1][0], len(found)),
            f"Mean of “{name}” over the same months a year before the pilot",
            len(found),
        )
    return BaselineProposal(None, "", "", 0, "Choose how the baseline is taken from the metric.")


def series(
    *,
    metric: Metric,
    organisation_id: int,
    until: date,
    since: date | None = None,
    scale: float = 1.0,
) -> list[tuple[date, float]]:
    """``organisation_id``'s figures of ``metric`` from ``since`` up to ``until`` (inclusive),
    oldest first, times ``scale``."""
    rows = Observation.objects.filter(
        metric=metric, organisation_id=organisation_id, period_start__lte=until
    )
    if since is not None:
        rows = rows.filter(period_start__gte=since)
    return [
        (day, value * scale)
        for day, value in rows.order_by("period_start").values_list("period_start", "value")
    ]


def series_many(
    keys: set[tuple[int, int]], *, since: date | None, until: date
) -> dict[tuple[int, int], list[tuple[date, float]]]:
    """Unscaled figures for many (metric id, organisation id) pairs in one query, oldest first:
    what :func:`series` gives for each, for a batch that narrows each pair's range itself."""
    out: dict[tuple[int, int], list[tuple[date, float]]] = {key: [] for key in keys}
    if not keys:
        return out
    rows = Observation.objects.filter(
        metric_id__in={m for m, _ in keys},
        organisation_id__in={o for _, o in keys},
        period_start__lte=until,
    )
    if since is not None:
        rows = rows.filter(period_start__gte=since)
    for metric_id, organisation_id, day, value in rows.order_by("period_start").values_list(
        "metric_id", "organisation_id", "period_start", "value"
    ):
        found = out.get((metric_id, organisation_id))
        if found is not None:
            found.append((day, value))
    return out


def goal_scale(metric: Metric | None, unit: str) -> float:
    """100 when a proportion metric feeds a goal stated in percent, else 1."""
    if metric is not None and metric.is_proportion and unit.strip() in {"%", "percent"}:
        return 100.0
    return 1.0
