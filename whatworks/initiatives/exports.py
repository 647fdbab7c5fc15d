"""Exports of the register (CSV, XLSX, JSON) and the public open-data feed.

A row holds only what the reader may see: the owner is `owner_label()` (a pseudonym for
anyone outside a pseudonymous record's organisation), partners are given by kind, not by
name (a named partner could point to the owner), and no person is named.

Spreadsheet formula injection: CSV and XLSX are written by whatworks.core.exports, which
neutralises formulas in every cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpResponse, StreamingHttpResponse

from whatworks.core import exports
from whatworks.core.links import site_root
from whatworks.initiatives.ledger import LedgerTotals, summarise
from whatworks.initiatives.models import Goal, Initiative, InitiativeTag, Partner, owner_label
from whatworks.initiatives.selectors import primary_results

EXPORT_LIMIT = 10_000
CHUNK = 1_000

LICENCE = {
    "licence": "Creative Commons Attribution 4.0 International (CC-BY-4.0)",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": (
        "Contains public records from What Works, shared by the councils and partners that "
        "own them. Council reference data from mySociety (CC-BY-4.0). Records shared without "
        "the council's name are shown by type of council and region only."
    ),
}


def _money(value: Decimal) -> float:
    return float(value)


def _ledger_columns(prefix: str, totals: LedgerTotals) -> dict[str, Any]:
    return {
        f"{prefix}_upfront_cost": _money(totals.upfront_cost),
        f"{prefix}_recurring_cost_a_year": _money(totals.recurring_cost),
        f"{prefix}_one_off_savings": _money(totals.one_off_savings),
        f"{prefix}_recurring_savings_a_year": _money(totals.recurring_savings),
        f"{prefix}_first_year_net": _money(totals.first_year_net),
    }


def _owner_attributes(initiative: Initiative) -> tuple[str, str]:
    """Type and region of the owner: what a pseudonym shows, so safe for everyone."""
    organisation = initiative.organisation
    la = organisation.local_authority
    if la is None:
        return organisation.get_kind_display(), ""
    return la.authority_type_name, la.region or la.nation


def row_for(initiative: Initiative, viewer: Any, root: str | None = None) -> dict[str, Any]:
    """One record as a flat dict (typed values: numbers stay numbers, dates are ISO text).
    `root` is the site's address, read while the request is still being answered (a streamed
    export makes its rows after that)."""
    goal = initiative.primary_goal()
    result = goal.primary_result() if goal is not None else None
    ledger = summarise(initiative.ledger.all())
    tags = list(initiative.tags.all())
    owner_type, owner_region = _owner_attributes(initiative)
    return {
        "id": initiative.pk,
        "url": (root if root is not None else site_root()) + initiative.get_absolute_url(),
        "title": initiative.title,
        "summary": initiative.summary,
        "owner": owner_label(initiative, viewer),
        "owner_type": owner_type,
        "owner_region": owner_region,
        "service_area": initiative.get_service_area_display(),
        "collaboration": "; ".join(
            sorted(t.value for t in tags if t.kind == InitiativeTag.Kind.COLLABORATION)
        ),
        "mechanism": "; ".join(
            sorted(t.value for t in tags if t.kind == InitiativeTag.Kind.MECHANISM)
        ),
        "partner_kinds": "; ".join(
            sorted({p.organisation.get_kind_display() for p in initiative.partners.all()})
        ),
        "status": initiative.get_status_display(),
        "verdict": initiative.get_verdict_display() if initiative.verdict else "",
        "evidence_level": initiative.evidence_level,
        "why_it_did_not_work": initiative.get_failure_cause_display()
        if initiative.failure_cause
        else "",
        "lessons": initiative.lessons,
        "what_we_would_do_differently": initiative.do_differently,
        "people_reached": initiative.people_reached,
        "planned_start": initiative.planned_start,
        "planned_end": initiative.planned_end,
        "actual_start": initiative.actual_start,
        "actual_end": initiative.actual_end,
        "goal_metric": goal.metric_name if goal else "",
        "goal_unit": goal.unit if goal else "",
        "goal_direction": goal.get_direction_display() if goal else "",
        "baseline_value": goal.baseline_value if goal else None,
        "baseline_period": goal.baseline_period if goal else "",
        "target_value": goal.target_value if goal else None,
        "success_threshold": goal.success_threshold if goal else None,
        "goal_changed_after_start": bool(goal.amendments.all()) if goal else False,
        "result_value": result.value if result else None,
        "result_ci_low": result.ci_low if result else None,
        "result_ci_high": result.ci_high if result else None,
        "result_design": result.get_design_display() if result else "",
        "result_summary": result.summary if result else "",
        **_ledger_columns("realised", ledger.realised),
        **_ledger_columns("with_estimates", ledger.with_estimates),
        "includes_estimates": ledger.has_estimates,
        "visibility": initiative.get_visibility_display(),
        "withdrawn_reason": initiative.withdrawn_reason,
        "updated_at": initiative.updated_at,
    }


# The order of the columns in every format (tests check that row_for gives exactly these).
COLUMNS: list[str] = [
    "id",
    "url",
    "title",
    "summary",
    "owner",
    "owner_type",
    "owner_region",
    "service_area",
    "collaboration",
    "mechanism",
    "partner_kinds",
    "status",
    "verdict",
    "evidence_level",
    "why_it_did_not_work",
    "lessons",
    "what_we_would_do_differently",
    "people_reached",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "goal_metric",
    "goal_unit",
    "goal_direction",
    "baseline_value",
    "baseline_period",
    "target_value",
    "success_threshold",
    "goal_changed_after_start",
    "result_value",
    "result_ci_low",
    "result_ci_high",
    "result_design",
    "result_summary",
    "realised_upfront_cost",
    "realised_recurring_cost_a_year",
    "realised_one_off_savings",
    "realised_recurring_savings_a_year",
    "realised_first_year_net",
    "with_estimates_upfront_cost",
    "with_estimates_recurring_cost_a_year",
    "with_estimates_one_off_savings",
    "with_estimates_recurring_savings_a_year",
    "with_estimates_first_year_net",
    "includes_estimates",
    "visibility",
    "withdrawn_reason",
    "updated_at",
]


def _lookups() -> list[Any]:
    return [
        Prefetch(
            "goals",
            queryset=Goal.objects.prefetch_related(primary_results(), "amendments"),
        ),
        "ledger",
        "tags",
        Prefetch("partners", queryset=Partner.objects.select_related("organisation")),
    ]


def for_export(qs: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """Everything a row needs, in a fixed number of queries per chunk of records."""
    return qs.prefetch_related(*_lookups())


def rows(records: Iterable[Initiative], viewer: Any) -> Iterator[dict[str, Any]]:
    root = site_root()  # now, not when the rows are streamed
    return (row_for(initiative, viewer, root) for initiative in records)


def iterate(qs: QuerySet[Initiative] | list[Initiative], limit: int | None) -> Iterable[Initiative]:
    """Records in chunks (prefetching per chunk), at most `limit` of them."""
    if isinstance(qs, list):  # a search's results, already in memory
        records = qs[:limit] if limit else qs
        prefetch_related_objects(records, *_lookups())
        return records
    if limit:
        qs = qs[:limit]
    return for_export(qs).iterator(chunk_size=CHUNK)


# --- Formats -----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cells(data: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for row in data:
        yield [row[c] for c in COLUMNS]


def csv_lines(data: Iterable[dict[str, Any]]) -> Iterator[str]:
    return exports.csv_lines(COLUMNS, _cells(data))


def xlsx_bytes(data: Iterable[dict[str, Any]], *, note: str) -> bytes:
    return exports.xlsx_bytes(
        [
            ("Initiatives", COLUMNS, _cells(data)),
            ("About", [], [[note], [LICENCE["attribution"]]]),
        ]
    )


def json_chunks(data: Iterable[dict[str, Any]], meta: dict[str, Any]) -> Iterator[str]:
    """A JSON object streamed in pieces: the metadata, then the records one by one."""
    head = json.dumps(meta)[:-1]  # without the closing brace
    yield head + (", " if meta else "") + '"initiatives": ['
    first = True
    for row in data:
        yield ("" if first else ",") + json.dumps({k: _json_value(row[k]) for k in COLUMNS})
        first = False
    yield "]}"


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": Format("json", "application/json"),
}


def response(
    fmt: str,
    data: Iterable[dict[str, Any]],
    *,
    filename: str,
    meta: dict[str, Any],
    note: str,
) -> HttpResponse | StreamingHttpResponse:
    spec = FORMATS[fmt]
    result: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        result = StreamingHttpResponse(csv_lines(data), content_type=spec.content_type)
    elif fmt == "xlsx":
        result = HttpResponse(xlsx_bytes(data, note=note), content_type=spec.content_type)
    else:
        result = StreamingHttpResponse(json_chunks(data, meta), content_type=spec.content_type)
    result["Content-Disposition"] = f'attachment; filename="{filename}.{spec.extension}"'
    result["Link"] = f'<{LICENCE["licence_url"]}>; rel="license"'
    return result
