"""Reads shared by the pages and the API. Access helpers fetch and check in one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from whatworks.core.visibility import Visibility
from whatworks.measures.models import Metric, MetricKind, Observation, StagedImport
from whatworks.measures.rules import recording_organisation_ids
from whatworks.organisations.models import Organisation

# The chart and its table show the latest periods; the figures page has them all.
CHART_PERIODS = 60
CHART_ORGANISATIONS = 6


def metrics_visible_to(user: Any, *, kind: str = "", query: str = "") -> QuerySet[Metric]:
    qs = Metric.objects.visible_to(user).select_related("organisation")
    if kind in MetricKind.values:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(definition__icontains=query))
    # A correlated subquery rather than JOIN + GROUP BY: it runs only for the page's rows.
    figures = (
        Observation.objects.filter(metric=OuterRef("pk"))
        .order_by()
        .values("metric")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(figure_count=Coalesce(Subquery(figures), 0)).order_by("name", "pk")


def access_metric(user: Any, pk: int, perm: str | None = None) -> Metric:
    """The metric, if `user` may see it (404 otherwise) and holds `perm` on it (403)."""
    metric = Metric.objects.visible_to(user).select_related("organisation").filter(pk=pk).first()
    if metric is None:
        raise Http404("No such metric.")
    if perm is not None and not user.has_perm(perm, metric):
        raise PermissionDenied
    return metric


def recording_organisations(user: Any) -> list[Organisation]:
    return list(
        Organisation.objects.filter(pk__in=recording_organisation_ids(user)).order_by("name")
    )


def recordable_metrics(organisations: list[Organisation]) -> QuerySet[Metric]:
    """Metrics these organisations may record their own figures for: their own, and those
    shared with peers or the public (figures follow the metric's visibility)."""
    return (
        Metric.objects.filter(
            Q(organisation__in=organisations)
            | Q(visibility__in=[Visibility.PEERS, Visibility.PUBLIC], organisation__is_active=True)
        )
        .select_related("organisation")
        .order_by("name", "pk")
    )


def metric_observations(metric: Metric) -> QuerySet[Observation]:
    """Every figure for a metric, newest period first. Figures follow the metric's visibility."""
    return metric.observations.select_related("organisation").order_by(
        "-period_start", "organisation__name", "pk"
    )


def access_staged_import(user: Any, token: Any) -> StagedImport:
    """An upload awaiting confirmation; only the person who uploaded it may see it."""
    staged = (
        StagedImport.objects.select_related("organisation", "metric", "metric__organisation")
        .filter(pk=token, uploaded_by=getattr(user, "pk", None))
        .first()
    )
    if staged is None or staged.organisation_id not in recording_organisation_ids(user):
        raise Http404("No such upload.")
    return staged


@dataclass(frozen=True)
class Series:
    """What a chart shows: periods (oldest first) by organisation, and the same as a table."""

    metric: Metric
    periods: list[date]
    labels: dict[date, str]
    organisations: list[str]
    values: dict[tuple[date, str], float]
    is_truncated: bool  # older periods exist that the chart leaves out

    @property
    def is_empty(self) -> bool:
        return not self.values

    def rows(self) -> list[tuple[str, list[str]]]:
        """The data table: one row per period, one column per organisation."""
        return [
            (
                self.labels.get(period) or f"{period:%d/%m/%Y}",
                [
                    self.metric.display_value(self.values.get((period, name)))
                    for name in self.organisations
                ],
            )
            for period in self.periods
        ]

    def summary(self) -> str:
        """One sentence for the chart's text alternative."""
        metric = self.metric
        if self.is_empty:
            return f"{metric.name}: no figures yet."
        first, last = self.periods[0], self.periods[-1]
        orgs = ", ".join(self.organisations)
        latest = [
            f"{name} {metric.display_value(self.values[(last, name)])}"
            for name in self.organisations
            if (last, name) in self.values
        ]
        return (
            f"Line chart of {metric.name}, in {metric.axis_label}, for {orgs}: "
            f"{len(self.periods)} periods from {first:%d/%m/%Y} to {last:%d/%m/%Y}. "
            f"Latest ({last:%d/%m/%Y}): {'; '.join(latest)}."
        )


def metric_series(metric: Metric) -> Series:
    """The latest periods of each organisation's series (the owner's first), in 2 queries."""
    totals = list(
        metric.observations.values("organisation_id", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by("organisation__name")
    )
    totals.sort(key=lambda t: t["organisation_id"] != metric.organisation_id)
    shown = totals[:CHART_ORGANISATIONS]
    ids = [t["organisation_id"] for t in shown]
    recent = list(
        metric.observations.filter(organisation_id__in=ids)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()[: CHART_PERIODS + 1]
    )
    cutoff = recent[min(len(recent), CHART_PERIODS) - 1] if recent else None
    rows = (
        metric.observations.filter(organisation_id__in=ids, period_start__gte=cutoff)
        .values_list("period_start", "organisation__name", "value", "label")
        .order_by("period_start")
        if cutoff
        else []
    )
    values: dict[tuple[date, str], float] = {}
    labels: dict[date, str] = {}
    for period, name, value, label in rows:
        values[(period, name)] = value
        if label:
            labels.setdefault(period, label)
    periods = sorted({period for period, _ in values})
    return Series(
        metric=metric,
        periods=periods,
        labels=labels,
        organisations=[t["organisation__name"] for t in shown],
        values=values,
        is_truncated=len(recent) > CHART_PERIODS,
    )


def series_version(metric: Metric) -> tuple[int, datetime | None]:
    """Changes whenever the chart would: used for its ETag and Last-Modified."""
    summary = metric.observations.aggregate(n=Count("pk"), newest=Max("recorded_at"))
    newest = summary["newest"]
    if newest is None or metric.updated_at > newest:
        newest = metric.updated_at
    return summary["n"], newest
