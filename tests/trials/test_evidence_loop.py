"""Goals measured from a metric (issue 17): the baseline proposed from the figures and locked,
the nightly job computing a draft with the declared design, and the owner confirming it."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.measures.conftest import make_metric
from whatworks.core.models import AuditEvent
from whatworks.initiatives import services
from whatworks.initiatives.models import (
    DraftState,
    GoalResult,
    Initiative,
    ResultDraft,
    Status,
    Verdict,
)
from whatworks.measures.models import Observation
from whatworks.trials import evidence

START = date(2025, 1, 1)
JUDGE_BY = date(2026, 1, 1)
TODAY = date(2026, 2, 1)


def months(first: date, count: int) -> list[date]:
    return [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


def write(metric, organisation, values: dict[date, float]) -> None:
    Observation.objects.bulk_create(
        Observation(metric=metric, organisation=organisation, period_start=p, value=v)
        for p, v in values.items()
    )


def series(step: float, seed: int = 1, first: date = date(2023, 1, 1), count: int = 36):
    """40 days a month with small noise, and ``step`` added from START on."""
    rng = random.Random(seed)
    return {p: 40 + rng.gauss(0, 0.5) + (step if p >= START else 0) for p in months(first, count)}


@pytest.fixture
def metric(world):
    return make_metric(world)


def initiative_for(world, **fields):
    return services.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Call & Check on St Helier walk 4",
        summary="Postal workers check on older people on their rounds",
        service_area="adult_care",
        visibility="public",
        planned_start=START,
        actual_start=START,
        **fields,
    )


def measured_goal(world, initiative, metric, **overrides):
    fields = {
        "metric": metric,
        "metric_name": "Days to first contact",
        "unit": "days",
        "direction": "lower",
        "baseline_rule": "last_periods",
        "baseline_periods": 6,
        "target_value": 30,
        "success_threshold": 35,
        "judge_by": JUDGE_BY,
        "measured_design": "before_after",
    }
    fields.update(overrides)
    return services.goal_add(initiative=initiative, actor=world["officer"], **fields)


def start(initiative, world):
    for status in (Status.PLANNED, Status.STARTED):
        initiative = services.initiative_change_status(
            initiative=initiative, to_status=status, actor=world["officer"]
        )
    return initiative


def test_it_proposes_the_baseline_as_the_mean_of_the_last_periods_before_the_start(world, metric):
    figures = {p: float(i) for i, p in enumerate(months(date(2024, 1, 1), 18))}
    write(metric, world.org_a, figures)
    goal = measured_goal(world, initiative_for(world), metric)
    # July to December 2024 are the last six months before 1 January 2025: 6, 7, ... 11.
    assert goal.baseline_value == pytest.approx(sum(range(6, 12)) / 6)
    assert goal.baseline_period == "July 2024 to December 2024 (6 periods)"
    assert "last 6 periods" in goal.baseline_source


def test_it_proposes_the_same_months_a_year_before_the_pilot(world, metric):
    # A seasonal series: the month number as its value.
    write(metric, world.org_a, {p: float(p.month) for p in months(date(2023, 1, 1), 24)})
    initiative = initiative_for(world)
    goal = measured_goal(
        world,
        initiative,
        metric,
        baseline_rule="same_months",
        baseline_periods=None,
        judge_by=date(2025, 4, 1),
        measured_design="",
    )
    # The pilot runs January to March 2025; a year before: January to March 2024 -> 1, 2, 3.
    assert goal.baseline_value == pytest.approx(2.0)
    assert goal.baseline_period == "January 2024 to March 2024 (3 periods)"


def test_it_refuses_a_rule_the_figures_cannot_meet_and_names_the_field(world, metric):
    write(metric, world.org_a, {p: 40.0 for p in months(date(2024, 10, 1), 3)})
    with pytest.raises(ValidationError) as caught:
        measured_goal(world, initiative_for(world), metric)
    message = caught.value.message_dict["baseline_rule"][0]
    assert "has 3 figures before 01 January 2025" in message and "needs 6" in message


def test_it_reads_the_baseline_again_at_the_start_then_locks_it(world, metric):
    write(metric, world.org_a, {p: 40.0 for p in months(date(2024, 1, 1), 12)})
    initiative = initiative_for(world)
    goal = measured_goal(world, initiative, metric)
    assert goal.baseline_value == 40
    # A late correction for the last months before the start arrives before the start...
    Observation.objects.filter(metric=metric, period_start__gte=date(2024, 10, 1)).update(
        value=46.0
    )
    start(initiative, world)
    goal.refresh_from_db()
    assert goal.baseline_value == pytest.approx(43.0) and goal.locked_at is not None
    # ...but once locked, a change to the figures no longer moves it.
    Observation.objects.filter(metric=metric).update(value=10.0)
    services.goal_update(goal=goal, actor=world["officer"], reason="typo", definition="x")
    goal.refresh_from_db()
    assert goal.baseline_value == pytest.approx(43.0)


def running(world, metric, figures, **overrides):
    write(metric, world.org_a, figures)
    initiative = initiative_for(world)
    goal = measured_goal(world, initiative, metric, **overrides)
    start(initiative, world)
    goal.refresh_from_db()
    return initiative, goal


def test_the_nightly_job_computes_a_before_and_after_draft_once_on_the_judge_by_date(world, metric):
    # A drop of 10 days at the start; the criterion (35 from a baseline near 40) asks for 5.
    initiative, goal = running(world, metric, series(step=-10))
    assert evidence.compute_due_results(today=date(2025, 12, 31)) == 0  # not due yet
    assert evidence.compute_due_results(today=TODAY) == 1
    assert evidence.compute_due_results(today=TODAY) == 0  # once
    draft = ResultDraft.objects.get(goal=goal)
    assert draft.state == DraftState.AWAITING and draft.verdict == Verdict.MET
    fields = draft.fields
    assert fields["design"] == "before_after" and fields["measure"] == "change in level"
    assert fields["effect_low"] < -10 < fields["effect_high"]
    assert abs(fields["effect"] + 10) < 1
    # 24 months before the start, 12 after up to the judge-by date.
    assert fields["sample_size"] == 24 + 12
    assert fields["criterion"]["baseline_value"] == goal.baseline_value
    # A draft is not a result: the record has no verdict until the owner confirms it.
    assert not GoalResult.objects.filter(goal=goal).exists()
    assert Initiative.objects.get(pk=initiative.pk).verdict == ""
    assert AuditEvent.objects.filter(action="goal.result_computed").count() == 1


def test_a_series_too_short_for_its_design_is_inconclusive_in_words(world, metric):
    figures = {p: 40.0 + (p.month % 3) for p in months(date(2024, 7, 1), 10)}
    initiative, goal = running(world, metric, figures)
    evidence.compute_due_results(today=TODAY)
    draft = ResultDraft.objects.get(goal=goal)
    assert draft.verdict == Verdict.INCONCLUSIVE
    assert "needs at least 8 periods before and 8 after" in draft.verdict_reason
    assert "has 6 before and 4 after" in draft.verdict_reason
    assert "inconclusive" in draft.verdict_reason and draft.fields["effect"] is None


def test_a_comparison_series_gives_a_difference_in_differences(world, metric):
    # Both councils share a shock at the start (+3); ours also drops by 10.
    ours = {p: v + (3 if p >= START else 0) for p, v in series(step=-10, seed=2).items()}
    theirs = {p: v + (3 if p >= START else 0) for p, v in series(step=0, seed=3).items()}
    write(metric, world.org_b, theirs)
    initiative, goal = running(
        world,
        metric,
        ours,
        measured_design="comparison",
        comparison_organisation=world.org_b,
    )
    evidence.compute_due_results(today=TODAY)
    draft = ResultDraft.objects.get(goal=goal)
    assert draft.fields["design"] == "comparison"
    assert draft.fields["measure"] == "difference-in-differences"
    assert draft.fields["effect_low"] < -10 < draft.fields["effect_high"]
    assert abs(draft.fields["effect"] + 10) < 1


def test_a_comparison_design_needs_a_comparison_named(world, metric):
    write(metric, world.org_a, series(step=0))
    with pytest.raises(ValidationError) as caught:
        measured_goal(world, initiative_for(world), metric, measured_design="comparison")
    assert "comparison_metric" in caught.value.message_dict


def test_the_owner_confirms_with_a_note_and_publishes_with_the_label(world, metric):
    initiative, goal = running(world, metric, series(step=-10))
    evidence.compute_due_results(today=TODAY)
    draft = ResultDraft.objects.get(goal=goal)
    with pytest.raises(ValidationError) as caught:
        services.draft_confirm(draft=draft, actor=world["officer"], note="  ", publish=True)
    assert "note" in caught.value.message_dict
    result = services.draft_confirm(
        draft=draft, actor=world["officer"], note="Winter pressures eased too.", publish=True
    )
    # The figures are the computed ones, untouched; the note explains them.
    assert result.effect == draft.fields["effect"] and result.verdict == draft.verdict
    assert result.note == "Winter pressures eased too." and result.is_primary
    assert result.get_design_display() == "Before and after, no comparison group"
    initiative.refresh_from_db()
    assert initiative.status == Status.PUBLISHED and initiative.verdict == Verdict.MET
    assert initiative.evidence_level == 2
    draft.refresh_from_db()
    assert draft.state == DraftState.CONFIRMED and draft.result == result
    with pytest.raises(ValidationError):
        services.draft_confirm(draft=draft, actor=world["officer"], note="again", publish=False)
    actions = list(
        AuditEvent.objects.filter(object_id=str(goal.pk)).values_list("action", flat=True)
    )
    assert "goal.result_computed" in actions and "goal.result_confirmed" in actions


def test_the_batch_path_gives_the_librarys_figures_for_each_series():
    """The nightly job analyses same-shaped series together: each must match
    quasi.interrupted_time_series on its own (autocorrelated and not, with and without a step)."""
    from whatworks.trials import quasi
    from whatworks.trials.analysis import Wording

    rng = random.Random(11)
    periods = months(date(2023, 1, 1), 36)
    many = []
    for rho, step in ((0.0, 0.0), (0.3, -4.0), (0.6, 2.0), (0.0, 10.0)):
        noise, values = 0.0, []
        for p in periods:
            noise = rho * noise + rng.gauss(0, 1)
            values.append(50 + 0.1 * len(values) + noise + (step if p >= START else 0))
        many.append(values)
    words = [Wording(outcome="visits", measure_unit="visits")] * len(many)
    batch = evidence.its_batch(many, 24, 12, periods=[periods] * len(many), words=words)
    for values, got in zip(many, batch, strict=True):
        want = quasi.interrupted_time_series(periods, values, intervention=START, words=words[0])
        for name in ("level_change", "slope_change", "slope_before"):
            a, b = getattr(got, name), getattr(want, name)
            for part in ("estimate", "std_error", "ci_low", "ci_high", "p_value"):
                assert getattr(a, part) == pytest.approx(getattr(b, part), rel=1e-9, abs=1e-9)
        assert got.rho == pytest.approx(want.rho, abs=1e-9)
        assert got.fitted == pytest.approx(want.fitted, abs=1e-9)
        assert got.headline == want.headline and got.method == want.method


def test_the_goal_form_names_the_rule_the_figures_cannot_meet(world, metric, client_for):
    write(metric, world.org_a, {p: 40.0 for p in months(date(2024, 11, 1), 2)})
    record = initiative_for(world)
    response = client_for(world["officer"]).post(
        f"/initiatives/{record.pk}/goals/new/",
        {
            "metric": metric.pk,
            "metric_name": "Days to first contact",
            "unit": "days",
            "direction": "lower",
            "baseline_rule": "last_periods",
            "baseline_periods": "6",
            "target_value": "30",
            "success_threshold": "35",
            "judge_by_0": "1",
            "judge_by_1": "1",
            "judge_by_2": "2026",
            "measured_design": "before_after",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "has 2 figures before 01 January 2025" in body
    assert not record.goals.exists()  # nothing half-written
