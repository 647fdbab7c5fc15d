"""API endpoints for metrics and their figures, reading through the same selectors as the pages.

Visibility holds exactly as on the pages: a metric (and every figure recorded for it) is
seen by whoever may see the metric; anything else is a 404.
"""

from datetime import date, datetime

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BaseModel

from whatworks.core.api import ApiProblem, Pages, with_problems
from whatworks.core.visibility import Visibility
from whatworks.measures import observations_bulk, selectors
from whatworks.measures.models import Direction, Metric, MetricKind
from whatworks.organisations.api_auth import idempotent, key_organisation, key_with
from whatworks.organisations.models import ApiScope, site_url

router = Router(tags=["Measures"])

MetricId = Path(..., ge=1, le=2_147_483_647)


class MetricFilter(Schema):
    kind: MetricKind | None = None
    q: str = Field(
        "", max_length=100, pattern=r"^[^\x00]*$", description="Part of the name or definition"
    )


class MetricOut(Schema):
    id: int
    url: str
    name: str
    kind: MetricKind
    unit: str
    direction: Direction
    rate_per: int = Field(description="Counts and rates: events per this much exposure")
    definition: str
    source: str
    visibility: Visibility
    organisation: str = Field(alias="organisation.slug", description="The owner's slug")
    organisation_name: str = Field(alias="organisation.name")
    updated_at: datetime

    @staticmethod
    def resolve_url(obj: Metric) -> str:
        return site_url(obj.get_absolute_url())


class MetricDetailOut(MetricOut):
    figure_count: int
    observations_url: str = Field(description="The figures, a page at a time")


class ObservationOut(Schema):
    organisation: str = Field(alias="organisation.slug")
    period_start: date
    period_end: date | None
    label: str
    value: float = Field(description="Proportions are fractions from 0 to 1")
    numerator: float | None
    denominator: float | None
    recorded_at: datetime


@router.get("/metrics", response=with_problems(list[MetricOut]))
@paginate(Pages)
def list_metrics(request: HttpRequest, filters: Query[MetricFilter]):
    kind = filters.kind.value if filters.kind else ""
    return selectors.metrics_visible_to(request.user, kind=kind, query=filters.q.strip())


@router.get("/metrics/{id}", response=with_problems(MetricDetailOut, 404))
def get_metric(request: HttpRequest, id: int = MetricId):
    from django.urls import reverse

    metric = selectors.access_metric(request.user, id)
    metric.figure_count = metric.observations.count()  # type: ignore[attr-defined]
    metric.observations_url = site_url(  # type: ignore[attr-defined]
        reverse("api:list_metric_observations", kwargs={"id": metric.pk})
    )
    return metric


@router.get("/metrics/{id}/observations", response=with_problems(list[ObservationOut], 404))
@paginate(Pages)
def list_metric_observations(request: HttpRequest, id: int = MetricId):
    metric = selectors.access_metric(request.user, id)
    return selectors.metric_observations(metric)


class ObservationIn(BaseModel):
    # A plain pydantic model, not a ninja Schema: ninja's per-object validator (which reads
    # Django objects) cost a third of a 1,000-row call (bench/evidence_api.py).
    period_start: date = Field(description="The day the period starts, such as 2026-11-01")
    period_end: date | None = Field(None, description="The day it ends, if it is a span")
    label: str = Field("", max_length=50, description="How you name the period: 'Nov 2026'")
    value: float | None = Field(
        None,
        description="The figure (proportions as fractions from 0 to 1); may be left out when "
        "numerator and denominator are given",
    )
    numerator: float | None = None
    denominator: float | None = None
    unit: str | None = Field(
        None, max_length=50, description="If given, checked against the metric's unit"
    )


class ObservationsIn(Schema):
    observations: list[ObservationIn] = Field(
        ..., min_length=1, max_length=observations_bulk.MAX_ROWS
    )
    replace: bool = Field(
        False,
        description="Replace figures already recorded for these periods with different ones "
        "(audited). Without it such a row is refused.",
    )


class ObservationsPostedOut(Schema):
    metric: int
    created: int = Field(description="Periods recorded for the first time")
    replaced: int = Field(description="Periods whose figure was replaced (with replace=true)")
    unchanged: int = Field(description="Periods sent with the figure already recorded")


def _own_metric(request: HttpRequest, id: int) -> Metric:
    """The key's organisation's own metric; any other (seen or not) is not found."""
    metric = (
        Metric.objects.select_related("organisation")
        .filter(pk=id, organisation=key_organisation(request))
        .first()
    )
    if metric is None:
        raise Http404("No metric with that id belongs to this key's organisation.")
    return metric


@router.post(
    "/metrics/{id}/observations",
    response=with_problems(ObservationsPostedOut, 401, 403, 404, 409),
    summary="Post figures to a metric",
    description="Send many periods' figures for one of the key's organisation's metrics. "
    "Every row is checked first: a period in the future, a unit that is not the metric's, "
    "the same period twice with different figures, or a different figure for a period "
    "already recorded (unless `replace` is true) is refused with a 422 problem listing each "
    "row (from 0) and field. Nothing is written unless every row is right. A row the same as "
    "the figure already recorded changes nothing. Send an `Idempotency-Key` header to make a "
    "retry safe: the same key and body answer the first answer again; the same key with a "
    "different body is refused.",
    **key_with(ApiScope.MEASURES_WRITE.value),
)
def post_metric_observations(
    request: HttpRequest,
    response: HttpResponse,
    payload: ObservationsIn,
    id: int = MetricId,
):
    metric = _own_metric(request, id)

    def write() -> dict[str, int]:
        rows = [
            observations_bulk.BulkRow(
                period_start=row.period_start,
                value=row.value,
                period_end=row.period_end,
                label=row.label,
                numerator=row.numerator,
                denominator=row.denominator,
                unit=row.unit,
            )
            for row in payload.observations
        ]
        try:
            outcome = observations_bulk.observations_post(
                metric=metric, rows=rows, replace=payload.replace
            )
        except observations_bulk.BulkRefused as refused:
            raise ApiProblem(
                422,
                "Some rows are not valid",
                f"{refused.count:,} problem(s) in the rows sent. Nothing was written.",
                errors=[
                    {"row": p.row, "field": p.field, "message": p.message} for p in refused.problems
                ],
            ) from refused
        except observations_bulk.BulkConflict as conflict:
            raise ApiProblem(409, "The figures changed meanwhile", conflict.messages[0]) from None
        return {
            "metric": metric.pk,
            "created": outcome.created,
            "replaced": outcome.replaced,
            "unchanged": outcome.unchanged,
        }

    return idempotent(request, response, 200, write)
