"""Reads for trials, shared by the pages (and the exports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from whatworks.initiatives.models import Initiative
from whatworks.initiatives.selectors import access_initiative
from whatworks.stats import StatsRefusal
from whatworks.trials import analysis, columns, quasi, randomise
from whatworks.trials.models import (
    Allocation,
    Design,
    OutcomeKind,
    OutcomeSet,
    SeriesSet,
    Trial,
    TrialResult,
)


def access_trial(user: Any, pk: int, perm: str | None = None) -> Trial:
    """The trial if `user` may see its initiative (404 otherwise) and holds `perm` (403)."""
    trial = (
        Trial.objects.select_related("goal", "initiative").prefetch_related("arms").filter(pk=pk)
    ).first()
    if trial is None:
        raise Http404("No such trial.")
    # Visibility (and embargo) follow the initiative; this raises 404 when it is hidden.
    trial.initiative = access_initiative(user, trial.initiative_id)
    if perm is not None and not user.has_perm(perm, trial):
        raise PermissionDenied
    return trial


def trials_for_initiative(initiative: Initiative) -> QuerySet[Trial]:
    return (
        Trial.objects.for_initiative(initiative)
        .select_related("goal")
        .prefetch_related("arms")
        .order_by("-created_at", "-id")
    )


def arm_names(trial: Trial) -> list[str]:
    return [arm.name for arm in trial.arms.all()]


def allocation_of(trial: Trial) -> Allocation | None:
    return Allocation.objects.filter(trial=trial).first()


def latest_outcomes(trial: Trial) -> OutcomeSet | None:
    return OutcomeSet.objects.filter(trial=trial).order_by("-uploaded_at", "-id").first()


def recorded_result(trial: Trial) -> TrialResult | None:
    """The trial's recorded result with the register's row (its frozen verdict and judgements)."""
    return (
        TrialResult.objects.filter(trial=trial)
        .select_related("goal_result")
        .prefetch_related("goal_result__judgements__amendment")
        .first()
    )


def has_outcomes(trial: Trial) -> bool:
    return OutcomeSet.objects.filter(trial=trial).exists()


def goal_has_outcomes(goal: Any) -> bool:
    """Has any trial of this goal had its outcomes or its series uploaded?"""
    trials = Trial.objects.filter(goal=goal)
    return (
        OutcomeSet.objects.filter(trial__in=trials).exists()
        or SeriesSet.objects.filter(trial__in=trials).exists()
    )


@dataclass
class AllocationView:
    allocation: Allocation
    units: list[str]
    arms: list[str]
    strata: list[str]
    clusters: list[str]
    balance: randomise.BalanceTable | None
    balance_refusal: str


def allocation_view(trial: Trial, allocation: Allocation) -> AllocationView:
    names = arm_names(trial)
    codes = columns.unpack_codes(allocation.arms)
    arms = [names[c] for c in codes]
    baseline = columns.unpack_table(allocation.baseline)
    balance, refusal = None, ""
    if baseline:
        try:
            balance = randomise.balance_table(arms, baseline, arm_names=names)
        except StatsRefusal as error:
            refusal = error.reason
    return AllocationView(
        allocation=allocation,
        units=columns.unpack_text(allocation.units),
        arms=arms,
        strata=columns.unpack_text(allocation.strata),
        clusters=columns.unpack_text(allocation.clusters),
        balance=balance,
        balance_refusal=refusal,
    )


@dataclass
class Results:
    """The analysis of a trial's latest outcomes, or the reason there is none."""

    analysis: analysis.OutcomeAnalysis | None
    refusal: str
    outcomes: OutcomeSet | None
    allocation: Allocation | None
    interim: bool
    analysed_on: date


def wording(trial: Trial) -> analysis.Wording:
    return analysis.Wording(
        units=trial.units_noun or "people",
        outcome=trial.outcome_phrase or "had the outcome",
        measure_unit=trial.measure_unit,
    )


def trial_results(trial: Trial, today: date | None = None) -> Results:
    """Analyse the newest outcomes with ``analysis.analyse_outcome`` (seeded: same every time)."""
    today = today or timezone.localdate()
    allocation = allocation_of(trial)
    outcomes = latest_outcomes(trial)
    interim = trial.is_interim(today)
    if allocation is None or outcomes is None:
        return Results(
            None, "No outcomes have been uploaded yet.", outcomes, allocation, interim, today
        )
    names = arm_names(trial)
    codes = columns.unpack_codes(allocation.arms).astype(np.intp)
    y = columns.unpack_floats(outcomes.outcome)
    assert y is not None
    baseline = None
    table = (
        columns.unpack_table(allocation.baseline)
        if "baseline" in allocation.baseline_columns
        else {}
    )
    if table.get("baseline") and all(
        v is None or isinstance(v, int | float) for v in table["baseline"]
    ):
        baseline = np.array([np.nan if v is None else v for v in table["baseline"]], dtype=float)
    clusters = None
    if allocation.clusters is not None:
        clusters = np.array(columns.unpack_text(allocation.clusters))
    strata = None
    if allocation.strata is not None and trial.stratified:
        strata = np.array(columns.unpack_text(allocation.strata))
    try:
        result = analysis.analyse_outcome(
            codes,
            y,
            kind=trial.outcome_kind,  # type: ignore[arg-type]
            arm_labels=names,
            baseline=baseline,
            clusters=clusters,
            strata=strata,
            exposure=columns.unpack_floats(outcomes.exposure),
            events=columns.unpack_floats(outcomes.events),
            within=float(trial.within_days) if trial.within_days else None,
            ratio=[arm.ratio for arm in trial.arms.all()],
            alpha=trial.analysis_alpha,
            seed=trial.pk or 1,
            analysis_date=trial.analysis_date,
            analysed_on=today,
            wording=wording(trial),
        )
    except StatsRefusal as error:
        return Results(None, error.reason, outcomes, allocation, interim, today)
    return Results(result, "", outcomes, allocation, interim, today)


