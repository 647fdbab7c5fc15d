"""The synthetic demo trials: loaded once, in development only, through the trials services."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from whatworks import stats
from whatworks.core.demo import DemoDataRefused
from whatworks.initiatives.demo import load_demo_initiatives
from whatworks.initiatives.models import Initiative, Status, Verdict
from whatworks.organisations.demo import load_demo_data
from whatworks.trials import analysis, selectors
from whatworks.trials.demo import (
    BEFORE_AFTER_TITLE,
    DEMO_TRIALS,
    HARROW,
    LAMBETH,
    SYNTHETIC,
    WEALDEN,
    load_demo_trials,
)
from whatworks.trials.models import Trial, TrialStatus


@pytest.fixture
def loaded(db, settings) -> int:
    settings.DEBUG = True
    call_command("load_local_authorities", verbosity=0)
    load_demo_data()
    load_demo_initiatives()
    return load_demo_trials()


def _trial(title: str) -> Trial:
    return Trial.objects.select_related("initiative", "goal").get(title=title)


def test_it_creates_each_trial_once_all_the_way_to_a_verdict(loaded: int) -> None:
    assert loaded == len(DEMO_TRIALS) + 1 == Trial.objects.count() == 4  # + before-and-after
    initiatives = Initiative.objects.count()
    assert load_demo_trials() == 0
    assert Trial.objects.count() == 4
    assert Initiative.objects.count() == initiatives
    for trial in Trial.objects.select_related("initiative", "goal"):
        assert trial.status == TrialStatus.ANALYSED
        assert trial.plan_locked
        if trial.design != "before_after":
            assert trial.allocation.seed  # a fixed seed, stored
        assert trial.title.startswith("SYNTHETIC")
        assert trial.initiative.title.startswith("SYNTHETIC")
        assert SYNTHETIC in trial.initiative.summary
        assert trial.goal.locked_at is not None
        recorded = trial.goal.primary_result()
        assert recorded == trial.result.goal_result
        assert recorded.verdict == trial.result.verdict
        assert recorded.criterion == trial.goal.snapshot()  # judged under the locked goal
        assert recorded.value is None and recorded.figures  # observed figures, not base + diff
        assert recorded.design == (
            "before_after" if trial.design == "before_after" else "randomised"
        )
        assert trial.initiative.status == Status.PUBLISHED
        assert not trial.is_interim()


def test_it_leaves_the_reports_own_records_alone(loaded: int) -> None:
    letters = Initiative.objects.get(
        organisation__name="Wealden District Council",
        title="Rent arrears letters rewritten with behavioural insights",
    )
    goal = letters.primary_goal()
    assert goal is not None and not goal.trials.exists()
    result = goal.primary_result()
    assert (result.value, result.design) == (21, "before_after")
    assert letters.evidence_level == 2
    assert not Initiative.objects.filter(replicated_from__isnull=False).exists()


def test_wealden_tenants_get_in_touch_after_about_46_and_21_days(loaded: int) -> None:
    trial = _trial(WEALDEN.title)
    assert trial.allocation.n_units == 600
    results = selectors.trial_results(trial)
    assert results.analysis is not None
    comparison = results.analysis.comparisons[0]
    details = comparison.details
    assert isinstance(details, analysis.SurvivalComparison)
    old, new = details.arm_c.median, details.arm_t.median
    assert old is not None and abs(old - 46) <= 3
    assert new is not None and abs(new - 21) <= 3
    assert 0 < details.arm_c.events < details.arm_c.n  # some never got in touch by day 90
    assert comparison.measure == "difference in median time"
    assert trial.result.verdict == Verdict.MET
    assert trial.initiative.verdict == Verdict.MET
    # The register shows what was observed in each arm and how many had outcomes, and the
    # difference with its interval: not "46 plus the difference" as if it were measured.
    recorded = trial.goal.primary_result()
    assert recorded.value is None
    assert recorded.effect == comparison.estimate
    control, treated = recorded.figures
    assert control["label"] == "Old letter" and treated["label"] == "New letter"
    assert treated["text"].startswith(f"median {new:g} days")
    assert control["n"] + treated["n"] == recorded.sample_size == 600


def test_lambeth_is_a_stratified_four_arm_trial_over_170_streets(loaded: int) -> None:
    trial = _trial(LAMBETH.title)
    assert trial.allocation.n_clusters == 170
    assert trial.allocation.kind == "cluster"
    assert "5 strata" in trial.allocation.method
    results = selectors.trial_results(trial)
    assert results.analysis is not None
    assert [c.arm for c in results.analysis.comparisons] == [
        "Garden waste",
        "Graffiti removal",
        "Identity",
    ]
    best = selectors.judged_comparison(trial, results.analysis)
    assert best.cluster_robust is not None  # streets are the clusters
    shares = best.details
    assert isinstance(shares, stats.ProportionComparison)
    assert 1.6 <= shares.rate_t / shares.rate_c <= 2.6  # activity roughly doubled
    assert best.estimate == max(c.estimate for c in results.analysis.comparisons)
    assert trial.result.verdict == Verdict.MET


def test_harrows_small_pilot_is_inconclusive(loaded: int) -> None:
    trial = _trial(HARROW.title)
    result = trial.result
    assert trial.goal.baseline_value is not None
    criterion = (trial.goal.success_threshold - trial.goal.baseline_value) / 100
    # The interval spans both no effect and the effect the goal asks for.
    assert result.ci_low < 0 < criterion <= result.ci_high
    assert result.verdict == Verdict.INCONCLUSIVE
    assert trial.initiative.verdict == Verdict.INCONCLUSIVE
    assert trial.initiative in Initiative.objects.what_did_not_work()
    assert "power check" in trial.initiative.lessons


def test_the_before_and_after_pilot_is_inconclusive_and_says_it_cannot_show_cause(
    loaded: int,
) -> None:
    trial = _trial(BEFORE_AFTER_TITLE)
    result = trial.goal.primary_result()
    assert result.verdict == Verdict.INCONCLUSIVE
    assert result.evidence_level == 2
    assert any("cannot show that the initiative caused" in c for c in result.caveats)
    assert [row["label"] for row in result.figures] == ["Before the start", "After the start"]
    assert trial.initiative in Initiative.objects.what_did_not_work()


def test_anyone_can_read_the_results_pages(loaded: int, client) -> None:
    for trial in Trial.objects.select_related("initiative"):
        name = "trial-series-results" if trial.design == "before_after" else "trial-results"
        page = client.get(reverse(name, kwargs={"pk": trial.pk}))
        assert page.status_code == 200
        assert "SYNTHETIC" in page.content.decode()
        record = client.get(trial.initiative.get_absolute_url())
        assert record.status_code == 200


def test_each_record_says_it_is_synthetic_once_and_nothing_stale(loaded: int, client) -> None:
    for trial in Trial.objects.select_related("initiative"):
        page = client.get(trial.initiative.get_absolute_url()).content.decode()
        assert page.count(SYNTHETIC.replace("'", "&#x27;")) == 1, trial.title
        assert "cannot yet analyse" not in page


def test_it_refuses_without_debug(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(DemoDataRefused):
        load_demo_trials()
    assert not Trial.objects.exists()


def test_the_command_loads_them_too(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_local_authorities", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    assert Trial.objects.filter(status=TrialStatus.ANALYSED).count() == len(DEMO_TRIALS) + 1
