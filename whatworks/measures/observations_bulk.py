"""Many figures for one metric in one call (the API's `POST /api/metrics/{id}/observations`).

Every row is checked before anything is written, against the same rules as an upload
(`figures.check_figures`), plus what a machine can get wrong: a period that has not started
(or ended) yet, a unit that is not the metric's, the same period twice with different figures,
and a period already recorded with a different figure (refused unless `replace`, which is
audited with the periods it replaced). Then all rows are written in one transaction, or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from whatworks.core import audit
from whatworks.measures.figures import check_figures
from whatworks.measures.importing import ParsedRow, parse_label
from whatworks.measures.models import Metric, Observation
from whatworks.measures.services import _insert_rows

#: Rows in one call: a decade of daily figures, with room to spare.
MAX_ROWS = 10_000
#: Errors listed in a refusal; the rest are counted.
MAX_LISTED_ERRORS = 1000
#: Replaced periods named in the audit event; the rest are counted.
MAX_AUDITED_PERIODS = 200


@dataclass
class BulkRow:
    """One row as sent: numbers may be missing (the value can come from its ratio)."""

    period_start: date
    value: float | None = None
    period_end: date | None = None
    label: str = ""
    numerator: float | None = None
    denominator: float | None = None
    unit: str | None = None


@dataclass
class RowProblem:
    row: int  # position in the list sent, from 0
    field: str
    message: str


class BulkRefused(ValidationError):
    """The rows have problems (`problems`, the first MAX_LISTED_ERRORS of `count`); nothing
    was written."""

    def __init__(self, problems: list[RowProblem], count: int) -> None:
        super().__init__(f"{count} row problem(s)")
        self.problems = problems
        self.count = count


class BulkConflict(ValidationError):
    """Someone wrote figures for the same periods while these were checked."""


@dataclass
class BulkOutcome:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    replaced_periods: list[date] = field(default_factory=list)


def _same_unit(metric: Metric, unit: str) -> bool:
    given = unit.strip().casefold()
    if metric.is_proportion and given in ("%", "percent", "proportion"):
        return True
    return given == metric.unit.strip().casefold()


def _same_figure(row: ParsedRow, stored: tuple[Any, ...]) -> bool:
    period_end, label, value, numerator, denominator = stored
    return (
        row.period_end == period_end
        and row.label == label
        and row.value == value
        and row.numerator == numerator
        and row.denominator == denominator
    )


class _Problems:
    def __init__(self) -> None:
        self.listed: list[RowProblem] = []
        self.count = 0

    def add(self, row: int, field_name: str, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(RowProblem(row, field_name, message))


def _check_row(
    metric: Metric, index: int, row: BulkRow, today: date, problems: _Problems
) -> ParsedRow | None:
    before = problems.count
    if row.unit is not None and not _same_unit(metric, row.unit):
        problems.add(
            index, "unit", f"this metric is measured in {metric.unit}, not {row.unit.strip()[:20]}"
        )
    if row.period_start > today:
        problems.add(
            index,
            "period_start",
            f"{row.period_start:%d/%m/%Y} is in the future: send figures for periods that "
            "have started",
        )
    if row.period_end is not None:
        if row.period_end < row.period_start:
            problems.add(index, "period_end", "must be the same as or after period_start")
        elif row.period_end > today:
            problems.add(
                index,
                "period_end",
                f"{row.period_end:%d/%m/%Y} is in the future: send a period's figure once "
                "it has ended",
            )
    try:
        label = parse_label(row.label or "")
    except ValueError as error:
        problems.add(index, "label", str(error))
        label = ""
    figures = check_figures(metric, row.value, row.numerator, row.denominator)
    for column, message in figures.errors:
        problems.add(index, column, message)
    if problems.count > before or figures.value is None:
        return None
    return ParsedRow(
        number=index,
        metric=metric,
        period_start=row.period_start,
        period_end=row.period_end,
        label=label,
        value=figures.value,
        numerator=row.numerator,
        denominator=row.denominator,
    )


def observations_post(
    *, metric: Metric, rows: list[BulkRow], replace: bool = False, today: date | None = None
) -> BulkOutcome:
    """Check every row for `metric` (the owner's own figures), then write them all or none.

    A row identical to the stored figure is left alone (a retried night's job changes
    nothing); a different figure for a stored period is refused unless `replace`. Raises
    `BulkRefused` listing the rows at fault, or `BulkConflict` when a concurrent write took
    the same periods first.
    """
    today = today or timezone.localdate()
    problems = _Problems()
    if len(rows) > MAX_ROWS:
        problems.add(MAX_ROWS, "observations", f"send at most {MAX_ROWS:,} rows in one call")
        raise BulkRefused(problems.listed, problems.count)
    checked: list[ParsedRow] = []
    seen: dict[date, ParsedRow] = {}
    for index, row in enumerate(rows):
        parsed = _check_row(metric, index, row, today, problems)
        if parsed is None:
            continue
        earlier = seen.get(parsed.period_start)
        if earlier is not None:
            if not _same_figure(
                parsed,
                (
                    earlier.period_end,
                    earlier.label,
                    earlier.value,
                    earlier.numerator,
                    earlier.denominator,
                ),
            ):
                problems.add(
                    index,
                    "period_start",
                    f"{parsed.period_start:%d/%m/%Y} is already in row {earlier.number} "
                    "with a different figure",
                )
            continue  # the same figure twice is sent once
        seen[parsed.period_start] = parsed
        checked.append(parsed)
    if problems.count:
        raise BulkRefused(problems.listed, problems.count)
    if not checked:
        return BulkOutcome()

    try:
        with transaction.atomic():
            # The span of the periods sent, not an IN list: one index range, and no cost of
            # preparing a thousand parameters; periods in the span not sent are ignored.
            stored = {
                start: rest
                for start, *rest in Observation.objects.filter(
                    metric=metric,
                    organisation_id=metric.organisation_id,
                    period_start__range=(min(seen), max(seen)),
                )
                .values_list(
                    "period_start", "period_end", "label", "value", "numerator", "denominator"
                )
                .iterator(chunk_size=5000)
            }
            outcome = BulkOutcome()
            to_write: list[ParsedRow] = []
            for parsed in checked:
                existing = stored.get(parsed.period_start)  # None: a period not stored yet
                if existing is None:
                    outcome.created += 1
                    to_write.append(parsed)
                elif _same_figure(parsed, tuple(existing)):
                    outcome.unchanged += 1
                elif replace:
                    outcome.replaced += 1
                    outcome.replaced_periods.append(parsed.period_start)
                    to_write.append(parsed)
                else:
                    problems.add(
                        parsed.number,
                        "period_start",
                        f"{metric.organisation.name} already has a different figure for "
                        f"{parsed.period_start:%d/%m/%Y}; send replace=true to replace it",
                    )
            if problems.count:
                raise BulkRefused(problems.listed, problems.count)
            if to_write:
                now = timezone.now()
                _insert_rows(
                    to_write,
                    organisation_id=metric.organisation_id,
                    actor_id=None,
                    recorded_at=now,
                    replace=bool(outcome.replaced),
                )
                Metric.objects.filter(pk=metric.pk).update(updated_at=now)
            audit.record(
                "observations.posted",
                obj=metric,
                organisation=metric.organisation,
                detail={
                    "rows": len(rows),
                    "created": outcome.created,
                    "replaced": outcome.replaced,
                    "unchanged": outcome.unchanged,
                    "replace": replace,
                    "replaced_periods": [
                        d.isoformat() for d in outcome.replaced_periods[:MAX_AUDITED_PERIODS]
                    ],
                },
            )
    except IntegrityError as error:
        raise BulkConflict(
            "Someone added figures for the same periods while these were checked. Nothing "
            "was written: send them again."
        ) from error
    return outcome
