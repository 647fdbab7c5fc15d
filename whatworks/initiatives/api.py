"""API endpoints for the register, reading through the same functions as the pages.

`GET /api/initiatives` takes the browse page's filters (each facet may repeat:
`?service_area=waste&service_area=housing`); `GET /api/initiatives/{id}` gives one record.
Visibility, embargo and pseudonymity hold exactly as on the pages: the owner is
`owner_label()`, partners are given by kind only, and no person is named.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints

from whatworks.core.api import ApiProblem, Pages, refusal, with_problems
from whatworks.core.visibility import Visibility
from whatworks.initiatives import services
from whatworks.initiatives.filters import FACETS, Filters, Sort
from whatworks.initiatives.finding import find
from whatworks.initiatives.ledger import LedgerTotals, summarise
from whatworks.initiatives.models import (
    DESCRIPTION_FIELDS,
    GOAL_FIELDS,
    MARYLAND_LEVEL,
    Collaboration,
    EvaluationDesign,
    FailureCause,
    Goal,
    Initiative,
    InitiativeTag,
    Mechanism,
    ServiceArea,
    Status,
    owner_label,
)
from whatworks.initiatives.selectors import initiative_for_page, replications_visible_to
from whatworks.initiatives.similar_councils import reader_council
from whatworks.measures.selectors import metrics_visible_to
from whatworks.organisations.api_auth import idempotent, key_organisation, key_person, key_with
from whatworks.organisations.models import ApiScope, Organisation, OrganisationKind, site_url

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
    id: int
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
    baseline_rule: str = Field(description="'' (typed in), last_periods or same_months")
    baseline_periods: int | None
    measured_design: str = Field(description="'' (by hand or a trial), before_after or comparison")
    comparison_metric_id: int | None
    comparison_organisation: str | None = Field(
        description="Slug of the organisation whose figures of the comparison metric are used "
        "(null: the goal's own organisation)"
    )
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
            for name in ("id", "is_primary", "comparison_metric_id", *GOAL_FIELDS)
            if name not in ("metric", "comparison_metric", "comparison_organisation")
        },
        "comparison_organisation": (
            goal.comparison_organisation.slug if goal.comparison_organisation_id else None
        ),
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
                *DESCRIPTION_FIELDS,
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


# --------------------------------------------------------------------------------------------
# Writes (a key with register:write): the organisation's own draft records, their goals and
# results, through the same services as the pages, with the same refusals.
# --------------------------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(max_length=5000, pattern=r"^[^\x00]*$")]
ShortText = Annotated[str, StringConstraints(max_length=300, pattern=r"^[^\x00]*$")]
SlugText = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[-a-z0-9_]+$")]
DRAFT_STATUSES = (Status.IDEA, Status.PLANNED)


class InitiativeChangeIn(Schema):
    """Fields of a draft record; on a change, only those sent are changed."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
    summary: Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=r"^[^\x00]*$")]
    service_area: ServiceArea
    problem: Text = ""
    what_was_done: Text = ""
    who_it_reached: ShortText = ""
    people_reached: int | None = Field(None, ge=0, le=2_147_483_647)
    planned_start: date | None = None
    planned_end: date | None = None
    visibility: Visibility = Field(Visibility.PRIVATE, description="private, peers or public")
    pseudonymous: bool = False
    embargo_until: date | None = None
    collaborations: list[Collaboration] = Field(default_factory=list)
    mechanisms: list[Mechanism] = Field(default_factory=list)


class InitiativeIn(InitiativeChangeIn):
    status: Literal["idea", "planned"] = Field("idea", description="A new record is a draft")


class InitiativePatchIn(Schema):
    title: (
        Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
        | None
    ) = None
    summary: (
        Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=r"^[^\x00]*$")]
        | None
    ) = None
    service_area: ServiceArea | None = None
    problem: Text | None = None
    what_was_done: Text | None = None
    who_it_reached: ShortText | None = None
    people_reached: int | None = Field(None, ge=0, le=2_147_483_647)
    planned_start: date | None = None
    planned_end: date | None = None
    visibility: Visibility | None = None
    pseudonymous: bool | None = None
    embargo_until: date | None = None
    collaborations: list[Collaboration] | None = None
    mechanisms: list[Mechanism] | None = None


