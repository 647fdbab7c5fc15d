"""The data migration to several results per goal keeps every existing result.

Built with the models as they stood before (initiatives 0002, trials 0002): a goal's single
result recorded by hand, and a goal whose trial result (written as "baseline plus the
difference") overwrote an earlier trial's. After migrating: the rows are there, each goal's
result is primary with a reason, the trial's row shows its effect instead of the baseline plus
the difference, the overwritten trial's result is back beside it, and every trial estimate has
a standard error.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("initiatives", "0002_goal_metric"), ("trials", "0002_series_set")]
AFTER = [
    ("initiatives", "0004_existing_results_primary"),
    ("trials", "0004_trial_results_on_the_register"),
]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest():
    """Every app's latest migrations again afterwards, for the tests that run next on this
    database (going back also unapplied later migrations of other apps that depend on these)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_result_and_gives_each_goal_its_primary(world, back_to_the_latest):
    apps = _migrate(BEFORE)
    Initiative = apps.get_model("initiatives", "Initiative")
    Goal = apps.get_model("initiatives", "Goal")
    GoalResult = apps.get_model("initiatives", "GoalResult")
    Trial = apps.get_model("trials", "Trial")
    TrialResult = apps.get_model("trials", "TrialResult")
    initiative = Initiative.objects.create(
        organisation_id=world.org_a.pk,
        title="Letters",
        summary="Rewrote the letters",
        service_area="housing",
        status="started",
    )

    def goal(name: str):
        return Goal.objects.create(
            initiative=initiative,
            metric_name=name,
            unit="%",
            direction="higher",
            baseline_value=30,
            baseline_period="2016",
            target_value=45,
            success_threshold=40,
        )

    by_hand, trialled = goal("By hand"), goal("Trialled")
    GoalResult.objects.create(
        goal=by_hand, value=41, design="before_after", verdict="met", verdict_reason="Reached."
    )
    dates = [datetime.datetime(2017, m, 1, tzinfo=datetime.UTC) for m in (3, 9)]
    for title, estimate, when in (
        ("First trial", 0.12, dates[0]),
        ("Second trial", 0.02, dates[1]),
    ):
        trial = Trial.objects.create(
            initiative=initiative,
            goal=trialled,
            title=title,
            outcome_kind="proportion",
            primary_outcome="Contact",
            analysis_date=datetime.date(2017, 3, 1),
        )
        TrialResult.objects.create(
            trial=trial,
            arm="New letter",
            measure="difference in proportions",
            estimate=estimate,
            ci_low=estimate - 0.0392,
            ci_high=estimate + 0.0392,
            alpha=0.05,
            p_value=0.01,
            n_units=600,
            goal_value=30 + 100 * estimate,
            goal_ci_low=30 + 100 * (estimate - 0.0392),
            goal_ci_high=30 + 100 * (estimate + 0.0392),
            verdict="met" if estimate > 0.1 else "not_met",
            verdict_text=f"{title} verdict.",
            recorded_at=when,
        )
    # The second trial's verdict overwrote the first's on the goal (one result per goal then).
    GoalResult.objects.create(
        goal=trialled,
        value=32,
        ci_low=28.08,
        ci_high=35.92,
        design="randomised",
        sample_size=600,
        source="Trial: Second trial (difference in proportions, 95% interval)",
        verdict="not_met",
        verdict_reason="Second trial verdict.",
        recorded_at=dates[1],
    )

    apps = _migrate(AFTER)
    GoalResult = apps.get_model("initiatives", "GoalResult")
    TrialResult = apps.get_model("trials", "TrialResult")
    kept = GoalResult.objects.get(goal_id=by_hand.pk)
    assert (kept.value, kept.verdict, kept.is_primary) == (41, "met", True)
    assert kept.primary_reason and kept.criterion["success_threshold"] == 40
    rows = list(GoalResult.objects.filter(goal_id=trialled.pk).order_by("recorded_at"))
    assert [r.source.split(" (")[0] for r in rows] == ["Trial: First trial", "Trial: Second trial"]
    first, second = rows
    assert (first.is_primary, second.is_primary) == (False, True)  # the one the goal showed
    assert (first.verdict, second.verdict) == ("met", "not_met")
    # No "baseline plus the difference" any more: the effect, in percentage points.
    assert second.value is None and second.effect == pytest.approx(0.02)
    assert (second.effect_scale, second.effect_unit) == (100.0, "percentage points")
    assert second.allocated == 600 and second.sample_size is None
    for result in TrialResult.objects.all():
        assert result.std_error == pytest.approx(0.02, rel=1e-3)
        assert result.goal_result_id is not None
