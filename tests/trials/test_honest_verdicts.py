"""ISSUE 11's reproductions, each a test that must now fail to reproduce.

* A trial could be designed, randomised and analysed while its goal was unlocked, and editing the
  criterion after the outcomes silently changed the verdict on the results page:
  ``test_a_plan_lock_locks_the_goal_even_while_the_initiative_is_an_idea``,
  ``test_a_criterion_edited_after_the_outcomes_is_post_hoc_beside_the_verdict``.
* Any edit re-judged a recorded result with the register's generic rule (a harmful result
  turned "met"): ``test_an_edit_never_rejudges_a_recorded_trial_result_in_place`` (and, for
  results recorded by hand, tests/initiatives/test_record_services.py).
* A second trial's verdict overwrote the first: ``test_a_second_trials_verdict_joins_the_first``.
* "Baseline plus the difference": tests/trials/test_app_outcomes.py::
  test_the_journey_lands_the_verdict_on_the_goal.
* A single figure was judged "met" or "not met": tests/initiatives/test_record_services.py::
  test_it_judges_the_result_against_the_locked_criterion.
* Cluster trials: ``test_cluster_verdict_flag_and_p_value_agree_and_keep_their_error_rate``.
* Time series: tests/stats/test_stats_timeseries.py.
* Pooling: ``test_pooling_uses_stored_standard_errors_and_keeps_its_coverage_with_few_councils``
  and tests/stats/test_stats_meta.py.
* The sample-ratio check and attrition: ``test_differential_attrition_reaches_the_verdict``.
* The power page: ``test_the_power_page_gives_the_chance_of_met_on_the_analysis_df``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from scipy import stats as sps

from bench.calibration import UNEQUAL_CV, cluster_sizes_unequal, cluster_trial, page_comparison
from tests.trials.test_app_fixtures import (
    allocated,
    initiative_for,
    locked,
    outcomes_for,
    trial_for,
)
from whatworks import stats
from whatworks.initiatives import services as register
from whatworks.initiatives.models import (
    GoalResult,
    Initiative,
    PrimaryResultChange,
    Status,
    Verdict,
)
from whatworks.trials import analysis, power, services
from whatworks.trials.models import TrialResult
from whatworks.trials.selectors import pooled_evidence


def _analysed(world, initiative, effect: float, title: str = "Letters trial"):
    trial = allocated(world, trial_for(world, initiative, title=title), 200)
    locked(world, trial)
    services.outcomes_import(
        trial=trial, actor=world["analyst"], raw=outcomes_for(trial, effect=effect)
    )
    trial.refresh_from_db()
    return trial


def test_a_plan_lock_locks_the_goal_even_while_the_initiative_is_an_idea(world):
    initiative = initiative_for(world, started=False)
    assert initiative.status == Status.IDEA
    trial = allocated(world, trial_for(world, initiative), 200)
    goal = trial.goal
    assert goal.locked_at is None
    locked(world, trial)
    goal.refresh_from_db()
    assert goal.locked_at is not None
    with pytest.raises(ValidationError) as error:
        register.goal_update(goal=goal, actor=world["officer"], success_threshold=60)
    assert "reason" in error.value.message_dict


def test_a_plan_lock_refuses_a_goal_without_a_baseline(world):
    initiative = initiative_for(world, started=False, baseline_value=None, baseline_period="")
    trial = trial_for(world, initiative)
    with pytest.raises(ValidationError, match="Record the baseline"):
        locked(world, trial)
    trial.refresh_from_db()
    assert not trial.plan_locked


def test_a_criterion_edited_after_the_outcomes_is_post_hoc_beside_the_verdict(world, client_for):
    trial = _analysed(world, initiative_for(world, started=False), effect=0.3)
    client = client_for(world["analyst"])
    before = client.get(f"/trials/{trial.pk}/results/").content.decode()
    assert "Verdict against the goal: met" in before
    register.goal_update(
        goal=trial.goal, actor=world["officer"], success_threshold=60, reason="Raised the bar"
    )
    amendment = trial.goal.amendments.get()
    assert amendment.post_hoc
    after = client.get(f"/trials/{trial.pk}/results/").content.decode()
    # The verdict against the criterion fixed in advance stands; the amended one is read
    # beside it and labelled post hoc (at least 60% needs 30 points: the interval spans it).
    assert "Verdict against the goal: met" in after
    assert "Post hoc: inconclusive against the amended criterion" in after
    assert "Raised the bar" in after
    result = services.trial_record_verdict(trial=trial, actor=world["analyst"])
    assert result.verdict == Verdict.MET
    assert result.goal_result.criterion["success_threshold"] == 40


def test_an_edit_never_rejudges_a_recorded_trial_result_in_place(world):
    initiative = initiative_for(world)
    trial = _analysed(world, initiative, effect=-0.2)
    stored = services.trial_record_verdict(trial=trial, actor=world["analyst"])
    assert stored.verdict == Verdict.NOT_MET  # the whole interval on the side of doing worse
    # The register's generic rule would have read "baseline plus difference" (about 10%)
    # against a threshold lowered to at least 5% as "met".
    register.goal_update(
        goal=trial.goal, actor=world["officer"], success_threshold=5, reason="Re-based"
    )
    row = GoalResult.objects.get(pk=stored.goal_result_id)
    assert row.verdict == stored.verdict == Verdict.NOT_MET
    assert TrialResult.objects.get(pk=stored.pk).verdict == row.verdict
    assert Initiative.objects.get(pk=initiative.pk).verdict == Verdict.NOT_MET
    judgement = row.judgements.get()
    assert judgement.verdict == Verdict.NOT_MET  # still harmful by the trial's own rule
    assert judgement.amendment.post_hoc
    assert "falls short" in judgement.reason
    with pytest.raises(ValidationError, match="stays as it was judged"):
        services.trial_record_verdict(trial=trial, actor=world["analyst"])


def test_a_second_trials_verdict_joins_the_first(world, client_for):
    initiative = initiative_for(world)
    first = _analysed(world, initiative, effect=0.3, title="First letters trial")
    services.trial_record_verdict(trial=first, actor=world["analyst"])
    second = _analysed(world, initiative, effect=0.05, title="Second letters trial")
    services.trial_record_verdict(trial=second, actor=world["analyst"])
    goal = first.goal
    results = list(goal.results.order_by("recorded_at", "id"))
    assert [r.verdict for r in results] == [Verdict.MET, Verdict.INCONCLUSIVE]
    assert [r.is_primary for r in results] == [True, False]
    assert Initiative.objects.get(pk=initiative.pk).verdict == Verdict.MET
    client = client_for(world["officer"])
    url = f"/initiatives/{initiative.pk}/goals/{goal.pk}/results/{results[1].pk}/primary/"
    page = client.get(url).content.decode()
    assert "Current primary result" in page and "Inconclusive" in page
    refused = client.post(url, {"reason": "Bigger and later"})
    assert refused.status_code == 200 and "Confirm that this result replaces" in (
        refused.content.decode()
    )
    assert client.post(url, {"reason": "Bigger and later", "confirm": "on"}).status_code == 302
    results = list(goal.results.order_by("recorded_at", "id"))
    assert [r.is_primary for r in results] == [False, True]
    assert results[1].primary_reason == "Bigger and later"
    assert Initiative.objects.get(pk=initiative.pk).verdict == Verdict.INCONCLUSIVE
    history = list(PrimaryResultChange.objects.filter(goal=goal).order_by("id"))
    assert [(h.from_result_id, h.to_result_id) for h in history] == [
        (None, results[0].pk),
        (results[0].pk, results[1].pk),
    ]
    body = client_for(world["outsider"]).get(f"/initiatives/{initiative.pk}/").content.decode()
    assert "First letters trial" in body and "Second letters trial" in body
    assert "History of the primary result" in body


def test_cluster_verdict_flag_and_p_value_agree_and_keep_their_error_rate():
    """Unequal clusters and no real effect: CR1 on G - 1 df said "worked" about twice as often
    as promised (4.4-4.6% against 2.5%); the CR2 interval the pages use does not."""
    rng = np.random.Generator(np.random.PCG64(7))
    runs, worked, worked_cr1 = 1500, 0, 0
    for _ in range(runs):
        arm, y, clusters = cluster_trial(rng, cluster_sizes_unequal(rng, 16))
        comparison = page_comparison(arm, y, clusters)
        # One method for the interval, the "clear" flag, the p value and the verdict.
        assert comparison.clear == (comparison.p_value < 0.05)
        assert comparison.p_value == pytest.approx(comparison.cluster_robust.p_value)
        worked += (
            analysis.judge(comparison.ci_low, comparison.ci_high, criterion=0, direction="higher")
            == "met"
        )
        cr1 = stats.estimate_effect(y, arm.astype(float), clusters=clusters)
        worked_cr1 += cr1.ci_low > 0
    se = math.sqrt(0.025 * 0.975 / runs)
    assert worked / runs <= 0.025 + 3 * se
    assert worked_cr1 / runs >= 0.04  # the reproduction, on the same data
    assert UNEQUAL_CV > 0.7


def test_pooling_uses_stored_standard_errors_and_keeps_its_coverage_with_few_councils(world):
    original = initiative_for(world, visibility="public")
    trials = [trial_for(world, original, title=f"Trial {i}") for i in range(3)]
    # Cluster trials' intervals are on t with few degrees of freedom: reading a standard error
    # back from them with z overstates it. The stored ones are used.
    rows = [(0.12, 0.03, 8.0), (0.04, 0.02, 30.0), (0.09, 0.05, 5.0)]
    for trial, (estimate, se, df) in zip(trials, rows, strict=True):
        half = sps.t.ppf(0.975, df) * se
        TrialResult.objects.create(
            trial=trial,
            arm="New letter",
            measure="difference in proportions",
            design="cluster",
            estimate=estimate,
            ci_low=estimate - half,
            ci_high=estimate + half,
            std_error=se,
            df=df,
            alpha=0.05,
            p_value=0.01,
            n_units=400,
            verdict="met",
            verdict_text="...",
        )
    pooled = pooled_evidence(world["analyst"], original)
    expected = stats.random_effects(
        [r[0] for r in rows], [r[1] ** 2 for r in rows], method="REML", interval="hksj"
    )
    assert pooled["result"].estimate == pytest.approx(expected.estimate)
    assert pooled["result"].ci_low == pytest.approx(expected.ci_low)
    assert pooled["result"].df == 2
    assert "Only 3 results are pooled" in pooled["warning"]
    assert [s.df for s in pooled["studies"]] == [8.0, 30.0, 5.0]


def test_the_pooled_measure_is_chosen_the_same_way_every_time(world):
    original = initiative_for(world, visibility="public")
    measures = ["difference in means", "difference in proportions"] * 2
    for i, measure in enumerate(measures):
        TrialResult.objects.create(
            trial=trial_for(world, original, title=f"Trial {i}"),
            arm="New letter",
            measure=measure,
            estimate=0.1,
            ci_low=0.0,
            ci_high=0.2,
            std_error=0.05,
            alpha=0.05,
            p_value=0.04,
            n_units=100,
            verdict="inconclusive",
            verdict_text="...",
        )
    # A tie: the order of MEASURES decides, not the order of rows or a hash.
    assert pooled_evidence(world["analyst"], original)["measure"] == "difference in proportions"


def test_differential_attrition_reaches_the_verdict():
    """3% against 7% missing at 100,000 an arm: the allocation passes, the analysed counts do
    not, and the warning goes into the verdict's caveats."""
    n = 100_000
    arm = np.repeat([0, 1], n)
    rng = np.random.default_rng(3)
    y = (rng.random(2 * n) < 0.3 + 0.05 * arm).astype(float)
    missing = np.concatenate([np.arange(n) < 3_000, np.arange(n) < 7_000])
    y[missing] = np.nan
    result = analysis.analyse_outcome(
        arm, y, kind="proportion", arm_labels=["control", "treatment"], ratio=[1, 1]
    )
    assert not result.allocation_check.failed and not result.withheld
    assert result.outcome_check.failed
    assert result.outcome_check.observed == (97_000, 93_000)
    assert result.outcome_check.message in result.notes
    verdict = analysis.verdict_for(result, criterion=0.01, direction="higher", design="randomised")
    assert result.outcome_check.message in verdict.caveats
    # The attrition notes (arms more than 5 points apart) reach the verdict too.
    y[np.concatenate([np.zeros(n, dtype=bool), np.arange(n) < 12_000])] = np.nan
    result = analysis.analyse_outcome(
        arm, y, kind="proportion", arm_labels=["control", "treatment"], ratio=[1, 1]
    )
    verdict = analysis.verdict_for(result, criterion=0.01, direction="higher", design="randomised")
    assert any(c.startswith("Outcomes are missing at different rates") for c in verdict.caveats)


