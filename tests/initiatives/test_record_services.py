"""The register's rules: goals lock at the start, honest verdicts, an honest ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from whatworks.core.models import AuditEvent
from whatworks.initiatives import services
from whatworks.initiatives.ledger import summarise
from whatworks.initiatives.models import (
    Initiative,
    LedgerLine,
    Status,
    StatusChange,
    Verdict,
)


@pytest.fixture
def pilot(world):
    initiative = services.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Rent arrears letters",
        summary="Rewrote the letters",
        service_area="housing",
        visibility="public",
        collaborations=["public"],
        mechanisms=["easy", "norms"],
        people_reached=400,
    )
    services.goal_add(
        initiative=initiative,
        actor=world["officer"],
        metric_name="Days to first contact",
        unit="days",
        direction="lower",
        baseline_value=46,
        baseline_period="2015-16",
        target_value=21,
        success_threshold=30,
    )
    return initiative


def start(initiative, world):
    for status in (Status.PLANNED, Status.STARTED):
        initiative = services.initiative_change_status(
            initiative=initiative, to_status=status, actor=world["officer"]
        )
    return initiative


def test_it_records_each_status_change_with_who_and_why(pilot, world):
    start(pilot, world)
    history = list(
        StatusChange.objects.filter(initiative=pilot).values_list("from_status", "to_status")
    )
    assert history == [("", "idea"), ("idea", "planned"), ("planned", "started")]
    with pytest.raises(ValueError, match="append-only"):
        change = StatusChange.objects.filter(initiative=pilot).first()
        change.reason = "rewritten"
        change.save()


def test_it_refuses_a_jump_the_lifecycle_does_not_allow(pilot, world):
    with pytest.raises(ValidationError, match="can move to: planned, stopped"):
        services.initiative_change_status(
            initiative=pilot, to_status=Status.PUBLISHED, actor=world["officer"]
        )


def test_it_will_not_start_without_a_baseline(world):
    initiative = services.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="No baseline",
        summary="x",
        service_area="waste",
        status=Status.PLANNED,
    )
    with pytest.raises(ValidationError, match="Add at least one goal"):
        services.initiative_change_status(
            initiative=initiative, to_status=Status.STARTED, actor=world["officer"]
        )
    services.goal_add(
        initiative=initiative,
        actor=world["officer"],
        metric_name="Tonnage",
        unit="t",
        direction="higher",
        target_value=10,
        success_threshold=8,
    )
    with pytest.raises(ValidationError, match="Record the baseline before starting, for: Tonnage"):
        services.initiative_change_status(
            initiative=initiative, to_status=Status.STARTED, actor=world["officer"]
        )


def test_it_locks_goals_at_the_start_and_keeps_amendments_with_both_versions(pilot, world):
    pilot = start(pilot, world)
    goal = pilot.goals.get()
    assert goal.locked_at is not None
    with pytest.raises(ValidationError, match="Goals are locked"):
        services.goal_add(
            initiative=pilot,
            actor=world["officer"],
            metric_name="New",
            unit="x",
            direction="higher",
            target_value=1,
            success_threshold=1,
        )
    with pytest.raises(ValidationError) as error:
        services.goal_update(goal=goal, actor=world["officer"], success_threshold=35)
    assert "reason" in error.value.message_dict
    goal.refresh_from_db()
    assert goal.success_threshold == 30
    services.goal_update(
        goal=goal, actor=world["officer"], success_threshold=35, reason="Bank holiday"
    )
    amendment = goal.amendments.get()
    assert amendment.changed_fields() == [("Success criterion", 30, 35)]
    assert not amendment.post_hoc  # no outcomes had been seen
    assert amendment.reason == "Bank holiday"
    with pytest.raises(ValidationError, match="locked goal cannot be removed"):
        services.goal_remove(goal=goal, actor=world["officer"])


@pytest.mark.parametrize(
    ("value", "ci", "verdict"),
    [
        (21, None, Verdict.INCONCLUSIVE),  # a single figure cannot rule out chance
        (40, None, Verdict.INCONCLUSIVE),
        (21, (18, 25), Verdict.MET),
        (40, (35, 45), Verdict.NOT_MET),  # better than the baseline of 46, short of 30
        (52, (49, 55), Verdict.NOT_MET),  # worse than the baseline: harmful
        (28, (20, 36), Verdict.INCONCLUSIVE),  # straddles 30: the data cannot tell
        (35, (25, 47), Verdict.INCONCLUSIVE),  # spans the criterion and no change at all
    ],
)
def test_it_judges_the_result_against_the_locked_criterion(pilot, world, value, ci, verdict):
    pilot = start(pilot, world)
    goal = pilot.goals.get()
    low, high = ci or (None, None)
    result = services.result_record(
        goal=goal,
        actor=world["officer"],
        value=value,
        ci_low=low,
        ci_high=high,
        design="randomised",
    )
    assert result.verdict == verdict
    pilot.refresh_from_db()
    assert pilot.verdict == verdict
    assert pilot.evidence_level == 5
    if verdict == Verdict.INCONCLUSIVE and ci is not None:
        assert "cannot tell" in result.verdict_reason
    if ci is None:
        # The words say what evidence would settle it.
        assert "single figure" in result.verdict_reason
        assert "What would settle it: the result with its 95% interval" in result.verdict_reason
    assert result.criterion["success_threshold"] == 30  # frozen with what it was judged under


def test_an_amendment_never_rejudges_a_recorded_result_in_place(pilot, world):
    """Reproduction: a harmful result (the whole interval worse than the baseline) was turned
    from "not met" into "met" by an edit; now the recorded verdict stays, and the reading
    against the amended criterion is a separate, dated, post hoc judgement beside it."""
    pilot = start(pilot, world)
    goal = pilot.goals.get()
    result = services.result_record(
        goal=goal, actor=world["officer"], value=52, ci_low=49, ci_high=55, design="before_after"
    )
    assert result.verdict == Verdict.NOT_MET
    services.goal_update(
        goal=goal, actor=world["officer"], success_threshold=60, reason="Moved the goalposts"
    )
    result.refresh_from_db()
    assert result.verdict == Verdict.NOT_MET
    assert result.criterion["success_threshold"] == 30
    assert Initiative.objects.get(pk=pilot.pk).verdict == Verdict.NOT_MET
    amendment = goal.amendments.get()
    assert amendment.post_hoc  # a result had been recorded
    judgement = result.judgements.get()
    assert judgement.amendment == amendment
    assert judgement.criterion["success_threshold"] == 60
    # Still harmful against the amended criterion: the rule knows where "no change" lies.
    assert judgement.verdict == Verdict.NOT_MET


def test_lowering_a_threshold_by_one_point_does_not_turn_inconclusive_into_met(pilot, world):
    """Reproduction: lowering a threshold by one point turned "inconclusive" into "met"."""
    pilot = start(pilot, world)
    goal = pilot.goals.get()
    result = services.result_record(
        goal=goal, actor=world["officer"], value=27, ci_low=22, ci_high=31, design="randomised"
    )
    assert result.verdict == Verdict.INCONCLUSIVE
    services.goal_update(goal=goal, actor=world["officer"], success_threshold=31, reason="Eased")
    result.refresh_from_db()
    assert result.verdict == Verdict.INCONCLUSIVE
    assert Initiative.objects.get(pk=pilot.pk).verdict == Verdict.INCONCLUSIVE
    assert result.judgements.get().verdict == Verdict.MET  # post hoc, shown beside it


def test_it_refuses_results_before_the_start_and_bad_intervals(pilot, world):
    goal = pilot.goals.get()
    with pytest.raises(ValidationError, match="Start the initiative"):
        services.result_record(goal=goal, actor=world["officer"], value=1, design="before_after")
    start(pilot, world)
    with pytest.raises(ValidationError):
        services.result_record(
            goal=goal, actor=world["officer"], value=50, ci_low=1, ci_high=2, design="randomised"
        )


def test_it_publishes_only_with_a_primary_result_and_schedules_follow_ups(pilot, world):
    pilot = start(pilot, world)
    pilot = services.initiative_change_status(
        initiative=pilot, to_status=Status.EVALUATING, actor=world["officer"]
    )
    with pytest.raises(ValidationError, match="Record the result"):
        services.initiative_change_status(
            initiative=pilot, to_status=Status.PUBLISHED, actor=world["officer"]
        )
    services.result_record(
        goal=pilot.goals.get(), actor=world["officer"], value=21, design="before_after"
    )
    pilot = services.initiative_change_status(
        initiative=pilot, to_status=Status.PUBLISHED, actor=world["officer"]
    )
    months = list(pilot.sustainability_checks.values_list("months_after", flat=True))
    assert months == [12, 24, 36]


def test_it_withdraws_only_with_a_visible_reason(pilot, world):
    with pytest.raises(ValidationError):
        services.initiative_change_status(
            initiative=pilot, to_status=Status.WITHDRAWN, actor=world["admin"]
        )
    pilot = services.initiative_change_status(
        initiative=pilot,
        to_status=Status.WITHDRAWN,
        actor=world["admin"],
        reason="Data error found",
    )
    assert pilot.withdrawn_reason == "Data error found"
    assert Initiative.objects.filter(pk=pilot.pk).exists()  # never deleted
    with pytest.raises(ValidationError, match="withdrawn"):
        services.initiative_update(initiative=pilot, actor=world["admin"], title="Sneaky edit")


def test_it_keeps_estimates_apart_from_realised_figures(pilot, world):
    add = lambda **kw: services.ledger_line_add(initiative=pilot, actor=world["officer"], **kw)  # noqa: E731
    add(
        kind="cost",
        timing="upfront",
        basis="realised",
        description="Design",
        amount=Decimal("6000"),
    )
    add(
        kind="cost",
        timing="recurring",
        basis="realised",
        description="Postage",
        amount=Decimal("1000"),
    )
    add(
        kind="saving",
        timing="recurring",
        basis="realised",
        description="Fewer visits",
        amount=Decimal("4000"),
        beneficiary="council",
        cashable=True,
    )
    add(
        kind="saving",
        timing="recurring",
        basis="estimated",
        description="Less arrears",
        amount=Decimal("9000"),
        beneficiary="council",
    )
    summary = summarise(pilot.ledger.all())
    assert summary.has_estimates
    assert summary.realised.recurring_savings == Decimal("4000")
    assert summary.with_estimates.recurring_savings == Decimal("13000")
    assert summary.realised.first_year_net == Decimal("-3000")
    assert summary.realised.payback_months == Decimal("24.0")  # 6000 / (3000 a year)
    assert summary.with_estimates.payback_months == Decimal("6.0")
    assert summary.realised.cost_per_person(400) == Decimal("17.50")
    with pytest.raises(ValidationError, match="whose budget"):
        add(kind="saving", timing="recurring", basis="realised", description="?", amount=1)
    with pytest.raises(ValidationError):
        add(kind="cost", timing="upfront", basis="realised", description="Refund", amount=-5)
    assert LedgerLine.objects.filter(initiative=pilot).count() == 4


def test_it_replicates_into_the_readers_council_without_the_baseline(pilot, world):
    copy = services.initiative_replicate(
        original=pilot, organisation=world.org_b, actor=world["outsider"]
    )
    assert copy.status == Status.PLANNED and copy.replicated_from == pilot
    goal = copy.goals.get()
    assert goal.metric_name == "Days to first contact" and goal.success_threshold == 30
    assert goal.baseline_value is None
    assert sorted(copy.tags.values_list("value", flat=True)) == ["easy", "norms", "public"]
    assert list(pilot.replications.all()) == [copy]
    with pytest.raises(ValidationError):
        services.initiative_replicate(
            original=pilot, organisation=world.org_a, actor=world["officer"]
        )


def test_it_limits_embargoes_to_twelve_months_and_hides_embargoed_records(pilot, world):
    with pytest.raises(ValidationError, match="12 months"):
        services.initiative_update(
            initiative=pilot,
            actor=world["officer"],
            embargo_until=timezone.localdate() + timedelta(days=400),
        )
    services.initiative_update(
        initiative=pilot,
        actor=world["officer"],
        embargo_until=timezone.localdate() + timedelta(days=30),
    )
    assert Initiative.objects.visible_to(world["officer"]).filter(pk=pilot.pk).exists()
    assert not Initiative.objects.visible_to(world["outsider"]).filter(pk=pilot.pk).exists()
    assert not Initiative.objects.visible_to(None).filter(pk=pilot.pk).exists()
    pilot.refresh_from_db()
    assert not pilot.is_visible_to(world["outsider"]) and pilot.is_visible_to(world["officer"])


def test_it_audits_the_writes(pilot, world):
    actions = set(
        AuditEvent.objects.filter(organisation=world.org_a).values_list("action", flat=True)
    )
    assert {"initiative.created", "goal.added"} <= actions
