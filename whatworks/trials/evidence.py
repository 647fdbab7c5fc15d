"""Results computed from a goal's metric on its judge-by date (issue 17).

A goal linked to a metric declares how it is judged (``Goal.measured_design``): before and
after the start, an interrupted time series of the organisation's own figures; or against a
comparison series (another metric, or the same metric's figures from another organisation), a
difference-in-differences. Both use the trials' analysis (:mod:`whatworks.trials.quasi`, which
calls ``stats.ar1_regression``) and the register's verdict rule (``verdicts.judge_effect``), so
a computed result is judged exactly as a series uploaded to a trial would be.

The result is a draft (``initiatives.ResultDraft``) until the owner confirms it with a note. A
series too short for the declared design is still a result: inconclusive, saying in words how
many periods there are and how many the design needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from whatworks.initiatives import services as register
from whatworks.initiatives.models import (
    EvaluationDesign,
    Goal,
    GoalResult,
    ResultDraft,
    SeriesDesign,
    Status,
    Verdict,
)
from whatworks.initiatives.verdicts import judge_effect
from whatworks.measures import evidence as metric_evidence
from whatworks.stats import StatsRefusal
from whatworks.trials import figures, quasi
from whatworks.trials.analysis import Wording

#: Periods before the start that an interrupted time series uses (the latest ones): two years
#: of months, enough for the trend and the autocorrelation without reaching back to another era.
PERIODS_BEFORE = 24

DESIGNS = {
    SeriesDesign.BEFORE_AFTER: EvaluationDesign.BEFORE_AFTER,
    SeriesDesign.COMPARISON: EvaluationDesign.COMPARISON,
}
MEASURES = {
    SeriesDesign.BEFORE_AFTER: "change in level",
    SeriesDesign.COMPARISON: "difference-in-differences",
}


@dataclass(frozen=True)
class Computed:
    """What the draft holds: the result's fields, its verdict and the analysis' headline."""

    fields: dict[str, Any]
    verdict: str
    verdict_reason: str
    headline: str


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def goals_due(today: date) -> Any:
    """Goals whose result is computed today or was due before: measured from a metric, judge-by
    date reached, initiative running, and neither a result nor a computed draft yet."""
    return (
        Goal.objects.filter(
            metric__isnull=False,
            judge_by__lte=today,
            initiative__status__in=[Status.STARTED, Status.EVALUATING],
        )
        .exclude(measured_design="")
        .filter(
            ~Exists(GoalResult.objects.filter(goal=OuterRef("pk"))),
            ~Exists(ResultDraft.objects.filter(goal=OuterRef("pk"))),
        )
        .select_related("initiative", "metric", "comparison_metric")
        .order_by("judge_by", "id")
    )


def goal_compute(goal: Goal, today: date | None = None) -> Computed:
    """Compute the goal's result from its metric with its declared design (module docstring)."""
    today = today or timezone.localdate()
    initiative = goal.initiative
    metric = goal.metric
    assert metric is not None and goal.judge_by is not None  # goals_due() selects these
    start = initiative.actual_start or initiative.planned_start
    design = SeriesDesign(goal.measured_design)
    scale = metric_evidence.goal_scale(metric, goal.unit)
    until = min(goal.judge_by, today)
    since = _shift_months(start, -PERIODS_BEFORE) if start else None
    words = Wording(outcome=goal.metric_name, measure_unit=goal.unit)
    criterion = goal.snapshot()
    base: dict[str, Any] = {
        "measure": MEASURES[design],
        "effect_scale": 1.0,
        "effect_unit": goal.unit,
        "null_value": 0.0,
        "interval_level": 95.0,
        "design": str(DESIGNS[design]),
        "criterion": criterion,
        "source": f"Computed from the metric “{metric.name}” on {today:%d %B %Y}",
    }
    own = metric_evidence.series(
        metric=metric,
        organisation_id=initiative.organisation_id,
        since=since,
        until=until,
        scale=scale,
    )
    try:
        if start is None:
            raise StatsRefusal("The initiative has no start date to compare before and after.")
        if design == SeriesDesign.BEFORE_AFTER:
            result: quasi.TimeSeriesResult | quasi.DiDResult = quasi.interrupted_time_series(
                [p for p, _ in own], [v for _, v in own], intervention=start, words=words
            )
        else:
            comparison = _comparison_series(goal, since=since, until=until)
            periods = [p for p, _ in own] + [p for p, _ in comparison]
            values = [v for _, v in own] + [v for _, v in comparison]
            groups = [quasi.TREATED] * len(own) + [quasi.COMPARISON] * len(comparison)
            result = quasi.difference_in_differences(
                periods, values, groups, intervention=start, words=words
            )
    except StatsRefusal as refusal:
        return _too_short(base, refusal.reason, own, start, design)
    estimate = result.level_change if isinstance(result, quasi.TimeSeriesResult) else result.did
    verdict, reason = judge_effect(
        criterion,
        measure=MEASURES[design],
        effect=estimate.estimate,
        low=estimate.ci_low,
        high=estimate.ci_high,
        null_value=0.0,
        scale=1.0,
        unit=goal.unit,
    )
    fields = {
        **base,
        "effect": estimate.estimate,
        "effect_low": estimate.ci_low,
        "effect_high": estimate.ci_high,
        "figures": figures.series_figures(result, words),
        "sample_size": result.n_before + result.n_after,
        "method": f"{result.method} 95% interval. {quasi.CALIBRATION_NOTE}",
        "caveats": [result.caveat, *result.notes],
    }
    return Computed(fields, str(verdict), reason, result.headline)