def test_the_power_page_gives_the_chance_of_met_on_the_analysis_df(world, client_for):
    initiative = initiative_for(world)
    trial = trial_for(
        world,
        initiative,
        design="cluster",
        cluster_column="street",
        cluster_noun="streets",
        units_noun="households",
    )
    answer = power.answer(
        trial, n_total=12, power=0.8, control_rate=0.30, cluster_size=25, icc=0.05, expected=0.5
    )
    assert answer.df == 10  # 12 streets minus 2, not 300 households
    # Independently: the difference of 20 points with the design effect 2.2 over 150
    # households an arm, on t with 10 df (noncentral t, scipy).
    se = math.sqrt(2.2 * (0.3 * 0.7 + 0.5 * 0.5) / 150)
    critical = sps.t.ppf(0.975, 10)
    assert answer.power_at_expected == pytest.approx(sps.nct.sf(critical, 10, 0.2 / se), rel=1e-6)
    # "Met" needs the whole interval above 10 points (the goal: at least 40% from 30%).
    assert answer.met_at_expected == pytest.approx(
        sps.nct.sf(critical, 10, (0.2 - 0.1) / se), rel=1e-6
    )
    assert answer.met_at_expected < answer.power_at_expected
    body = (
        client_for(world["outsider"])
        .get(
            f"/trials/{trial.pk}/power/",
            {
                "n_total": "12",
                "cluster_size": "25",
                "icc": "0.05",
                "control_rate": "30",
                "expected": "50",
                "power": "80",
            },
        )
        .content.decode()
    )
    assert "Against the goal's criterion:" in body
    assert "about 10 degrees of freedom" in body