class WrittenOut(Schema):
    id: int
    url: str
    status: Status


class GoalIn(Schema):
    metric: int | None = Field(
        None, ge=1, le=2_147_483_647, description="A metric the organisation can see (optional)"
    )
    metric_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    definition: Text = ""
    data_source: ShortText = ""
    direction: Literal["higher", "lower"]
    baseline_value: float | None = Field(None, allow_inf_nan=False)
    baseline_period: Annotated[str, StringConstraints(max_length=100)] = ""
    baseline_source: ShortText = ""
    target_value: float = Field(..., allow_inf_nan=False)
    success_threshold: float = Field(..., allow_inf_nan=False)
    judge_by: date | None = None
    baseline_rule: Literal["", "last_periods", "same_months"] = Field(
        "", description="'' (typed in), or taken from the metric's figures before the start"
    )
    baseline_periods: int | None = Field(None, ge=1, le=120)
    measured_design: Literal["", "before_after", "comparison"] = Field(
        "", description="'' (by hand or a trial), or computed from the metric on judge_by"
    )
    comparison_metric: int | None = Field(None, ge=1, le=2_147_483_647)
    comparison_organisation: SlugText | None = Field(
        None, description="Slug of a comparable organisation (a comparison series)"
    )
    is_primary: bool = False


class GoalPatchIn(Schema):
    metric: int | None = Field(None, ge=1, le=2_147_483_647)
    metric_name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    unit: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None
    definition: Text | None = None
    data_source: ShortText | None = None
    direction: Literal["higher", "lower"] | None = None
    baseline_value: float | None = Field(None, allow_inf_nan=False)
    baseline_period: Annotated[str, StringConstraints(max_length=100)] | None = None
    baseline_source: ShortText | None = None
    target_value: float | None = Field(None, allow_inf_nan=False)
    success_threshold: float | None = Field(None, allow_inf_nan=False)
    judge_by: date | None = None
    baseline_rule: Literal["", "last_periods", "same_months"] | None = None
    baseline_periods: int | None = Field(None, ge=1, le=120)
    measured_design: Literal["", "before_after", "comparison"] | None = None
    comparison_metric: int | None = Field(None, ge=1, le=2_147_483_647)
    comparison_organisation: SlugText | None = None
    reason: Text = Field(
        "",
        description="Why a locked goal is changing (required then, as on the pages: the "
        "change is kept as an amendment beside the original)",
    )


class GoalWrittenOut(Schema):
    id: int
    initiative: int
    locked: bool


class ResultIn(Schema):
    value: float = Field(..., allow_inf_nan=False, description="The level, in the goal's unit")
    design: EvaluationDesign
    ci_low: float | None = Field(None, allow_inf_nan=False)
    ci_high: float | None = Field(None, allow_inf_nan=False)
    sample_size: int | None = Field(None, ge=1, le=2_147_483_647)
    source: ShortText = ""


class ResultWrittenOut(Schema):
    id: int
    goal: int
    verdict: str
    verdict_reason: str
    is_primary: bool


InitiativeId = Path(..., ge=1, le=2_147_483_647)
GoalId = Path(..., ge=1, le=2_147_483_647)
REGISTER_WRITE = key_with(ApiScope.REGISTER_WRITE.value)


def _own_initiative(request: HttpRequest, id: int) -> Initiative:
    initiative = Initiative.objects.filter(pk=id, organisation=key_organisation(request)).first()
    if initiative is None:
        raise Http404("No initiative with that id belongs to this key's organisation.")
    return initiative


def _own_goal(request: HttpRequest, id: int, goal_id: int) -> Goal:
    initiative = _own_initiative(request, id)
    goal = Goal.objects.select_related("initiative").filter(pk=goal_id, initiative=initiative)
    found = goal.first()
    if found is None:
        raise Http404("That initiative has no goal with that id.")
    return found