def _comparison_series(goal: Goal, *, since: date | None, until: date) -> list[tuple[date, float]]:
    metric = goal.comparison_metric or goal.metric
    organisation_id = goal.comparison_organisation_id or goal.initiative.organisation_id
    if metric == goal.metric and organisation_id == goal.initiative.organisation_id:
        raise StatsRefusal(
            "The comparison series is the goal's own series: name another metric or another "
            "organisation to compare with."
        )
    assert metric is not None
    return metric_evidence.series(
        metric=metric,
        organisation_id=organisation_id,
        since=since,
        until=until,
        scale=metric_evidence.goal_scale(metric, goal.unit),
    )


def _too_short(
    base: dict[str, Any],
    why: str,
    own: list[tuple[date, float]],
    start: date | None,
    design: SeriesDesign,
) -> Computed:
    before = sum(1 for p, _ in own if start is not None and p < start)
    after = len(own) - before
    what = (
        "a before-and-after analysis"
        if design == SeriesDesign.BEFORE_AFTER
        else "a comparison-series analysis"
    )
    reason = (
        f"The figures are not enough for {what}: {why} So the result is inconclusive: it cannot "
        "tell whether the goal was met. It would be settled by a longer series (more periods "
        "before and after the start) or by a trial."
    )
    fields = {
        **base,
        "effect": None,
        "effect_low": None,
        "effect_high": None,
        "figures": [
            {
                "label": "Before the start",
                "text": "figures available",
                "n": before,
                "n_label": "periods",
                "allocated": None,
            },
            {
                "label": "After the start",
                "text": "figures available",
                "n": after,
                "n_label": "periods",
                "allocated": None,
            },
        ],
        "sample_size": len(own),
        "method": "Not computed: the series is too short for the declared design.",
        "caveats": [quasi.ITS_CAVEAT if design == SeriesDesign.BEFORE_AFTER else quasi.DID_CAVEAT],
    }
    return Computed(fields, str(Verdict.INCONCLUSIVE), reason, reason)


def goal_result_draft(goal: Goal, today: date | None = None) -> ResultDraft:
    """Compute the goal's result and keep it as a draft for the owner (idempotent)."""
    today = today or timezone.localdate()
    computed = goal_compute(goal, today)
    return register.draft_record(
        goal=goal,
        fields=computed.fields,
        verdict=computed.verdict,
        verdict_reason=computed.verdict_reason,
        headline=computed.headline,
        computed_on=today,
    )


def compute_due_results(today: date | None = None, limit: int | None = None) -> int:
    """Compute every goal due by ``today`` (the nightly job); returns how many drafts it made."""
    today = today or timezone.localdate()
    done = 0
    goals = goals_due(today)
    for goal in goals[:limit] if limit else goals:
        goal_result_draft(goal, today)
        done += 1
    return done
