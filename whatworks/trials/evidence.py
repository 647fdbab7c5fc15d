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

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Exists, OuterRef
from django.utils import timezone
from scipy.stats import t as sps_t

from whatworks import stats
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
from whatworks.stats.timeseries import RHO_GRID
from whatworks.trials import figures, quasi
from whatworks.trials.analysis import Wording

#: Periods before the start that an interrupted time series uses (the latest ones): two years
#: of months, enough for the trend and the autocorrelation without reaching back to another era.
PERIODS_BEFORE = 24
#: Drafts written in one transaction by the nightly job.
WRITE_CHUNK = 100

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
        .select_related("initiative__organisation", "metric", "comparison_metric")
        .order_by("judge_by", "id")
    )


@dataclass
class Prepared:
    """A due goal's inputs: its series (and the comparison's), read once."""

    goal: Goal
    design: SeriesDesign
    start: date | None
    own: list[tuple[date, float]]
    comparison: list[tuple[date, float]] | None
    words: Wording
    base: dict[str, Any]


def prepare(goal: Goal, today: date, rows: list[tuple[date, float]] | None = None) -> Prepared:
    """The goal's inputs; ``rows`` are its own series' unscaled figures when already read (the
    nightly job reads every goal's at once)."""
    initiative = goal.initiative
    metric = goal.metric
    assert metric is not None and goal.judge_by is not None  # goals_due() selects these
    start = initiative.actual_start or initiative.planned_start
    design = SeriesDesign(goal.measured_design)
    until = min(goal.judge_by, today)
    since = _shift_months(start, -PERIODS_BEFORE) if start else None
    scale = metric_evidence.goal_scale(metric, goal.unit)
    if rows is None:
        own = metric_evidence.series(
            metric=metric,
            organisation_id=initiative.organisation_id,
            since=since,
            until=until,
            scale=scale,
        )
    else:
        own = [
            (day, value * scale)
            for day, value in rows
            if day <= until and (since is None or day >= since)
        ]
    comparison = None
    if design == SeriesDesign.COMPARISON:
        try:
            comparison = _comparison_series(goal, since=since, until=until)
        except StatsRefusal:
            comparison = None  # reported when computed
    base: dict[str, Any] = {
        "measure": MEASURES[design],
        "effect_scale": 1.0,
        "effect_unit": goal.unit,
        "null_value": 0.0,
        "interval_level": 95.0,
        "design": str(DESIGNS[design]),
        "criterion": goal.snapshot(),
        "source": f"Computed from the metric “{metric.name}” on {today:%d %B %Y}",
    }
    return Prepared(
        goal=goal,
        design=design,
        start=start,
        own=own,
        comparison=comparison,
        words=Wording(outcome=goal.metric_name, measure_unit=goal.unit),
        base=base,
    )


def analyse(prepared: Prepared) -> quasi.TimeSeriesResult | quasi.DiDResult:
    """The declared design's analysis (raises StatsRefusal with the reason in words)."""
    own, start = prepared.own, prepared.start
    if start is None:
        raise StatsRefusal("The initiative has no start date to compare before and after.")
    if prepared.design == SeriesDesign.BEFORE_AFTER:
        return quasi.interrupted_time_series(
            [p for p, _ in own], [v for _, v in own], intervention=start, words=prepared.words
        )
    if prepared.comparison is None:
        _comparison_series(prepared.goal, since=None, until=start)  # raises the reason
    comparison = prepared.comparison or []
    return quasi.difference_in_differences(
        [p for p, _ in own] + [p for p, _ in comparison],
        [v for _, v in own] + [v for _, v in comparison],
        [quasi.TREATED] * len(own) + [quasi.COMPARISON] * len(comparison),
        intervention=start,
        words=prepared.words,
    )