def _metric_for(request: HttpRequest, metric_id: int | None, field: str = "metric") -> Any:
    if metric_id is None:
        return None
    metric = metrics_visible_to(request.user).filter(pk=metric_id).first()
    if metric is None:
        raise ApiProblem(
            422,
            "Some values are not valid",
            errors=[{"field": field, "message": "There is no metric with that id you can see"}],
        )
    return metric


def _organisation_for(slug: str | None) -> Organisation | None:
    if slug is None:
        return None
    organisation = Organisation.objects.filter(slug=slug, is_active=True).first()
    if organisation is None:
        raise ApiProblem(
            422,
            "Some values are not valid",
            errors=[
                {
                    "field": "comparison_organisation",
                    "message": "There is no organisation with that slug",
                }
            ],
        )
    return organisation


def _goal_references(request: HttpRequest, fields: dict[str, Any]) -> dict[str, Any]:
    """The metrics and organisation a goal names, by id and slug, as the records they are."""
    for name in ("metric", "comparison_metric"):
        if name in fields:
            fields[name] = _metric_for(request, fields[name], field=name)
    if "comparison_organisation" in fields:
        fields["comparison_organisation"] = _organisation_for(fields["comparison_organisation"])
    return fields


def _written(initiative: Initiative) -> dict[str, Any]:
    return {
        "id": initiative.pk,
        "url": site_url(initiative.get_absolute_url()),
        "status": initiative.status,
    }


@router.post(
    "/initiatives",
    response=with_problems(WrittenOut, 401, 403, 409, success=201),
    summary="Register a draft initiative",
    description="Create a record for the key's organisation, as an idea or planned. Add its "
    "goals next; it starts (and its goals lock) on the register's pages.",
    **REGISTER_WRITE,
)
def create_initiative(request: HttpRequest, response: HttpResponse, payload: InitiativeIn):
    organisation = key_organisation(request)
    # The register asks who registered a record, with the admins, for its follow-ups.
    maker = key_person(request)

    def write() -> dict[str, Any]:
        fields: dict[str, Any] = {k: getattr(v, "value", v) for k, v in payload.dict().items()}
        fields["collaborations"] = [getattr(v, "value", v) for v in fields["collaborations"]]
        fields["mechanisms"] = [getattr(v, "value", v) for v in fields["mechanisms"]]
        try:
            initiative = services.initiative_create(
                organisation=organisation, actor=maker, **fields
            )
        except ValidationError as error:
            raise refusal(error, "The initiative cannot be registered") from None
        return _written(initiative)

    return idempotent(request, response, 201, write)


@router.patch(
    "/initiatives/{id}",
    response=with_problems(WrittenOut, 401, 403, 404, 409),
    summary="Change a draft initiative",
    description="Change the fields sent, on a record that is still a draft (an idea or "
    "planned). A started record is changed on its pages, where a change is shown to readers.",
    **REGISTER_WRITE,
)
def update_initiative(
    request: HttpRequest,
    response: HttpResponse,
    payload: InitiativePatchIn,
    id: int = InitiativeId,
):
    initiative = _own_initiative(request, id)

    def write() -> dict[str, Any]:
        if initiative.status not in DRAFT_STATUSES:
            raise ApiProblem(
                409,
                "Only a draft can be changed through the API",
                f"This record is {initiative.get_status_display().lower()}; change it on its page.",
            )
        fields = {
            k: (v.value if hasattr(v, "value") else v)
            for k, v in payload.dict(exclude_unset=True).items()
        }
        for name in ("collaborations", "mechanisms"):
            if name in fields and fields[name] is not None:
                fields[name] = [getattr(v, "value", v) for v in fields[name]]
        nulls = [k for k in ("title", "summary", "service_area", "visibility") if k in fields]
        if any(fields[k] is None for k in nulls):
            raise ApiProblem(
                422,
                "Some values are not valid",
                errors=[
                    {"field": k, "message": "Enter a value, or leave the field out"}
                    for k in nulls
                    if fields[k] is None
                ],
            )
        try:
            changed = services.initiative_update(
                initiative=initiative,
                actor=None,  # type: ignore[arg-type]
                **fields,
            )
        except ValidationError as error:
            raise refusal(error, "The initiative cannot be changed") from None
        return _written(changed)

    return idempotent(request, response, 200, write)


