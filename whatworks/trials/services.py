"""Writes for trials. Each is atomic, audited, and raises ValidationError on bad input.

How a trial's result lands on the goal
--------------------------------------
The register's goal is a *level* ("tenants who get in touch within 21 days", baseline 30%,
success at least 40%); a trial estimates a *difference* between arms (or a rate ratio, or a
series' change). The verdict is the trial's own (``analysis.verdict``: it knows where "no
effect" lies and says "inconclusive" when the interval spans both the criterion and no effect),
against the criterion the goal was locked with (``Goal.registered_criterion``: the goal as it
stood before any amendment made after outcomes were seen), read as an effect by
``initiatives.verdicts.criterion_effect``: the improvement over the baseline in the better
direction, divided by the scale (100 when a proportion is recorded on a goal in %), or for a
rate ratio the relative improvement.

Locking the analysis plan locks the goal (``initiatives.services.goal_lock``), so from then on
the criterion changes only by a visible amendment. The register keeps the effect, its interval,
what was observed in each arm with the units analysed (``figures``), and the verdict frozen with
its criterion, design, method and caveats; re-judging against an amended criterion is a new,
dated judgement beside it. The trial's estimate with its standard error and degrees of freedom
is kept in ``TrialResult`` for pooling across councils.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from whatworks.core import audit
from whatworks.initiatives import services as register
from whatworks.initiatives import verdicts
from whatworks.initiatives.models import EvaluationDesign, Goal, Initiative, Status, Verdict
from whatworks.organisations.models import User
from whatworks.stats import StatsRefusal
from whatworks.trials import analysis, columns, figures, imports, quasi, randomise, selectors
from whatworks.trials.models import (
    DESIGN_FIELDS,
    NEXT_STATUSES,
    PLAN_FIELDS,
    TRIAL_FIELDS,
    Allocation,
    Design,
    OutcomeKind,
    OutcomeSet,
    PendingUpload,
    SeriesSet,
    Trial,
    TrialArm,
    TrialResult,
    TrialStatus,
    TrialStatusChange,
    UploadKind,
)

VERDICT = verdicts.VERDICTS


def _change_status(trial: Trial, to: str, actor: User | None, reason: str = "") -> None:
    current = trial.status
    if to not in NEXT_STATUSES[current]:
        raise ValidationError(
            f"A trial that is {TrialStatus(current).label.lower()} cannot become "
            f"{TrialStatus(to).label.lower()}."
        )
    if to != current:
        TrialStatusChange.objects.create(
            trial=trial, from_status=current, to_status=to, reason=reason, changed_by=actor
        )
        trial.status = to
        Trial.objects.filter(pk=trial.pk).update(status=to)


def _refuse_if_stopped(trial: Trial) -> None:
    if trial.status == TrialStatus.STOPPED:
        raise ValidationError("This trial has been stopped and can no longer be changed.")
    if trial.initiative.status == Status.WITHDRAWN:
        raise ValidationError("The initiative has been withdrawn; its trials cannot change.")


def _check_arms(arms: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    cleaned = [(name.strip(), int(ratio)) for name, ratio in arms if name.strip()]
    if len(cleaned) < 2:
        raise ValidationError({"arms": "A trial needs at least two arms: control first."})
    names = [name for name, _ in cleaned]
    if len(set(names)) != len(names):
        raise ValidationError({"arms": "Each arm needs a different name."})
    if any(ratio < 1 for _, ratio in cleaned):
        raise ValidationError({"arms": "Every arm's share of the allocation must be at least 1."})
    return cleaned


def _set_arms(trial: Trial, arms: list[tuple[str, int]]) -> None:
    trial.arms.all().delete()
    TrialArm.objects.bulk_create(
        TrialArm(trial=trial, position=i, name=name, ratio=ratio)
        for i, (name, ratio) in enumerate(arms)
    )


def _check_judged_arm(trial: Trial, names: list[str]) -> None:
    if trial.judged_arm and trial.judged_arm not in names[1:]:
        raise ValidationError(
            {"judged_arm": f"Name one of the arms after control: {', '.join(names[1:])}."}
        )


@transaction.atomic
def trial_create(
    *,
    initiative: Initiative,
    goal: Goal,
    actor: User,
    arms: Sequence[tuple[str, int]],
    **fields: Any,
) -> Trial:
    unknown = set(fields) - set(TRIAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown trial fields: {sorted(unknown)}")
    if initiative.status == Status.WITHDRAWN:
        raise ValidationError("The initiative has been withdrawn.")
    cleaned = _check_arms(arms)
    trial = Trial(initiative=initiative, goal=goal, created_by=actor, **fields)
    trial.full_clean()
    _check_judged_arm(trial, [n for n, _ in cleaned])
    trial.save()
    _set_arms(trial, cleaned)
    TrialStatusChange.objects.create(
        trial=trial,
        from_status="",
        to_status=TrialStatus.DESIGNING,
        changed_by=actor,
        reason="Designed",
    )
    audit.record("trial.created", actor=actor, obj=trial, organisation=initiative.organisation)
    return trial


@transaction.atomic
def trial_update(
    *,
    trial: Trial,
    actor: User,
    arms: Sequence[tuple[str, int]] | None = None,
    **fields: Any,
) -> Trial:
    """Change the design. Plan fields are fixed once the plan is locked; the design and arms
    once units are allocated. Refusals name the field."""
    _refuse_if_stopped(trial)
    unknown = set(fields) - set(TRIAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown trial fields: {sorted(unknown)}")
    stored = Trial.objects.get(pk=trial.pk)
    changed = sorted(k for k, v in fields.items() if getattr(stored, k) != v)
    if stored.plan_locked:
        locked = [k for k in changed if k in PLAN_FIELDS]
        if locked:
            raise ValidationError(
                {k: "The analysis plan is locked: this can no longer change." for k in locked}
            )
    allocated = stored.status != TrialStatus.DESIGNING
    current_arms = [(a.name, a.ratio) for a in stored.arms.all()]
    new_arms = _check_arms(arms) if arms is not None else current_arms
    if allocated:
        fixed = [k for k in changed if k in DESIGN_FIELDS]
        if fixed or new_arms != current_arms:
            errors = {k: "Units are allocated: the design can no longer change." for k in fixed}
            if new_arms != current_arms:
                errors["arms"] = "Units are allocated: the arms can no longer change."
            raise ValidationError(errors)
    for name, value in fields.items():
        setattr(trial, name, value)
    trial.full_clean()
    _check_judged_arm(trial, [n for n, _ in new_arms])
    trial.save()
    if new_arms != current_arms:
        _set_arms(trial, new_arms)
        changed.append("arms")
    audit.record(
        "trial.updated",
        actor=actor,
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={"fields": changed},
    )
    return trial


@transaction.atomic
def trial_lock_plan(*, trial: Trial, actor: User) -> Trial:
    """Fix the primary outcome, analysis date, alpha and sidedness (and the judged arm), and
    lock the goal the trial measures (even before its initiative starts): from now on the
    success criterion changes only by an amendment with a reason, shown as post hoc once
    outcomes are in. Refused while the goal has no baseline."""
    _refuse_if_stopped(trial)
    stored = Trial.objects.select_for_update().select_related("goal").get(pk=trial.pk)
    if stored.plan_locked:
        raise ValidationError("The analysis plan is already locked.")
    register.goal_lock(
        goal=stored.goal, actor=actor, why=f"The analysis plan of the trial {trial.title} fixed it."
    )
    trial.plan_locked_at = timezone.now()
    Trial.objects.filter(pk=trial.pk).update(plan_locked_at=trial.plan_locked_at)
    audit.record(
        "trial.plan_locked",
        actor=actor,
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={
            name: (v.isoformat() if isinstance(v, date) else v)
            for name in PLAN_FIELDS
            for v in [getattr(trial, name)]
        },
    )
    return trial


@transaction.atomic
def trial_stop(*, trial: Trial, actor: User, reason: str) -> Trial:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the trial is stopping: readers will see it."})
    _change_status(trial, TrialStatus.STOPPED, actor, reason.strip())
    audit.record(
        "trial.stopped",
        actor=actor,
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={"reason": reason.strip()},
    )
    return trial


# --------------------------------------------------------------------------------------------
# Uploads: check, keep for confirmation, then import
# --------------------------------------------------------------------------------------------


def _stage(
    trial: Trial, kind: str, raw: bytes, filename: str, rows: int, actor: User
) -> PendingUpload:
    # One waiting file of each kind per trial: an older one is replaced.
    PendingUpload.objects.filter(trial=trial, kind=kind).delete()
    return PendingUpload.objects.create(
        trial=trial, kind=kind, filename=filename[:255], content=raw, rows=rows, uploaded_by=actor
    )


def _refuse_allocation_locked(trial: Trial) -> None:
    _refuse_if_stopped(trial)
    if not trial.is_randomised:
        raise ValidationError("Only randomised designs allocate units here.")
    if selectors.has_outcomes(trial):
        raise ValidationError(
            "Outcomes have been uploaded, so the allocation is locked: it cannot be rerun or "
            "changed."
        )


def units_check(
    *,
    trial: Trial,
    raw: bytes,
    filename: str = "",
    progress: Callable[[int], None] | None = None,
) -> imports.UnitList:
    with imports.bulk_objects():
        return imports.check_units(
            raw,
            filename=filename,
            stratified=trial.stratified,
            cluster_column=trial.cluster_column if trial.design == Design.CLUSTER else "",
            progress=progress,
        )


@transaction.atomic
def units_stage(*, trial: Trial, actor: User, raw: bytes, filename: str) -> PendingUpload:
    """Check a unit list and keep it for the person to confirm (raises UploadRejected)."""
    _refuse_allocation_locked(trial)
    units = units_check(trial=trial, raw=raw, filename=filename)
    return _stage(trial, UploadKind.UNITS, raw, filename, units.n, actor)


@transaction.atomic
def trial_allocate(
    *, trial: Trial, actor: User, upload: PendingUpload, seed: int | None = None
) -> Allocation:
    """Allocate the units of a confirmed upload with ``randomise.allocate`` (seed and method
    stored). Rerunning replaces the allocation until outcomes exist; then it is locked."""
    trial = Trial.objects.select_for_update().select_related("initiative", "goal").get(pk=trial.pk)
    _refuse_allocation_locked(trial)
    if upload.trial_id != trial.pk or upload.kind != UploadKind.UNITS:
        raise ValidationError("That upload is not this trial's unit list.")
    units = units_check(trial=trial, raw=bytes(upload.content), filename=upload.filename)
    arms = list(trial.arms.all())
    try:
        result = randomise.allocate(
            units.units,
            [a.name for a in arms],
            ratio=[a.ratio for a in arms],
            method=trial.method_name(),  # type: ignore[arg-type]
            strata=units.strata,
            clusters=units.clusters,
            seed=seed,
        )
    except StatsRefusal as error:
        raise ValidationError(error.reason) from None
    position = {a.name: a.position for a in arms}
    codes = [position[name] for name in result.arms]
    rerun = Allocation.objects.filter(trial=trial).exists()
    Allocation.objects.filter(trial=trial).delete()
    allocation = Allocation.objects.create(
        trial=trial,
        seed=result.seed,
        method=result.method,
        kind=result.kind,
        block_size=result.block_size,
        n_units=units.n,
        n_clusters=len(set(units.clusters)) if units.clusters else None,
        counts=list(result.counts().values()),
        filename=units.filename[:255],
        units=columns.pack_text(result.units),
        arms=columns.pack_codes(codes),
        strata=columns.pack_text(units.strata) if units.strata is not None else None,
        clusters=columns.pack_text(units.clusters) if units.clusters is not None else None,
        baseline=columns.pack_table(units.baseline) if units.baseline else None,
        baseline_columns=list(units.baseline),
        allocated_by=actor,
    )
    upload.delete()
    _change_status(trial, TrialStatus.ALLOCATED, actor, "Allocated again" if rerun else "")
    audit.record(
        "trial.reallocated" if rerun else "trial.allocated",
        actor=actor,
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={"seed": result.seed, "method": result.method, "units": units.n},
    )
    return allocation


def _outcomes_ready(trial: Trial) -> Allocation:
    _refuse_if_stopped(trial)
    if not trial.plan_locked:
        raise ValidationError(
            "Lock the analysis plan first: the primary outcome, analysis date, significance "
            "level and sidedness are fixed before any outcome is seen."
        )
    allocation = selectors.allocation_of(trial)
    if allocation is None:
        raise ValidationError("Allocate the units before uploading outcomes.")
    if trial.status == TrialStatus.ANALYSED:
        raise ValidationError("The verdict is on the register: outcomes can no longer be replaced.")
    return allocation


def outcomes_check(
    *,
    trial: Trial,
    allocation: Allocation,
    raw: bytes,
    filename: str = "",
    progress: Callable[[int], None] | None = None,
) -> imports.OutcomeColumns:
    with imports.bulk_objects():
        return imports.check_outcomes(
            raw,
            kind=trial.outcome_kind,
            units=columns.unpack_text(allocation.units),
            filename=filename,
            progress=progress,
        )


@transaction.atomic
def outcomes_stage(*, trial: Trial, actor: User, raw: bytes, filename: str) -> PendingUpload:
    allocation = _outcomes_ready(trial)
    checked = outcomes_check(trial=trial, allocation=allocation, raw=raw, filename=filename)
    return _stage(trial, UploadKind.OUTCOMES, raw, filename, checked.rows, actor)


def outcomes_import(
    *, trial: Trial, actor: User | None, raw: bytes, filename: str = ""
) -> OutcomeSet:
    """Check every row and store the outcomes as columns, all or nothing.

    The file is read and checked before the transaction opens, so a long check of a large file
    holds no lock; the write is one row (see models.py, "Storage").
    """
    allocation = _outcomes_ready(trial)
    checked = outcomes_check(trial=trial, allocation=allocation, raw=raw, filename=filename)
    return _store_outcomes(trial, actor, checked, hashlib.sha256(raw).hexdigest())


@transaction.atomic
def _store_outcomes(
    trial: Trial, actor: User | None, checked: imports.OutcomeColumns, digest: str
) -> OutcomeSet:
    trial = Trial.objects.select_for_update().select_related("initiative").get(pk=trial.pk)
    _outcomes_ready(trial)
    outcome_set = OutcomeSet.objects.create(
        trial=trial,
        filename=checked.filename[:255],
        rows=checked.rows,
        outcome=columns.pack_floats(checked.outcome),
        exposure=columns.pack_floats(checked.exposure) if checked.exposure is not None else None,
        events=columns.pack_floats(checked.events) if checked.events is not None else None,
        uploaded_by=actor,
    )
    PendingUpload.objects.filter(trial=trial, kind=UploadKind.OUTCOMES).delete()
    _change_status(trial, TrialStatus.OUTCOMES, actor)
    audit.record(
        "trial.outcomes_uploaded",
        actor=actor,
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={"rows": checked.rows, "file": checked.filename, "sha256": digest},
    )
    return outcome_set


def outcomes_confirm(*, trial: Trial, actor: User, upload: PendingUpload) -> OutcomeSet:
    if upload.trial_id != trial.pk or upload.kind != UploadKind.OUTCOMES:
        raise ValidationError("That upload is not this trial's outcome file.")
    return outcomes_import(
        trial=trial, actor=actor, raw=bytes(upload.content), filename=upload.filename
    )


# --------------------------------------------------------------------------------------------
# The verdict on the register
# --------------------------------------------------------------------------------------------


def criterion_for(trial: Trial, criterion: dict[str, Any] | None = None) -> tuple[float, str]:
    """The success criterion as an effect size on the trial's scale, and the better direction.

    ``criterion`` defaults to the one the goal was locked with (``Goal.registered_criterion``);
    pass the goal's current snapshot to read the result against an amended one (post hoc).
    """
    frame = criterion if criterion is not None else trial.goal.registered_criterion()
    try:
        size = verdicts.criterion_effect(
            frame, scale=trial.goal_scale(), ratio=trial.outcome_kind == OutcomeKind.RATE
        )
    except StatsRefusal as error:
        raise ValidationError(error.reason) from None
    return size, str(frame["direction"])


def trial_verdict(
    trial: Trial, result: analysis.OutcomeAnalysis, criterion: dict[str, Any] | None = None
) -> tuple[analysis.Comparison, analysis.Verdict]:
    comparison = selectors.judged_comparison(trial, result)
    size, direction = criterion_for(trial, criterion)
    design = "cluster randomised" if trial.design == Design.CLUSTER else "randomised"
    verdict = analysis.verdict_for(
        result,
        criterion=size,
        direction=direction,  # type: ignore[arg-type]
        design=design,  # type: ignore[arg-type]
        arm=comparison.arm,
        words=selectors.wording(trial),
    )
    return comparison, verdict


def _effect_unit(trial: Trial, measure: str) -> str:
    if measure == "rate ratio":
        return ""
    if trial.goal_scale() == 100.0:
        return "percentage points"
    return trial.goal.unit or trial.measure_unit


def _refuse_recorded(trial: Trial) -> None:
    recorded = TrialResult.objects.filter(trial=trial).first()
    if recorded is not None:
        raise ValidationError(
            f"The verdict was recorded on {recorded.recorded_at:%d %B %Y} and stays as it was "
            "judged. A criterion amended since is judged beside it, on the initiative's page."
        )


@transaction.atomic
def trial_record_verdict(*, trial: Trial, actor: User, today: date | None = None) -> TrialResult:
    """Add the trial's result and verdict to its goal (``initiatives.services.result_add``).

    Refused before the analysis date (an interim look never decides), when the allocation
    check failed, when the analysis refuses the data, or when the verdict is already recorded.
    The first result of a goal becomes its primary one; a later trial's joins the history beside
    it without replacing it.
    """
    trial = Trial.objects.select_for_update().select_related("initiative", "goal").get(pk=trial.pk)
    _refuse_if_stopped(trial)
    _refuse_recorded(trial)
    today = today or timezone.localdate()
    if trial.is_interim(today):
        raise ValidationError(
            f"The analysis date is {trial.analysis_date:%d %B %Y}: before it, results are "
            "interim and cannot give the verdict."
        )
    results = selectors.trial_results(trial, today)
    if results.analysis is None:
        raise ValidationError(results.refusal)
    try:
        comparison, verdict = trial_verdict(trial, results.analysis)
    except StatsRefusal as error:
        raise ValidationError(error.reason) from None
    assert comparison.ci_low is not None and comparison.ci_high is not None
    counts = {row.arm: row for row in results.analysis.attrition}
    analysed = counts[comparison.arm].with_outcome + counts[comparison.control].with_outcome
    allocated = counts[comparison.arm].allocated + counts[comparison.control].allocated
    scale = 1.0 if comparison.measure == "rate ratio" else trial.goal_scale()
    level = f"{100 * (1 - trial.analysis_alpha):g}%"
    return _put_on_register(
        trial,
        actor,
        verdict,
        Estimate(
            measure=comparison.measure,
            arm=comparison.arm,
            value=comparison.estimate,
            low=comparison.ci_low,
            high=comparison.ci_high,
            null_value=comparison.null_value,
            std_error=comparison.std_error,
            df=comparison.df,
            p_value=comparison.p_value,
            method=f"{comparison.method}; {level} interval.",
        ),
        scale=scale,
        unit=_effect_unit(trial, comparison.measure),
        observed=figures.arm_figures(results.analysis, comparison, selectors.wording(trial)),
        design=EvaluationDesign.RANDOMISED,
        analysed=analysed,
        allocated=allocated,
        source=f"Trial: {trial.title} ({comparison.arm} against {comparison.control})",
    )


@dataclass(frozen=True)
class Estimate:
    """What a trial or series puts on the register about its headline estimate."""

    measure: str
    arm: str
    value: float
    low: float
    high: float
    null_value: float
    std_error: float | None
    df: float | None
    p_value: float
    method: str


def _put_on_register(
    trial: Trial,
    actor: User,
    verdict: analysis.Verdict,
    estimate: Estimate,
    *,
    scale: float,
    unit: str,
    observed: list[dict[str, Any]],
    design: str,
    analysed: int,
    allocated: int | None,
    source: str,
) -> TrialResult:
    """The goal's new result (``initiatives.services.result_add``: frozen with the criterion
    the goal was locked with, the design, method and caveats), the trial's own record of its
    estimate for pooling, the status and the audit entry."""
    goal_result = register.result_add(
        goal=trial.goal,
        actor=actor,
        measure=estimate.measure,
        effect=estimate.value,
        effect_low=estimate.low,
        effect_high=estimate.high,
        effect_scale=scale,
        effect_unit=unit,
        null_value=estimate.null_value,
        interval_level=100 * (1 - trial.analysis_alpha),
        figures=observed,
        design=design,
        sample_size=analysed,
        allocated=allocated,
        source=source[:300],
        criterion=trial.goal.registered_criterion(),
        method=f"{Design(trial.design).label}. {estimate.method}"[:2000],
        caveats=list(verdict.caveats),
        verdict=VERDICT[verdict.outcome],
        verdict_reason=verdict.headline,
    )
    stored = TrialResult.objects.create(
        trial=trial,
        goal_result=goal_result,
        arm=estimate.arm,
        measure=estimate.measure,
        design=trial.design,
        estimate=estimate.value,
        ci_low=estimate.low,
        ci_high=estimate.high,
        std_error=estimate.std_error,
        df=estimate.df,
        alpha=trial.analysis_alpha,
        p_value=estimate.p_value,
        n_units=analysed,
        verdict=VERDICT[verdict.outcome],
        verdict_text=verdict.text,
        recorded_by=actor,
        recorded_at=goal_result.recorded_at,
    )
    _change_status(trial, TrialStatus.ANALYSED, actor)
    audit.record(
        "trial.verdict_recorded",
        actor=actor,
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={"verdict": verdict.outcome, "estimate": estimate.value},
    )
    return stored


# --------------------------------------------------------------------------------------------
# Before and after, comparison group: a time series instead of units
# --------------------------------------------------------------------------------------------


def _refuse_if_randomised(trial: Trial) -> None:
    if trial.is_randomised:
        raise ValidationError(
            "A randomised trial is analysed from its units and outcomes, not a time series."
        )


@transaction.atomic
def series_import(
    *, trial: Trial, actor: User, raw: bytes, start: date, filename: str = ""
) -> SeriesSet:
    """Check a time-series file (``imports.check_series``: raises UploadRejected with the rows at
    fault, nothing written) and store it whole as the trial's newest series."""
    trial = Trial.objects.select_for_update().select_related("initiative").get(pk=trial.pk)
    _refuse_if_stopped(trial)
    _refuse_if_randomised(trial)
    if not trial.plan_locked:
        raise ValidationError("Lock the analysis plan before uploading the series.")
    if trial.status == TrialStatus.ANALYSED:
        raise ValidationError(
            "The verdict is on the register: the series can no longer be replaced."
        )
    rows = imports.check_series(
        raw, with_groups=trial.design == Design.COMPARISON, filename=filename
    )
    stored = SeriesSet.objects.create(
        trial=trial,
        filename=filename[:255],
        rows=len(rows.values),
        start=start,
        data={
            "periods": [p.isoformat() for p in rows.periods],
            "values": rows.values,
            "groups": rows.groups,
        },
        uploaded_by=actor,
    )
    _change_status(trial, TrialStatus.OUTCOMES, actor, "Time series uploaded")
    audit.record(
        "trial.series_imported",
        actor=actor,
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={"rows": stored.rows, "start": start.isoformat()},
    )
    return stored


