"""API endpoints for the register, reading through the same functions as the pages.

`GET /api/initiatives` takes the browse page's filters (each facet may repeat:
`?service_area=waste&service_area=housing`); `GET /api/initiatives/{id}` gives one record.
Visibility, embargo and pseudonymity hold exactly as on the pages: the owner is
`owner_label()`, partners are given by kind only, and no person is named.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints

from whatworks.core.api import Pages, with_problems
from whatworks.initiatives.filters import FACETS, Filters, Sort
from whatworks.initiatives.finding import find
from whatworks.initiatives.ledger import LedgerTotals, summarise
from whatworks.initiatives.models import (
    MARYLAND_LEVEL,
    Collaboration,
    EvaluationDesign,
    FailureCause,
    Initiative,
    InitiativeTag,
    Mechanism,
    ServiceArea,
    Status,
    owner_label,
)
from whatworks.initiatives.selectors import initiative_for_page, replications_visible_to
from whatworks.initiatives.similar_councils import reader_council
from whatworks.organisations.models import OrganisationKind, site_url

router = Router(tags=["Initiatives"])

# Free-text facet values (council type, region): short, and no NUL (PostgreSQL refuses it).
DataValue = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
Level = Annotated[int, Field(ge=1, le=5)]
VerdictFilter = Literal["met", "not_met", "inconclusive", "none"]
CostBand = Literal["under-10k", "10k-100k", "100k-1m", "over-1m", "none"]


class InitiativeFilter(Schema):
    q: str = Field("", max_length=200, pattern=r"^[^\x00]*$", description="Words to search for")
    service_area: list[ServiceArea] = Field(default_factory=list)
    collaboration: list[Collaboration] = Field(default_factory=list)
    mechanism: list[Mechanism] = Field(default_factory=list, description="EAST and MINDSPACE")
    verdict: list[VerdictFilter] = Field(default_factory=list)
    failure_cause: list[FailureCause] = Field(default_factory=list)
    status: list[Status] = Field(default_factory=list)
    evidence_level: list[Level] = Field(
        default_factory=list, description="Maryland Scientific Methods Scale, 1 to 5"
    )
    council_type: list[DataValue] = Field(
        default_factory=list, description="Register code of the owner's type, e.g. NMD"
    )
    region: list[DataValue] = Field(default_factory=list)
    partner_kind: list[OrganisationKind] = Field(default_factory=list)
    cost_band: list[CostBand] = Field(default_factory=list)
    outcome: Literal["worked", "did-not-work"] | None = None
    organisation: str = Field(
        "", max_length=100, pattern=r"^[-a-zA-Z0-9_]*$", description="One owner's records, by slug"
    )
    sort: Literal["relevance", "newest", "evidence", "similar"] | None = Field(
        None, description="'similar': councils like the caller's own first"
    )

    def to_filters(self) -> Filters:
        selected: dict[str, tuple[str, ...]] = {}
        for facet in FACETS:
            values = getattr(self, facet.name)
            if values:
                selected[facet.name] = tuple(
                    dict.fromkeys(str(getattr(v, "value", v)) for v in values)
                )
        return Filters(
            q=self.q.strip(),
            selected=selected,
            outcome=self.outcome or "",
            sort=self.sort or "",
            organisation=self.organisation,
        )


def _viewer(context: Any) -> Any:
    return context["request"].user


class InitiativeFieldsOut(Schema):
    id: int
    url: str
    title: str
    summary: str
    owner: str = Field(description="The owner's name, or its pseudonym for outsiders")
    owner_type: str
    owner_region: str
    service_area: ServiceArea
    status: Status
    verdict: str = Field(description="met, not_met, inconclusive, or empty: no result yet")
    evidence_level: int | None
    failure_cause: str
    updated_at: datetime


class InitiativeSummaryOut(InitiativeFieldsOut):
    """One record in a list: the fields are read from the model, the owner per reader."""

    @staticmethod
    def resolve_url(obj: Initiative) -> str:
        return site_url(obj.get_absolute_url())

    @staticmethod
    def resolve_owner(obj: Initiative, context: Any) -> str:
        return owner_label(obj, _viewer(context))

    @staticmethod
    def resolve_owner_type(obj: Initiative) -> str:
        la = obj.organisation.local_authority
        return la.authority_type_name if la else obj.organisation.get_kind_display()

    @staticmethod
    def resolve_owner_region(obj: Initiative) -> str:
        la = obj.organisation.local_authority
        return (la.region or la.nation) if la else ""


class FigureOut(Schema):
    label: str = Field(description="An arm, a group, or before/after the start")
    text: str = Field(description="What was observed there")
    n: int | None = Field(description="Units with an outcome (or periods, for a series)")
    allocated: int | None = Field(description="Units allocated (trials)")


class JudgementOut(Schema):
    verdict: str
    reason: str
    criterion: dict[str, Any]
    judged_at: datetime
    post_hoc: bool = Field(description="Judged against a criterion amended after outcomes")


class ResultOut(Schema):
    is_primary: bool
    primary_reason: str
    value: float | None = Field(description="A level recorded by hand, in the goal's unit")
    ci_low: float | None
    ci_high: float | None
    measure: str = Field(description="For a trial or series: what the effect measures")
    effect: float | None = Field(description="The effect in the goal's unit (or the rate ratio)")
    effect_low: float | None
    effect_high: float | None
    effect_unit: str
    figures: list[FigureOut]
    design: EvaluationDesign
    evidence_level: int
    sample_size: int | None = Field(description="Units analysed (with an outcome)")
    criterion: dict[str, Any] = Field(description="The goal as it was judged under")
    method: str
    caveats: list[str]
    verdict: str
    verdict_reason: str
    recorded_at: datetime
    judged_again: list[JudgementOut] = Field(
        description="Later judgements against amended criteria; the verdict above stands"
    )


class GoalOut(Schema):
    is_primary: bool
    metric_name: str
    unit: str
    definition: str
    data_source: str
    direction: str
    baseline_value: float | None
    baseline_period: str
    baseline_source: str
    target_value: float
    success_threshold: float
    judge_by: date | None
    locked: bool
    changed_after_start: bool
    result: ResultOut | None = Field(description="The primary result")
    results: list[ResultOut] = Field(description="Every result, the primary one first")


class TotalsOut(Schema):
    upfront_cost: float
    recurring_cost_a_year: float
    one_off_savings: float
    recurring_savings_a_year: float
    cashable_savings_a_year: float
    first_year_net: float
    payback_months: float | None


class LedgerOut(Schema):
    realised: TotalsOut
    with_estimates: TotalsOut = Field(description="Realised plus estimated figures, labelled")
    has_estimates: bool


class StatusChangeOut(Schema):
    from_status: str
    to_status: Status
    reason: str
    changed_at: datetime


class PartnerOut(Schema):
    kind: OrganisationKind
    part: str


class ReplicationOut(Schema):
    id: int
    url: str
    title: str
    owner: str
    status: Status
    verdict: str


class InitiativeOut(InitiativeFieldsOut):
    problem: str
    what_was_done: str
    who_it_reached: str
    people_reached: int | None
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    collaborations: list[Collaboration]
    mechanisms: list[Mechanism]
    partners: list[PartnerOut]
    lessons: str
    do_differently: str
    withdrawn_reason: str
    goals: list[GoalOut]
    ledger: LedgerOut
    status_history: list[StatusChangeOut]
    replications: list[ReplicationOut]


@router.get("/initiatives", response=with_problems(list[InitiativeSummaryOut]))
@paginate(Pages)
def list_initiatives(request: HttpRequest, filters: Query[InitiativeFilter]):
    chosen = filters.to_filters()
    reader = reader_council(request.user) if chosen.sort == Sort.SIMILAR else None
    return find(request.user, chosen, reader=reader).results


def _totals(totals: LedgerTotals) -> dict[str, Any]:
    return {
        "upfront_cost": float(totals.upfront_cost),
        "recurring_cost_a_year": float(totals.recurring_cost),
        "one_off_savings": float(totals.one_off_savings),
        "recurring_savings_a_year": float(totals.recurring_savings),
        "cashable_savings_a_year": float(totals.cashable_savings),
        "first_year_net": float(totals.first_year_net),
        "payback_months": None if totals.payback_months is None else float(totals.payback_months),
    }


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else value * scale


def _result(result: Any) -> dict[str, Any]:
    scale = result.effect_scale
    return {
        "is_primary": result.is_primary,
        "primary_reason": result.primary_reason,
        "value": result.value,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "measure": result.measure,
        "effect": _scaled(result.effect, scale),
        "effect_low": _scaled(result.effect_low, scale),
        "effect_high": _scaled(result.effect_high, scale),
        "effect_unit": result.effect_unit,
        "figures": [
            {key: row.get(key) for key in ("label", "text", "n", "allocated")}
            for row in result.figures
        ],
        "design": result.design,
        "evidence_level": MARYLAND_LEVEL[EvaluationDesign(result.design)],
        "sample_size": result.sample_size,
        "criterion": result.criterion,
        "method": result.method,
        "caveats": list(result.caveats),
        "verdict": result.verdict,
        "verdict_reason": result.verdict_reason,
        "recorded_at": result.recorded_at,
        "judged_again": [
            {
                "verdict": j.verdict,
                "reason": j.reason,
                "criterion": j.criterion,
                "judged_at": j.judged_at,
                "post_hoc": bool(j.amendment and j.amendment.post_hoc),
            }
            for j in result.judgements.all()
        ],
    }


def _goal(goal: Any) -> dict[str, Any]:
    results = list(goal.results.all())
    primary = next((r for r in results if r.is_primary), None)
    return {
        **{
            name: getattr(goal, name)
            for name in (
                "is_primary",
                "metric_name",
                "unit",
                "definition",
                "data_source",
                "direction",
                "baseline_value",
                "baseline_period",
                "baseline_source",
                "target_value",
                "success_threshold",
                "judge_by",
            )
        },
        "locked": goal.locked_at is not None,
        "changed_after_start": bool(goal.amendments.all()),
        "result": None if primary is None else _result(primary),
        "results": [_result(r) for r in results],
    }


@router.get("/initiatives/{id}", response=with_problems(InitiativeOut, 404))
def get_initiative(
    request: HttpRequest,
    id: int = Path(..., ge=1, le=2_147_483_647),
):
    initiative = initiative_for_page(request.user, id)
    user = request.user
    ledger = summarise(initiative.ledger.all())
    tags = list(initiative.tags.all())
    la = initiative.organisation.local_authority
    return {
        **{
            name: getattr(initiative, name)
            for name in (
                "id",
                "title",
                "summary",
                "service_area",
                "status",
                "verdict",
                "evidence_level",
                "failure_cause",
                "updated_at",
                "problem",
                "what_was_done",
                "who_it_reached",
                "people_reached",
                "planned_start",
                "planned_end",
                "actual_start",
                "actual_end",
                "lessons",
                "do_differently",
                "withdrawn_reason",
            )
        },
        "url": site_url(initiative.get_absolute_url()),
        "owner": owner_label(initiative, user),
        "owner_type": la.authority_type_name if la else initiative.organisation.get_kind_display(),
        "owner_region": (la.region or la.nation) if la else "",
        "collaborations": sorted(
            t.value for t in tags if t.kind == InitiativeTag.Kind.COLLABORATION
        ),
        "mechanisms": sorted(t.value for t in tags if t.kind == InitiativeTag.Kind.MECHANISM),
        "partners": [
            {"kind": p.organisation.kind, "part": p.part} for p in initiative.partners.all()
        ],
        "goals": [_goal(goal) for goal in initiative.goals.all()],
        "ledger": {
            "realised": _totals(ledger.realised),
            "with_estimates": _totals(ledger.with_estimates),
            "has_estimates": ledger.has_estimates,
        },
        "status_history": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "reason": change.reason,
                "changed_at": change.changed_at,
            }
            for change in initiative.status_changes.all()
        ],
        "replications": [
            {
                "id": copy.pk,
                "url": site_url(copy.get_absolute_url()),
                "title": copy.title,
                "owner": owner_label(copy, user),
                "status": copy.status,
                "verdict": copy.verdict,
            }
            for copy in replications_visible_to(user, initiative)
        ],
    }
