"""Trial results recorded before a goal could hold several results.

* Each trial's estimate gets its standard error. For these older rows it is read back from the
  stored interval once (on the log scale for a rate ratio; the interval was normal-based except
  for cluster trials, where the t quantile on G - 1 degrees of freedom was used and is not
  stored, so the standard error is taken on the normal scale, slightly wider than it was); new
  results store their own standard error and degrees of freedom.
* The register's row of the newest trial on each goal (the one that overwrote the others) is
  linked to it and shown as the trial's effect with its interval, no longer as the baseline plus
  the difference; its analysed count was not stored, so the number recorded moves to
  "allocated".
* A trial whose register row was overwritten by a later trial gets its row back, from its own
  stored verdict and estimate, beside the primary one.
"""

import math

from django.db import migrations
from scipy import stats as sps

SERIES = ("change in level", "difference-in-differences")


def _scale(trial):
    unit = (trial.goal.unit or "").lower()
    if trial.outcome_kind == "proportion" and ("%" in unit or "percent" in unit):
        return 100.0, "percentage points"
    return 1.0, trial.goal.unit or ""


def _effect_fields(result, trial):
    scale, unit = _scale(trial)
    level = 100 * (1 - result.alpha)
    return {
        "measure": result.measure,
        "effect": result.estimate,
        "effect_low": result.ci_low,
        "effect_high": result.ci_high,
        "effect_scale": scale,
        "effect_unit": unit,
        "null_value": 1.0 if result.measure == "rate ratio" else 0.0,
        "interval_level": level,
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "method": f"{result.measure}, {level:g}% interval (recorded before figures per arm and "
        "the analysed count were stored)",
    }


def forwards(apps, schema_editor):
    TrialResult = apps.get_model("trials", "TrialResult")
    GoalResult = apps.get_model("initiatives", "GoalResult")
    for result in TrialResult.objects.select_related("trial", "trial__goal").order_by(
        "-recorded_at", "-id"
    ):
        trial = result.trial
        z = float(sps.norm.isf(result.alpha / 2))
        low, high = result.ci_low, result.ci_high
        if result.measure == "rate ratio":
            low, high = math.log(low), math.log(high)
        result.std_error = (high - low) / (2 * z)
        result.design = trial.design
        linked = (
            GoalResult.objects.filter(
                goal_id=trial.goal_id,
                source__startswith=f"Trial: {trial.title}",
                measure="",
            )
            .order_by("-recorded_at")
            .first()
        )
        if linked is not None:
            for name, value in _effect_fields(result, trial).items():
                setattr(linked, name, value)
            linked.allocated, linked.sample_size = linked.sample_size, None
            linked.save()
        else:
            criterion = {
                name: getattr(trial.goal, name)
                for name in ("metric_name", "unit", "direction", "baseline_value",
                             "baseline_period", "target_value", "success_threshold")
            }
            linked = GoalResult.objects.create(
                goal_id=trial.goal_id,
                is_primary=False,
                design="randomised",
                allocated=result.n_units,
                source=f"Trial: {trial.title}"[:300],
                criterion=criterion,
                verdict=result.verdict,
                verdict_reason=result.verdict_text,
                recorded_by=result.recorded_by,
                recorded_at=result.recorded_at,
                **_effect_fields(result, trial),
            )
        result.goal_result = linked
        result.save(update_fields=["std_error", "design", "goal_result"])
    # Before-and-after and comparison-group verdicts wrote only the register's row, as the
    # baseline plus the change: show them as the change with its interval.
    for row in GoalResult.objects.filter(measure="", source__startswith="Trial: ").select_related(
        "goal"
    ):
        measure = next((m for m in SERIES if f"({m}," in row.source), None)
        baseline = row.goal.baseline_value
        if measure is None or baseline is None or row.ci_low is None:
            continue
        row.measure = measure
        row.effect = row.value - baseline
        row.effect_low = row.ci_low - baseline
        row.effect_high = row.ci_high - baseline
        row.effect_unit = row.goal.unit or ""
        row.value = row.ci_low = row.ci_high = None
        row.method = f"{measure} (recorded before the observed figures were stored)"
        row.save()


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0003_trial_result_frame"),
        ("initiatives", "0004_existing_results_primary"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