@router.post(
    "/initiatives/{id}/goals",
    response=with_problems(GoalWrittenOut, 401, 403, 404, 409, success=201),
    summary="Add a goal to a draft initiative",
    description="Goals lock when the initiative starts: a started record's goals cannot be "
    "added to (409), as on its pages.",
    **REGISTER_WRITE,
)
def add_goal(request: HttpRequest, response: HttpResponse, payload: GoalIn, id: int = InitiativeId):
    initiative = _own_initiative(request, id)

    def write() -> dict[str, Any]:
        fields = _goal_references(request, payload.dict())
        try:
            goal = services.goal_add(
                initiative=initiative,
                actor=None,  # type: ignore[arg-type]
                **fields,
            )
        except ValidationError as error:
            raise refusal(error, "The goal cannot be added") from None
        return {"id": goal.pk, "initiative": initiative.pk, "locked": goal.locked_at is not None}

    return idempotent(request, response, 201, write)


@router.patch(
    "/initiatives/{id}/goals/{goal_id}",
    response=with_problems(GoalWrittenOut, 401, 403, 404, 409),
    summary="Change a goal",
    description="Change the fields sent. A locked goal (the initiative has started, or a "
    "trial's plan fixed it) changes only as on its page: with a `reason`, kept as an "
    "amendment beside the original; without one it is refused.",
    **REGISTER_WRITE,
)
def update_goal(
    request: HttpRequest,
    response: HttpResponse,
    payload: GoalPatchIn,
    id: int = InitiativeId,
    goal_id: int = GoalId,
):
    goal = _own_goal(request, id, goal_id)

    def write() -> dict[str, Any]:
        fields = payload.dict(exclude_unset=True)
        reason = fields.pop("reason", "")
        fields = _goal_references(request, fields)
        for name in ("baseline_rule", "measured_design"):
            if name in fields and fields[name] is None:
                fields[name] = ""  # null clears it, as an empty choice does on the page
        try:
            changed = services.goal_update(
                goal=goal,
                actor=None,  # type: ignore[arg-type]
                reason=reason,
                **fields,
            )
        except ValidationError as error:
            raise refusal(error, "The goal cannot be changed") from None
        return {
            "id": changed.pk,
            "initiative": changed.initiative_id,
            "locked": changed.locked_at is not None,
        }

    return idempotent(request, response, 200, write)


@router.post(
    "/initiatives/{id}/goals/{goal_id}/results",
    response=with_problems(ResultWrittenOut, 401, 403, 404, 409, success=201),
    summary="Record a goal's result",
    description="Record the level measured, judged against the goal's locked criterion as on "
    "the goal's page (a single figure without an interval is inconclusive). The initiative "
    "must have started (409 otherwise). The first result is the primary one.",
    **REGISTER_WRITE,
)
def record_result(
    request: HttpRequest,
    response: HttpResponse,
    payload: ResultIn,
    id: int = InitiativeId,
    goal_id: int = GoalId,
):
    goal = _own_goal(request, id, goal_id)

    def write() -> dict[str, Any]:
        fields = payload.dict()
        fields["design"] = getattr(fields["design"], "value", fields["design"])
        try:
            result = services.result_record(
                goal=goal,
                actor=key_person(request),
                **fields,
            )
        except ValidationError as error:
            raise refusal(error, "The result cannot be recorded") from None
        return {
            "id": result.pk,
            "goal": goal.pk,
            "verdict": result.verdict,
            "verdict_reason": result.verdict_reason,
            "is_primary": result.is_primary,
        }

    return idempotent(request, response, 201, write)