def finish(
    prepared: Prepared, result: quasi.TimeSeriesResult | quasi.DiDResult | StatsRefusal
) -> Computed:
    """The draft's fields and verdict from the analysis (or its refusal)."""
    if isinstance(result, StatsRefusal):
        return _too_short(
            prepared.base, result.reason, prepared.own, prepared.start, prepared.design
        )
    goal = prepared.goal
    estimate = result.level_change if isinstance(result, quasi.TimeSeriesResult) else result.did
    verdict, reason = judge_effect(
        prepared.base["criterion"],
        measure=MEASURES[prepared.design],
        effect=estimate.estimate,
        low=estimate.ci_low,
        high=estimate.ci_high,
        null_value=0.0,
        scale=1.0,
        unit=goal.unit,
    )
    fields = {
        **prepared.base,
        "effect": estimate.estimate,
        "effect_low": estimate.ci_low,
        "effect_high": estimate.ci_high,
        "figures": figures.series_figures(result, prepared.words),
        "sample_size": result.n_before + result.n_after,
        "method": f"{result.method} 95% interval. {quasi.CALIBRATION_NOTE}",
        "caveats": [result.caveat, *result.notes],
    }
    return Computed(fields, str(verdict), reason, result.headline)


def goal_compute(goal: Goal, today: date | None = None) -> Computed:
    """Compute the goal's result from its metric with its declared design (module docstring)."""
    prepared = prepare(goal, today or timezone.localdate())
    try:
        result: quasi.TimeSeriesResult | quasi.DiDResult | StatsRefusal = analyse(prepared)
    except StatsRefusal as refusal:
        result = refusal
    return finish(prepared, result)


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
    """Compute every goal due by ``today`` (the nightly job); returns how many drafts it made.

    Before-and-after goals whose series have the same number of periods before and after the
    start share one design matrix, so they are analysed together (:func:`its_batch`): the same
    method as ``quasi.interrupted_time_series``, with the costly part (the intervals' quantiles,
    found by bisection) done once for the whole group rather than once a goal.
    """
    today = today or timezone.localdate()
    goals = list(goals_due(today)[:limit] if limit else goals_due(today))
    keys = {(g.metric_id, g.initiative.organisation_id) for g in goals if g.metric_id}
    rows = metric_evidence.series_many(keys, since=None, until=today) if keys else {}
    prepared = [
        prepare(goal, today, rows.get((goal.metric_id, goal.initiative.organisation_id)))
        for goal in goals
    ]
    results: dict[int, quasi.TimeSeriesResult | quasi.DiDResult | StatsRefusal] = {}
    groups: dict[tuple[int, int], list[Prepared]] = {}
    for item in prepared:
        shape = _its_shape(item)
        if shape is None:
            continue
        groups.setdefault(shape, []).append(item)
    for (n_before, n_after), members in groups.items():
        try:
            batch = its_batch(
                [[v for _, v in m.own] for m in members],
                n_before,
                n_after,
                periods=[[p for p, _ in m.own] for m in members],
                words=[m.words for m in members],
            )
        except StatsRefusal:
            continue  # one series on a straight line: each is analysed on its own below
        for member, result in zip(members, batch, strict=True):
            results[member.goal.pk] = result
    for chunk in range(0, len(prepared), WRITE_CHUNK):
        drafts = []
        for item in prepared[chunk : chunk + WRITE_CHUNK]:
            if item.goal.pk not in results:
                try:
                    results[item.goal.pk] = analyse(item)
                except StatsRefusal as refusal:
                    results[item.goal.pk] = refusal
            computed = finish(item, results[item.goal.pk])
            drafts.append(
                ResultDraft(
                    goal=item.goal,
                    fields=computed.fields,
                    verdict=computed.verdict,
                    verdict_reason=computed.verdict_reason,
                    headline=computed.headline,
                    computed_on=today,
                )
            )
        # A short transaction per chunk: a commit per draft costs more than the draft.
        register.drafts_record_many(drafts=drafts)
    return len(prepared)


def _its_shape(item: Prepared) -> tuple[int, int] | None:
    """(periods before, periods after) of a before-and-after series the batch can take."""
    if item.design != SeriesDesign.BEFORE_AFTER or item.start is None:
        return None
    periods = [p for p, _ in item.own]
    if len(set(periods)) != len(periods) or not all(math.isfinite(v) for _, v in item.own):
        return None
    before = sum(1 for p in periods if p < item.start)
    after = len(periods) - before
    if before < quasi.MIN_ITS_POINTS or after < quasi.MIN_ITS_POINTS:
        return None
    return before, after


