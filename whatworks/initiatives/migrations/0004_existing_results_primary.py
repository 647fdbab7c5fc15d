"""Results recorded when a goal could hold only one: each becomes its goal's primary result,
frozen with the goal's criterion as it stands now (the best record there is of what it was
judged under; amendments before this change were re-judging results in place)."""

from django.db import migrations

GOAL_FIELDS = [
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
]
REASON = "The goal's only result when several results per goal became possible."


def forwards(apps, schema_editor):
    GoalResult = apps.get_model("initiatives", "GoalResult")
    PrimaryResultChange = apps.get_model("initiatives", "PrimaryResultChange")
    for result in GoalResult.objects.select_related("goal").iterator():
        goal = result.goal
        criterion = {name: getattr(goal, name) for name in GOAL_FIELDS}
        criterion["metric"] = goal.metric_id
        criterion["judge_by"] = goal.judge_by.isoformat() if goal.judge_by else None
        result.is_primary = True
        result.primary_reason = REASON
        result.criterion = criterion
        result.save(update_fields=["is_primary", "primary_reason", "criterion"])
        PrimaryResultChange.objects.create(
            goal=goal,
            from_result=None,
            to_result=result,
            reason=REASON,
            changed_by=result.recorded_by,
            changed_at=result.recorded_at,
        )


def backwards(apps, schema_editor):
    GoalResult = apps.get_model("initiatives", "GoalResult")
    PrimaryResultChange = apps.get_model("initiatives", "PrimaryResultChange")
    PrimaryResultChange.objects.filter(reason=REASON).delete()
    GoalResult.objects.filter(primary_reason=REASON).update(is_primary=False, primary_reason="")


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0003_several_results_per_goal")]

    operations = [migrations.RunPython(forwards, backwards)]
