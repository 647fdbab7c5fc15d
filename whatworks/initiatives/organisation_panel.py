"""The register's section of an organisation's page: its records by status and verdict."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from whatworks.core.registry import Panel
from whatworks.initiatives.models import Status, Verdict
from whatworks.initiatives.selectors import initiatives_of_organisation

RECENT = 10


def records_section(organisation: Any, user: Any) -> Panel:
    records = initiatives_of_organisation(user, organisation)
    base = reverse("initiative-list")

    def link(**params: str) -> str:
        return base + "?" + urlencode({"organisation": organisation.slug, **params})

    by_status = dict(
        records.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    by_verdict = dict(
        records.order_by().values("verdict").annotate(n=Count("pk")).values_list("verdict", "n")
    )
    statuses = [
        (label, by_status[value], link(status=value))
        for value, label in Status.choices
        if by_status.get(value)
    ]
    verdicts = [
        (label, by_verdict[value], link(verdict=value))
        for value, label in Verdict.choices
        if by_verdict.get(value)
    ]
    if by_verdict.get(""):
        verdicts.append(("No result yet", by_verdict[""], link(verdict="none")))
    total = sum(by_status.values())
    recent = list(
        records.order_by("-updated_at", "-id").only(
            "pk", "title", "status", "verdict", "updated_at", "organisation"
        )[:RECENT]
    )
    return Panel(
        template="initiatives/_organisation_records.html",
        context={
            "total": total,
            "statuses": statuses,
            "verdicts": verdicts,
            "recent": recent,
            "all_url": link(),
        },
        order=10,
    )
