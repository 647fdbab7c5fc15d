"""API endpoints for metrics and their figures, reading through the same selectors as the pages.

Visibility holds exactly as on the pages: a metric (and every figure recorded for it) is
seen by whoever may see the metric; anything else is a 404.
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from whatworks.core.api import Pages, with_problems
from whatworks.core.visibility import Visibility
from whatworks.measures import selectors
from whatworks.measures.models import Direction, Metric, MetricKind
from whatworks.organisations.models import site_url

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