def series_verdict(
    trial: Trial,
    result: quasi.TimeSeriesResult | quasi.DiDResult,
    criterion: dict[str, Any] | None = None,
) -> analysis.Verdict:
    """The honest verdict on a before-and-after or comparison-group result (always with its
    design's caveat). The criterion is the goal's improvement in the goal's own unit."""
    size, direction = criterion_for(trial, criterion)
    return quasi.quasi_verdict(
        result,
        criterion=size,
        direction=direction,  # type: ignore[arg-type]
        words=selectors.wording(trial),
    )


@transaction.atomic
def series_record_verdict(*, trial: Trial, actor: User, today: date | None = None) -> Verdict:
    """Add a non-randomised trial's result and verdict to its goal, with the evidence level of
    its design (before and after: 2; comparison group: 3)."""
    trial = Trial.objects.select_for_update().select_related("initiative", "goal").get(pk=trial.pk)
    _refuse_if_stopped(trial)
    _refuse_if_randomised(trial)
    _refuse_recorded(trial)
    today = today or timezone.localdate()
    if trial.is_interim(today):
        raise ValidationError(
            f"The analysis date is {trial.analysis_date:%d %B %Y}: before it, results are "
            "interim and cannot give the verdict."
        )
    results = selectors.series_results(trial, today)
    if results.result is None:
        raise ValidationError(results.refusal)
    result = results.result
    try:
        verdict = series_verdict(trial, result)
    except StatsRefusal as error:
        raise ValidationError(error.reason) from None
    level = f"{100 * (1 - trial.analysis_alpha):g}%"
    measure = (
        "change in level"
        if isinstance(result, quasi.TimeSeriesResult)
        else "difference-in-differences"
    )
    headline = result.level_change if isinstance(result, quasi.TimeSeriesResult) else result.did
    _put_on_register(
        trial,
        actor,
        verdict,
        Estimate(
            measure=measure,
            arm="",
            value=result.estimate,
            low=result.ci_low,
            high=result.ci_high,
            null_value=0.0,
            std_error=headline.std_error,
            df=result.df_resid,
            p_value=result.p_value,
            method=f"{result.method} {level} interval. {quasi.CALIBRATION_NOTE}",
        ),
        scale=1.0,
        unit=trial.goal.unit or trial.measure_unit,
        observed=figures.series_figures(result, selectors.wording(trial)),
        design=str(trial.design),
        analysed=result.n_before + result.n_after,
        allocated=None,
        source=f"Trial: {trial.title} ({Design(trial.design).label.lower()})",
    )
    return VERDICT[verdict.outcome]