def judged_comparison(trial: Trial, result: analysis.OutcomeAnalysis) -> analysis.Comparison:
    """The comparison the verdict is for: the named arm, or the first arm after control."""
    wanted = trial.judged_arm or next(
        (arm.name for arm in trial.arms.all() if arm.position > 0), ""
    )
    for comparison in result.comparisons:
        if comparison.arm == wanted:
            return comparison
    raise StatsRefusal(f"The arm {wanted!r} named for the verdict is not one of the trial's arms.")


def kind_label(trial: Trial) -> str:
    return OutcomeKind(trial.outcome_kind).label


# --------------------------------------------------------------------------------------------
# Pooled evidence across councils' replications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    label: str
    initiative: Initiative
    trial_title: str
    estimate: float
    ci_low: float
    ci_high: float
    std_error: float
    df: float | None
    n_units: int
    verdict: str


#: Fewer results than this and the pooled interval rests on a poorly estimated spread between
#: councils: the page says so (Cochrane Handbook 10.10.4.3; IntHout et al. 2014).
FEW_RESULTS = 5


def _pooled_measure(measures: list[str]) -> str:
    """The most common measure; ties go to the earlier in ``analysis.MEASURES`` (then by name),
    so the choice never depends on the order rows come back in or on hashing."""
    order = {m: i for i, m in enumerate(analysis.MEASURES)}
    counts: dict[str, int] = {}
    for measure in measures:
        counts[measure] = counts.get(measure, 0) + 1
    return min(counts, key=lambda m: (-counts[m], order.get(m, len(order)), m))


