"""Writes to the register. Each is atomic, audited, and raises ValidationError on bad input."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from whatworks.core import audit
from whatworks.initiatives import hooks
from whatworks.initiatives.models import (
    GOAL_FIELDS,
    INITIATIVE_FIELDS,
    NEXT_STATUSES,
    Decision,
    DraftState,
    Goal,
    GoalAmendment,
    GoalResult,
    Initiative,
    InitiativeTag,
    LedgerLine,
    Partner,
    PrimaryResultChange,
    ResultDraft,
    ResultJudgement,
    Status,
    StatusChange,
    SustainabilityCheck,
)
from whatworks.initiatives.outcomes import outcomes_seen
from whatworks.initiatives.signals import touched
from whatworks.initiatives.verdicts import judge_level, judge_result
from whatworks.measures import evidence
from whatworks.organisations.models import Organisation, User

SUSTAINABILITY_MONTHS = (12, 24, 36)
MAX_EMBARGO_DAYS = 366


def _check_embargo(embargo_until: Any) -> None:
    if embargo_until and embargo_until > timezone.localdate() + timedelta(days=MAX_EMBARGO_DAYS):
        raise ValidationError({"embargo_until": "An embargo can last at most 12 months."})


def _set_tags(initiative: Initiative, kind: str, values: Iterable[str]) -> None:
    wanted = set(values)
    initiative.tags.filter(kind=kind).exclude(value__in=wanted).delete()
    have = set(initiative.tags.filter(kind=kind).values_list("value", flat=True))
    InitiativeTag.objects.bulk_create(
        InitiativeTag(initiative=initiative, kind=kind, value=v) for v in sorted(wanted - have)
    )


def _refuse_if_withdrawn(initiative: Initiative) -> None:
    if initiative.status == Status.WITHDRAWN:
        raise ValidationError("This record has been withdrawn and can no longer be changed.")


@transaction.atomic
def initiative_create(
    *,
    organisation: Organisation,
    actor: User,
    collaborations: Iterable[str] = (),
    mechanisms: Iterable[str] = (),
    replicated_from: Initiative | None = None,
    status: str = Status.IDEA,
    **fields: Any,
) -> Initiative:
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown initiative fields: {sorted(unknown)}")
    if status not in (Status.IDEA, Status.PLANNED):
        raise ValidationError({"status": "A new initiative starts as an idea or planned."})
    _check_embargo(fields.get("embargo_until"))
    initiative = Initiative(
        organisation=organisation,
        created_by=actor,
        replicated_from=replicated_from,
        status=status,
        **fields,
    )
    initiative.full_clean()
    initiative.save()
    _set_tags(initiative, InitiativeTag.Kind.COLLABORATION, collaborations)
    _set_tags(initiative, InitiativeTag.Kind.MECHANISM, mechanisms)
    StatusChange.objects.create(
        initiative=initiative,
        from_status="",
        to_status=status,
        changed_by=actor,
        reason="Replicated from another record" if replicated_from else "Registered",
    )
    audit.record("initiative.created", actor=actor, obj=initiative, organisation=organisation)
    hooks.record_created.run(initiative)
    return initiative


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    actor: User,
    collaborations: Iterable[str] | None = None,
    mechanisms: Iterable[str] | None = None,
    **fields: Any,
) -> Initiative:
    _refuse_if_withdrawn(initiative)
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown initiative fields: {sorted(unknown)}")
    _check_embargo(fields.get("embargo_until"))
    stored = Initiative.objects.get(pk=initiative.pk)  # the form may have set the values already
    changed = sorted(k for k, v in fields.items() if getattr(stored, k) != v)
    for name, value in fields.items():
        setattr(initiative, name, value)
    initiative.full_clean()
    initiative.save()
    if collaborations is not None:
        _set_tags(initiative, InitiativeTag.Kind.COLLABORATION, collaborations)
    if mechanisms is not None:
        _set_tags(initiative, InitiativeTag.Kind.MECHANISM, mechanisms)
    audit.record(
        "initiative.updated",
        actor=actor,
        obj=initiative,
        organisation=initiative.organisation,
        detail={"fields": changed},
    )
    hooks.record_updated.run(initiative)
    return initiative


@transaction.atomic
def partner_add(
    *, initiative: Initiative, organisation: Organisation, part: str, actor: User
) -> Partner:
    _refuse_if_withdrawn(initiative)
    if organisation.pk == initiative.organisation_id:
        raise ValidationError({"organisation": "The owning organisation is not a partner."})
    if initiative.partners.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} is already a partner."})
    partner = Partner.objects.create(initiative=initiative, organisation=organisation, part=part)
    audit.record(
        "initiative.partner_added",
        actor=actor,
        obj=initiative,
        organisation=initiative.organisation,
        detail={"partner": organisation.name},
    )
    return partner


@transaction.atomic
def partner_remove(*, partner: Partner, actor: User) -> None:
    _refuse_if_withdrawn(partner.initiative)
    audit.record(
        "initiative.partner_removed",
        actor=actor,
        obj=partner.initiative,
        organisation=partner.initiative.organisation,
        detail={"partner": partner.organisation.name},
    )
    partner.delete()


def _validate_goal(goal: Goal) -> None:
    goal.full_clean(exclude=["initiative"])


def _goal_start(initiative: Initiative) -> Any:
    return initiative.actual_start or initiative.planned_start


def _propose_baseline(goal: Goal, start: Any = None) -> None:
    """Fill a goal's baseline from its metric by its rule (before it is locked): the value, the
    periods it covers and the rule in words. Raises ValidationError naming the rule's field when
    the figures cannot give one."""
    if not goal.baseline_rule or goal.metric_id is None or goal.locked_at is not None:
        return
    metric = goal.metric
    assert metric is not None  # metric_id is set
    proposal = evidence.propose_baseline(
        metric=metric,
        organisation_id=goal.initiative.organisation_id,
        start=start or _goal_start(goal.initiative),
        rule=goal.baseline_rule,
        periods=goal.baseline_periods,
        until=goal.judge_by,
        scale=evidence.goal_scale(metric, goal.unit),
    )
    if proposal.value is None:
        raise ValidationError({"baseline_rule": proposal.refusal})
    goal.baseline_value = round(proposal.value, 6)
    goal.baseline_period = proposal.period[:100]
    goal.baseline_source = proposal.source[:300]


def _offers(initiative: Initiative) -> list[hooks.MetricOffer]:
    return [offer for provider in hooks.goal_metrics for offer in provider(initiative)]


def _link_offered_metric(goal: Goal, offers: list[hooks.MetricOffer]) -> bool:
    """Link a goal without a metric to the scheme metric its name names (the longest phrase that
    matches), with the scheme's default baseline rule and design. The rule is kept only when the
    figures can give a baseline now; otherwise the typed baseline stays. Returns whether linked."""
    name = goal.metric_name.lower()
    matches = [o for o in offers if o.phrase.lower() in name]
    if not matches:
        return False
    offer = max(matches, key=lambda o: len(o.phrase))
    goal.metric = offer.metric
    if goal.judge_by is not None:
        goal.measured_design = offer.design
    if goal.baseline_rule == "" and offer.baseline_rule:
        goal.baseline_rule = offer.baseline_rule
        goal.baseline_periods = offer.baseline_periods
        try:
            _propose_baseline(goal)
        except ValidationError:
            goal.baseline_rule, goal.baseline_periods = "", None
    return True


@transaction.atomic
def goals_link_to_metrics(*, initiative: Initiative, actor: User | None) -> list[Goal]:
    """Link the initiative's unlocked goals that have no metric to the metrics its schemes
    offer (called when a scheme is set up for it); returns the goals linked."""
    offers = _offers(initiative)
    linked = []
    for goal in initiative.goals.filter(metric__isnull=True, locked_at__isnull=True):
        goal.initiative = initiative
        if _link_offered_metric(goal, offers):
            goal.save()
            audit.record(
                "goal.linked_to_metric",
                actor=actor,
                obj=goal,
                organisation=initiative.organisation,
                detail={"metric": goal.metric_id, "design": goal.measured_design},
            )
            linked.append(goal)
    return linked


@transaction.atomic
def goal_add(*, initiative: Initiative, actor: User, **fields: Any) -> Goal:
    _refuse_if_withdrawn(initiative)
    if initiative.is_locked:
        raise ValidationError(
            "Goals are locked once the initiative has started: amend an existing goal instead."
        )
    make_primary = fields.pop("is_primary", False) or not initiative.goals.exists()
    goal = Goal(initiative=initiative, **fields)
    _validate_goal(goal)
    if goal.metric_id is None:
        _link_offered_metric(goal, _offers(initiative))
    _propose_baseline(goal)
    if make_primary:
        initiative.goals.filter(is_primary=True).update(is_primary=False)
    goal.is_primary = make_primary
    goal.save()
    audit.record("goal.added", actor=actor, obj=goal, organisation=initiative.organisation)
    return goal


#: The fields a verdict is judged under: changing one of them re-judges results, post hoc.
CRITERION_FIELDS = ("direction", "baseline_value", "success_threshold", "unit", "metric_name")


@transaction.atomic
def goal_update(*, goal: Goal, actor: User, reason: str = "", **fields: Any) -> Goal:
    """Change a goal. Once locked, a change is an amendment: both versions and the reason stay.

    An amendment made after outcomes have been seen is post hoc. Recorded results keep the
    verdict, criterion and caveats they were judged under; when the amendment touches the
    criterion, each is judged again against it and that judgement is added beside the original
    (dated, linked to the amendment), never in its place.
    """
    initiative = goal.initiative
    _refuse_if_withdrawn(initiative)
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown goal fields: {sorted(unknown)}")
    # Compare with what is stored: a ModelForm may already have set the new values on `goal`.
    stored = Goal.objects.get(pk=goal.pk)
    before = stored.snapshot()
    for name, value in fields.items():
        setattr(goal, name, value)
    goal.locked_at = stored.locked_at
    _validate_goal(goal)
    _propose_baseline(goal)
    after = goal.snapshot()
    if before == after:
        return goal
    amendment = None
    post_hoc = False
    if goal.locked_at is not None:
        if not reason.strip():
            raise ValidationError(
                {
                    "reason": "Say why the goal is changing: it is locked (the initiative has "
                    "started, or a trial's analysis plan fixed it)."
                }
            )
        post_hoc = outcomes_seen(goal)
        amendment = GoalAmendment.objects.create(
            goal=goal,
            before=before,
            after=after,
            reason=reason.strip(),
            amended_by=actor,
            post_hoc=post_hoc,
        )
    goal.save()
    if any(before.get(name) != after.get(name) for name in CRITERION_FIELDS):
        for result in goal.results.all():
            verdict, why = judge_result(result, after)
            ResultJudgement.objects.create(
                result=result,
                amendment=amendment,
                criterion=after,
                verdict=verdict,
                reason=why,
                judged_by=actor,
            )
    audit.record(
        "goal.amended" if goal.locked_at else "goal.updated",
        actor=actor,
        obj=goal,
        organisation=initiative.organisation,
        detail={"reason": reason.strip(), "post_hoc": post_hoc} if goal.locked_at else {},
    )
    return goal


@transaction.atomic
def goal_lock(*, goal: Goal, actor: User | None, why: str) -> Goal:
    """Lock a goal before its initiative starts (a trial's analysis plan fixes it): from now on
    a change is an amendment with a reason. Refuses a goal without a baseline, which the
    criterion is measured from. Locking a locked goal changes nothing."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    _refuse_if_withdrawn(goal.initiative)
    if goal.locked_at is not None:
        return goal
    if goal.baseline_value is None or not goal.baseline_period:
        raise ValidationError(
            f"Record the baseline of the goal “{goal.metric_name}” first: the success "
            "criterion is measured from it, and locking fixes both."
        )
    goal.locked_at = timezone.now()
    Goal.objects.filter(pk=goal.pk).update(locked_at=goal.locked_at)
    touched()
    audit.record(
        "goal.locked",
        actor=actor,
        obj=goal,
        organisation=goal.initiative.organisation,
        detail={"why": why, "criterion": goal.snapshot()},
    )
    return goal


@transaction.atomic
def goal_remove(*, goal: Goal, actor: User) -> None:
    if goal.locked_at is not None:
        raise ValidationError("A locked goal cannot be removed.")
    initiative = goal.initiative
    audit.record("goal.removed", actor=actor, obj=goal, organisation=initiative.organisation)
    was_primary = goal.is_primary
    goal.delete()
    if was_primary:
        first = initiative.goals.first()
        if first:
            first.is_primary = True
            first.save(update_fields=["is_primary"])


def _check_can_start(initiative: Initiative) -> None:
    goals = list(initiative.goals.all())
    if not goals:
        raise ValidationError(
            "Add at least one goal before starting: a pilot needs something to measure."
        )
    missing = [g.metric_name for g in goals if g.baseline_value is None or not g.baseline_period]
    if missing:
        raise ValidationError(f"Record the baseline before starting, for: {', '.join(missing)}.")


@transaction.atomic
def initiative_change_status(
    *, initiative: Initiative, to_status: str, actor: User, reason: str = ""
) -> Initiative:
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    current = initiative.status
    if to_status == Status.WITHDRAWN:
        if current == Status.WITHDRAWN:
            raise ValidationError("This record is already withdrawn.")
        if not reason.strip():
            raise ValidationError(
                {"reason": "Say why the record is being withdrawn: readers will see it."}
            )
        initiative.withdrawn_reason = reason.strip()
    elif to_status not in NEXT_STATUSES[current]:
        allowed = ", ".join(Status(s).label.lower() for s in NEXT_STATUSES[current]) or "nothing"
        raise ValidationError(
            {"status": f"A record that is {Status(current).label.lower()} can move to: {allowed}."}
        )
    if to_status == Status.STARTED:
        initiative.actual_start = initiative.actual_start or timezone.localdate()
        # A baseline taken from a metric is read again up to the real start, then locked.
        for goal in initiative.goals.filter(locked_at__isnull=True).exclude(baseline_rule=""):
            goal.initiative = initiative
            try:
                _propose_baseline(goal, initiative.actual_start)
            except ValidationError as error:
                why = " ".join(error.messages)
                raise ValidationError(f"The baseline of “{goal.metric_name}”: {why}") from None
            goal.save(update_fields=["baseline_value", "baseline_period", "baseline_source"])
        _check_can_start(initiative)
        now = timezone.now()
        initiative.goals.filter(locked_at__isnull=True).update(locked_at=now)
    if to_status == Status.PUBLISHED:
        primary = initiative.primary_goal()
        if primary is None or primary.primary_result() is None:
            raise ValidationError("Record the result of the primary goal before publishing.")
        initiative.result_published_at = timezone.now()
        _schedule_sustainability_checks(initiative)
    if to_status == Status.STOPPED and not initiative.actual_end:
        initiative.actual_end = timezone.localdate()
    StatusChange.objects.create(
        initiative=initiative,
        from_status=current,
        to_status=to_status,
        reason=reason.strip(),
        changed_by=actor,
    )
    initiative.status = to_status
    initiative.save()
    audit.record(
        "initiative.status_changed",
        actor=actor,
        obj=initiative,
        organisation=initiative.organisation,
        detail={"from": current, "to": to_status, "reason": reason.strip()},
    )
    if to_status == Status.PUBLISHED:
        hooks.result_published.run(initiative)
    return initiative


def _schedule_sustainability_checks(initiative: Initiative) -> None:
    today = timezone.localdate()
    for months in SUSTAINABILITY_MONTHS:
        SustainabilityCheck.objects.get_or_create(
            initiative=initiative,
            months_after=months,
            defaults={"due_on": today + timedelta(days=round(months * 30.44))},
        )


def _sync_initiative(goal: Goal) -> None:
    """The initiative's verdict and evidence level are its primary goal's primary result's."""
    if not goal.is_primary:
        return
    primary = goal.results.filter(is_primary=True).first()
    Initiative.objects.filter(pk=goal.initiative_id).update(
        verdict=primary.verdict if primary else "",
        evidence_level=primary.evidence_level if primary else None,
        updated_at=timezone.now(),
    )
    touched()  # update() sends no signal


@transaction.atomic
def result_add(*, goal: Goal, actor: User | None, **fields: Any) -> GoalResult:
    """Store a judged result on a goal (the verdict and its frame already in ``fields``).

    The first result of a goal becomes its primary one; later ones join the history beside it,
    and replacing the primary is a separate, confirmed step (:func:`result_make_primary`).
    """
    initiative = Initiative.objects.get(pk=goal.initiative_id)  # its current status
    _refuse_if_withdrawn(initiative)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    first = not goal.results.exists()
    result = GoalResult(
        goal=goal,
        recorded_by=actor,
        recorded_at=timezone.now(),
        is_primary=first,
        primary_reason="The first result recorded for this goal." if first else "",
        **fields,
    )
    result.full_clean(exclude=["goal"])
    result.save()
    if first:
        PrimaryResultChange.objects.create(
            goal=goal,
            from_result=None,
            to_result=result,
            reason=result.primary_reason,
            changed_by=actor,
        )
        _sync_initiative(goal)
    audit.record(
        "goal.result_recorded",
        actor=actor,
        obj=goal,
        organisation=initiative.organisation,
        detail={
            "result": result.pk,
            "verdict": result.verdict,
            "primary": first,
            "summary": result.summary,
        },
    )
    return result


@transaction.atomic
def result_record(
    *,
    goal: Goal,
    actor: User,
    value: float,
    design: str,
    ci_low: float | None = None,
    ci_high: float | None = None,
    sample_size: int | None = None,
    source: str = "",
) -> GoalResult:
    """Record a goal's result measured by hand (a level in the goal's unit) and its verdict
    against the goal's criterion (``verdicts.judge_level``; a single figure is inconclusive)."""
    initiative = Initiative.objects.get(pk=goal.initiative_id)
    _refuse_if_withdrawn(initiative)
    if not initiative.is_locked:
        raise ValidationError(
            "Start the initiative before recording a result: goals lock at the start."
        )
    if (ci_low is None) != (ci_high is None):
        raise ValidationError({"ci_high": "Give both ends of the interval, or neither."})
    if ci_low is not None and ci_high is not None and not ci_low <= value <= ci_high:
        raise ValidationError({"ci_low": "The interval must contain the result."})
    criterion = Goal.objects.get(pk=goal.pk).snapshot()
    verdict, reason = judge_level(criterion, value, ci_low, ci_high)
    return result_add(
        goal=goal,
        actor=actor,
        value=value,
        ci_low=ci_low,
        ci_high=ci_high,
        design=design,
        sample_size=sample_size,
        source=source,
        criterion=criterion,
        method="Recorded by hand" + ("" if ci_low is None else ", with its 95% interval"),
        caveats=[],
        verdict=verdict,
        verdict_reason=reason,
    )


@transaction.atomic
def draft_record(
    *,
    goal: Goal,
    fields: dict[str, Any],
    verdict: str,
    verdict_reason: str,
    headline: str = "",
    computed_on: Any = None,
    touch: bool = True,
) -> ResultDraft:
    """Keep a result computed from the goal's metric as a draft for its owner to confirm.

    Idempotent: a goal with a draft awaiting confirmation, or a confirmed one, keeps it.
    """
    goal = (
        Goal.objects.select_for_update().select_related("initiative__organisation").get(pk=goal.pk)
    )
    existing = goal.drafts.order_by("-computed_at").first()
    if existing is not None:
        return existing
    draft = ResultDraft.objects.create(
        goal=goal,
        fields=fields,
        verdict=verdict,
        verdict_reason=verdict_reason,
        headline=headline,
        computed_on=computed_on or timezone.localdate(),
    )
    audit.record(
        "goal.result_computed",
        actor=None,
        obj=goal,
        organisation=goal.initiative.organisation,
        detail={"draft": draft.pk, "verdict": verdict, "design": fields.get("design")},
    )
    if touch:  # a batch bumps the register's cache version once, at its end
        touched()
    return draft


@transaction.atomic
def drafts_record_many(*, drafts: list[ResultDraft]) -> list[ResultDraft]:
    """:func:`draft_record` for a batch (the nightly job): unsaved drafts, each for its own
    goal (with ``goal.initiative`` loaded); goals that already have a draft are skipped. Each
    draft is audited; the register's cache version is bumped once."""
    taken = set(
        ResultDraft.objects.filter(goal_id__in=[d.goal_id for d in drafts]).values_list(
            "goal_id", flat=True
        )
    )
    fresh = [d for d in drafts if d.goal_id not in taken]
    ResultDraft.objects.bulk_create(fresh)
    for draft in fresh:
        audit.record(
            "goal.result_computed",
            actor=None,
            obj=draft.goal,
            organisation=draft.goal.initiative.organisation_id
            and draft.goal.initiative.organisation,
            detail={
                "draft": draft.pk,
                "verdict": draft.verdict,
                "design": draft.fields.get("design"),
            },
        )
    if fresh:
        touched()
    return fresh


@transaction.atomic
def draft_confirm(*, draft: ResultDraft, actor: User, note: str, publish: bool) -> GoalResult:
    """The owner confirms a computed result with a note explaining it: it joins the goal's
    results exactly as computed, and with ``publish`` the initiative's result is published (the
    goal must be the primary one)."""
    draft = ResultDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.state != DraftState.AWAITING:
        raise ValidationError("This computed result has already been confirmed.")
    if not note.strip():
        raise ValidationError(
            {"note": "Enter a note explaining the result: readers see it beside the figures"}
        )
    goal = draft.goal
    initiative = Initiative.objects.get(pk=goal.initiative_id)
    if publish and not goal.is_primary:
        raise ValidationError(
            {"publish": "Only the primary goal's result publishes the initiative's result"}
        )
    result = result_add(
        goal=goal,
        actor=actor,
        verdict=draft.verdict,
        verdict_reason=draft.verdict_reason,
        note=note.strip(),
        **draft.fields,
    )
    draft.state = DraftState.CONFIRMED
    draft.result = result
    draft.note = note.strip()
    draft.confirmed_by = actor
    draft.confirmed_at = timezone.now()
    draft.save(update_fields=["state", "result", "note", "confirmed_by", "confirmed_at"])
    audit.record(
        "goal.result_confirmed",
        actor=actor,
        obj=goal,
        organisation=initiative.organisation,
        detail={"draft": draft.pk, "result": result.pk, "publish": publish},
    )
    if publish and result.is_primary:
        if initiative.status == Status.STARTED:
            initiative = initiative_change_status(
                initiative=initiative,
                to_status=Status.EVALUATING,
                actor=actor,
                reason="The computed result was confirmed.",
            )
        if initiative.status == Status.EVALUATING:
            initiative_change_status(
                initiative=initiative,
                to_status=Status.PUBLISHED,
                actor=actor,
                reason="The computed result was confirmed and published.",
            )
    return result


@transaction.atomic
def result_make_primary(
    *, result: GoalResult, actor: User, reason: str, confirmed: bool
) -> GoalResult:
    """Make ``result`` its goal's primary result, in place of the current one.

    Needs a reason (shown beside it) and ``confirmed``: the person has seen both verdicts. The
    old primary stays in the history with its verdict; the change is an append-only row.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why this result should be the primary one."})
    if not confirmed:
        raise ValidationError(
            {"confirm": "Confirm that this result replaces the current primary result."}
        )
    goal = Goal.objects.select_for_update().get(pk=result.goal_id)
    _refuse_if_withdrawn(goal.initiative)
    result = GoalResult.objects.get(pk=result.pk)
    if result.is_primary:
        raise ValidationError("This is already the primary result.")
    current = goal.results.filter(is_primary=True).first()
    if current is not None:
        GoalResult.objects.filter(pk=current.pk).update(is_primary=False)
    result.is_primary = True
    result.primary_reason = reason.strip()
    result.save(update_fields=["is_primary", "primary_reason"])
    PrimaryResultChange.objects.create(
        goal=goal,
        from_result=current,
        to_result=result,
        reason=reason.strip(),
        changed_by=actor,
    )
    _sync_initiative(goal)
    audit.record(
        "goal.primary_result_changed",
        actor=actor,
        obj=goal,
        organisation=goal.initiative.organisation,
        detail={
            "from": current.pk if current else None,
            "to": result.pk,
            "reason": reason.strip(),
        },
    )
    return result


@transaction.atomic
def failure_record(
    *, initiative: Initiative, actor: User, cause: str, lessons: str, do_differently: str
) -> Initiative:
    _refuse_if_withdrawn(initiative)
    initiative.failure_cause = cause
    initiative.lessons = lessons
    initiative.do_differently = do_differently
    initiative.full_clean()
    initiative.save()
    audit.record(
        "initiative.lessons_recorded",
        actor=actor,
        obj=initiative,
        organisation=initiative.organisation,
        detail={"cause": cause},
    )
    return initiative


@transaction.atomic
def ledger_line_add(*, initiative: Initiative, actor: User, **fields: Any) -> LedgerLine:
    _refuse_if_withdrawn(initiative)
    line = LedgerLine(initiative=initiative, **fields)
    if line.kind == LedgerLine.Kind.COST:
        line.is_net, line.cashable, line.beneficiary = False, False, ""
    elif not line.beneficiary:
        raise ValidationError({"beneficiary": "Say whose budget the saving falls in."})
    line.full_clean()
    line.save()
    audit.record(
        "ledger.line_added",
        actor=actor,
        obj=initiative,
        organisation=initiative.organisation,
        detail={"kind": line.kind, "basis": line.basis, "amount": str(line.amount)},
    )
    return line


@transaction.atomic
def ledger_line_remove(*, line: LedgerLine, actor: User) -> None:
    initiative = line.initiative
    _refuse_if_withdrawn(initiative)
    audit.record(
        "ledger.line_removed",
        actor=actor,
        obj=initiative,
        organisation=initiative.organisation,
        detail={"description": line.description, "amount": str(line.amount)},
    )
    line.delete()


@transaction.atomic
def initiative_replicate(
    *, original: Initiative, organisation: Organisation, actor: User
) -> Initiative:
    """'Try this in our council': a planned copy in the reader's organisation, linked back.

    The goal metrics are copied; baselines are left empty, because they must be measured here.
    """
    if original.organisation_id == organisation.pk:
        raise ValidationError("This is already your organisation's record.")
    copy = initiative_create(
        organisation=organisation,
        actor=actor,
        replicated_from=original,
        status=Status.PLANNED,
        title=original.title,
        summary=original.summary,
        service_area=original.service_area,
        problem=original.problem,
        what_was_done=original.what_was_done,
        collaborations=original.tags.filter(kind=InitiativeTag.Kind.COLLABORATION).values_list(
            "value", flat=True
        ),
        mechanisms=original.tags.filter(kind=InitiativeTag.Kind.MECHANISM).values_list(
            "value", flat=True
        ),
    )
    for goal in original.goals.all():
        Goal.objects.create(
            initiative=copy,
            metric=goal.metric,
            is_primary=goal.is_primary,
            metric_name=goal.metric_name,
            unit=goal.unit,
            definition=goal.definition,
            data_source=goal.data_source,
            direction=goal.direction,
            target_value=goal.target_value,
            success_threshold=goal.success_threshold,
        )
    audit.record(
        "initiative.replicated",
        actor=actor,
        obj=copy,
        organisation=organisation,
        detail={"original": original.pk},
    )
    return copy


@transaction.atomic
def sustainability_answer(
    *,
    check: SustainabilityCheck,
    actor: User,
    still_running: bool,
    savings_persist: bool,
    note: str,
) -> SustainabilityCheck:
    check.still_running = still_running
    check.savings_persist = savings_persist
    check.note = note
    check.answered_at = timezone.now()
    check.save()
    audit.record(
        "initiative.sustainability_answered",
        actor=actor,
        obj=check.initiative,
        organisation=check.initiative.organisation,
        detail={
            "months": check.months_after,
            "still_running": still_running,
            "savings_persist": savings_persist,
        },
    )
    return check


@transaction.atomic
def decision_record(
    *,
    organisation: Organisation,
    actor: User,
    subject: str,
    choice: str,
    reason: str,
    informed_by: Iterable[Initiative] = (),
) -> Decision:
    decision = Decision(
        organisation=organisation, subject=subject, choice=choice, reason=reason, decided_by=actor
    )
    decision.full_clean()
    decision.save()
    decision.informed_by.set(list(informed_by))
    audit.record("decision.recorded", actor=actor, obj=decision, organisation=organisation)
    return decision