def _quantile(post: stats.PosteriorBatch, q: float) -> np.ndarray:
    """``post.quantile(q)`` by Newton's method on the mixture's distribution function, kept
    inside a bracket that shrinks at every step (a bisection step whenever Newton would leave
    it), from the matching quantile of a t with the mixture's mean and spread: a handful of
    evaluations of the distribution instead of the library's 80 bisection steps, to the same
    precision (1e-12 in probability). Columns that have not converged are left to the library's
    bisection."""
    df = post.df
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    spread = 60.0 * post.scales.max(axis=0)
    low = post.centres.min(axis=0) - spread
    high = post.centres.max(axis=0) + spread
    x = post.mean() + float(sps_t.ppf(q, df)) * post.std() * math.sqrt(max(df - 2, 1) / df)
    x = np.clip(x, low, high)
    converged = np.zeros(x.shape, dtype=bool)
    for _ in range(60):
        gap = post.cdf(x) - q
        converged = np.abs(gap) < 1e-12
        if converged.all():
            break
        low = np.where(gap < 0, x, low)
        high = np.where(gap < 0, high, x)
        z = (x - post.centres) / post.scales
        density = np.sum(
            post.weights * np.exp(log_norm - (df + 1) / 2 * np.log1p(z * z / df)) / post.scales,
            axis=0,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - gap / density
        inside = np.isfinite(newton) & (newton > low) & (newton < high)
        x = np.where(converged, x, np.where(inside, newton, 0.5 * (low + high)))
    if not converged.all():
        slow = ~converged
        rest = stats.PosteriorBatch(
            weights=post.weights[:, slow],
            centres=post.centres[:, slow],
            scales=post.scales[:, slow],
            df=df,
        )
        x = x.copy()
        x[slow] = rest.quantile(q)
    return np.asarray(x)


def its_batch(
    values: list[list[float]],
    n_before: int,
    n_after: int,
    *,
    periods: list[list[date]],
    words: list[Wording],
    alpha: float = 0.05,
) -> list[quasi.TimeSeriesResult]:
    """``quasi.interrupted_time_series`` for many series of the same shape at once (each in
    time order): the same posterior (``stats.ar1_posterior``, which takes many series), so the
    same figures, computed with whole-array operations. Raises StatsRefusal as the library
    does when any series lies exactly on the fitted lines."""
    x = stats.segmented_design(n_before, n_after)
    y = np.asarray(values, dtype=float).T  # (n, R)
    posteriors = [stats.ar1_posterior(y, x, j) for j in range(x.shape[1])]
    coefficients: dict[int, list[stats.Coefficient]] = {}
    for j in (1, 2, 3):
        post = posteriors[j]
        low, middle, high = (_quantile(post, q) for q in (alpha / 2.0, 0.5, 1.0 - alpha / 2.0))
        spread, p_values = post.std(), post.p_values()
        coefficients[j] = [
            stats.Coefficient(
                estimate=float(middle[r]),
                std_error=float(spread[r]),
                ci_low=float(low[r]),
                ci_high=float(high[r]),
                p_value=float(p_values[r]),
            )
            for r in range(y.shape[1])
        ]
    mean_beta = np.vstack([post.mean() for post in posteriors])  # (p, R)
    fitted = x @ mean_beta
    rho = np.sum(posteriors[0].weights * RHO_GRID[:, None], axis=0)
    out = []
    for r in range(y.shape[1]):
        level, slope, before = coefficients[2][r], coefficients[3][r], coefficients[1][r]
        counterfactual = quasi._trend_before(fitted[:, r], x, n_before)
        out.append(
            quasi.TimeSeriesResult(
                design="before and after",
                n_before=n_before,
                n_after=n_after,
                level_change=level,
                slope_change=slope,
                slope_before=before,
                rho=float(rho[r]),
                df_resid=float(n_before + n_after - x.shape[1]),
                alpha=alpha,
                periods=tuple(periods[r]),
                values=tuple(float(v) for v in y[:, r]),
                fitted=tuple(float(v) for v in fitted[:, r]),
                counterfactual=tuple(float(v) for v in counterfactual),
                headline=quasi._its_headline(level, slope, alpha, words[r]),
                caveat=quasi.ITS_CAVEAT,
                method=(
                    "Segmented regression (interrupted time series) with first-order "
                    f"autoregressive errors, the autocorrelation (about {rho[r]:.2f}) integrated "
                    "over its restricted likelihood (Zellner and Tiao 1964)."
                ),
            )
        )
    return out