def pooled_evidence(user: Any, initiative: Initiative) -> dict[str, Any]:
    """Context for ``trials/_pooled.html`` on an initiative's page.

    The family is the original initiative and its replications that ``user`` may see. Randomised
    trials whose goal has the original's primary metric and whose verdict is recorded are pooled
    with ``stats.random_effects`` by REML with the Hartung-Knapp-Sidik-Jonkman interval (t on
    k - 1 degrees of freedom, never narrower than the plain random-effects one), from each
    trial's *stored* standard error (on the log scale for rate ratios, which are pooled there).
    Before-and-after and comparison-group results are not pooled with trials. Like is pooled
    with like: the most common measure, ties broken in a fixed order. With fewer than
    :data:`FEW_RESULTS` results the page warns that the interval is fragile. The prediction
    interval is "what to expect in a council like yours" (needs three or more trials).
    """
    from whatworks import stats
    from whatworks.initiatives.models import owner_label
    from whatworks.initiatives.selectors import initiatives_visible_to
    from whatworks.trials.models import RANDOMISED_DESIGNS

    original = initiative
    if initiative.replicated_from_id:
        parent = initiatives_visible_to(user).filter(pk=initiative.replicated_from_id).first()
        original = parent or initiative
    family = {original.pk: original}
    for copy in initiatives_visible_to(user).filter(replicated_from=original):
        family[copy.pk] = copy
    family.setdefault(initiative.pk, initiative)
    own_trials = list(trials_for_initiative(initiative))
    context: dict[str, Any] = {
        "initiative": initiative,
        "original": original,
        "trials": own_trials,
        "can_add_trial": bool(getattr(user, "has_perm", None))
        and user.has_perm("trials.change_trial", initiative),
        "studies": [],
        "result": None,
        "sentence": "",
        "refusal": "",
        "warning": "",
        "measure": "",
    }
    primary = original.goals.filter(is_primary=True).first()
    if primary is None:
        return context
    results = list(
        TrialResult.objects.filter(
            trial__initiative_id__in=list(family),
            trial__goal__metric_name=primary.metric_name,
            design__in=list(RANDOMISED_DESIGNS),
            std_error__gt=0,
        )
        .select_related("trial")
        .order_by("recorded_at", "id")
    )
    if not results:
        return context
    measure = _pooled_measure([r.measure for r in results])
    results = [r for r in results if r.measure == measure]
    ratio = measure == "rate ratio"
    studies = [
        Study(
            label=owner_label(family[r.trial.initiative_id], user),
            initiative=family[r.trial.initiative_id],
            trial_title=r.trial.title,
            estimate=r.estimate,
            ci_low=r.ci_low,
            ci_high=r.ci_high,
            std_error=float(r.std_error or 0.0),
            df=r.df,
            n_units=r.n_units,
            verdict=r.get_verdict_display(),
        )
        for r in results
    ]
    context.update(studies=studies, measure=measure)
    if len(results) < 2:
        context["refusal"] = (
            "Only one council's trial has a result so far: pooling needs two or more."
        )
        return context
    effects = [float(np.log(s.estimate)) if ratio else s.estimate for s in studies]
    variances = [s.std_error**2 for s in studies]
    try:
        pooled = stats.random_effects(effects, variances, method="REML", interval="hksj")
    except StatsRefusal as error:
        context["refusal"] = error.reason
        return context
    back = np.exp if ratio else (lambda v: v)
    scale = 100.0 if measure == "difference in proportions" else 1.0
    unit = " percentage points" if scale == 100.0 else ""

    def fmt(v: float) -> str:
        return f"{float(back(v)) * scale:.2f}{unit}" if ratio else f"{v * scale:.1f}{unit}"

    councils = len({s.initiative.organisation_id for s in studies})
    where = f"{councils} councils" if councils > 1 else "one council"
    sentence = (
        f"Across {pooled.k} trials in {where}, the {measure} averaged {fmt(pooled.estimate)} "
        f"(95% interval {fmt(pooled.ci_low)} to {fmt(pooled.ci_high)})."
    )
    if pooled.prediction_low is not None and pooled.prediction_high is not None:
        sentence += (
            f" In a council like yours, expect somewhere between {fmt(pooled.prediction_low)} "
            f"and {fmt(pooled.prediction_high)} (the 95% prediction interval)."
        )
    else:
        sentence += " What to expect in a council like yours needs three or more trials."
    if pooled.k < FEW_RESULTS:
        context["warning"] = (
            f"Only {pooled.k} results are pooled. With fewer than {FEW_RESULTS}, how much "
            "councils differ from one another is hard to estimate, so the pooled interval is "
            "wide and rests on that estimate: read it as a rough guide, not a settled answer."
        )
    context.update(
        result=pooled,
        sentence=sentence,
        pooled_estimate=float(back(pooled.estimate)) * (1 if ratio else scale),
        pooled_low=float(back(pooled.ci_low)) * (1 if ratio else scale),
        pooled_high=float(back(pooled.ci_high)) * (1 if ratio else scale),
        prediction=(
            None
            if pooled.prediction_low is None or pooled.prediction_high is None
            else (
                float(back(pooled.prediction_low)) * (1 if ratio else scale),
                float(back(pooled.prediction_high)) * (1 if ratio else scale),
            )
        ),
        scale=1 if ratio else scale,
        weights=[
            w / sum(1.0 / (v + pooled.tau2) for v in variances)
            for w in (1.0 / (v + pooled.tau2) for v in variances)
        ],
        table_row={
            "estimate": float(back(pooled.estimate)),
            "low": float(back(pooled.ci_low)),
            "high": float(back(pooled.ci_high)),
            "prediction_low": None
            if pooled.prediction_low is None
            else float(back(pooled.prediction_low)),
            "prediction_high": None
            if pooled.prediction_high is None
            else float(back(pooled.prediction_high)),
        },
        heterogeneity=f"{100 * pooled.i2:.0f}%",
    )
    return context


# --- Before and after, comparison group -------------------------------------------------


@dataclass(frozen=True)
class SeriesResults:
    """The newest series of a non-randomised trial and its analysis (or the reason for none)."""

    series: SeriesSet | None
    result: quasi.TimeSeriesResult | quasi.DiDResult | None
    refusal: str
    interim: bool


def latest_series(trial: Trial) -> SeriesSet | None:
    return SeriesSet.objects.filter(trial=trial).order_by("-uploaded_at", "-id").first()


def series_results(trial: Trial, today: date | None = None) -> SeriesResults:
    """Interrupted time series (before and after) or difference-in-differences (comparison)."""
    today = today or timezone.localdate()
    interim = trial.is_interim(today)
    series = latest_series(trial)
    if series is None:
        return SeriesResults(None, None, "No time series has been uploaded yet.", interim)
    periods = [date.fromisoformat(p) for p in series.data["periods"]]
    values = series.data["values"]
    words = wording(trial)
    try:
        result: quasi.TimeSeriesResult | quasi.DiDResult
        if trial.design == Design.COMPARISON:
            result = quasi.difference_in_differences(
                periods,
                values,
                series.data["groups"],
                intervention=series.start,
                alpha=trial.analysis_alpha,
                words=words,
            )
        else:
            result = quasi.interrupted_time_series(
                periods,
                values,
                intervention=series.start,
                alpha=trial.analysis_alpha,
                words=words,
            )
    except StatsRefusal as error:
        return SeriesResults(series, None, error.reason, interim)
    return SeriesResults(series, result, "", interim)
