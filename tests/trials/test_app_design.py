"""Designing a trial and the power page's plain sentence."""

from __future__ import annotations

import pytest

from tests.trials.test_app_fixtures import initiative_for, trial_for
from whatworks.core.models import AuditEvent
from whatworks.initiatives import services as register
from whatworks.trials import power
from whatworks.trials.models import Trial, TrialStatus, TrialStatusChange

DESIGN = {
    "title": "Letters trial",
    "design": "randomised",
    "outcome_kind": "proportion",
    "arms": "Old letter\nNew letter",
    "units_noun": "tenants",
    "outcome_phrase": "got in touch",
    "primary_outcome": "Contact within 21 days",
    "analysis_date": "2017-03-31",
    "alpha": "0.05",
    "sided": "two",
}


@pytest.fixture
def initiative(world):
    return initiative_for(world)


def test_it_designs_a_two_arm_trial_from_the_form(world, client_for, initiative):
    goal = initiative.goals.get()
    client = client_for(world["analyst"])
    response = client.post(f"/initiatives/{initiative.pk}/trials/new/", {**DESIGN, "goal": goal.pk})
    trial = Trial.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/trials/{trial.pk}/"
    assert [(a.position, a.name, a.ratio) for a in trial.arms.all()] == [
        (0, "Old letter", 1),
        (1, "New letter", 1),
    ]
    assert trial.status == TrialStatus.DESIGNING
    assert list(TrialStatusChange.objects.values_list("to_status", flat=True)) == ["designing"]
    assert AuditEvent.objects.filter(action="trial.created").exists()


def test_it_names_bad_fields_and_saves_nothing(world, client_for, initiative):
    bad = {
        **DESIGN,
        "goal": initiative.goals.get().pk,
        "arms": "Only one",
        "alpha": "0.9",
        "design": "cluster",
        "cluster_column": "",
    }
    body = (
        client_for(world["analyst"])
        .post(f"/initiatives/{initiative.pk}/trials/new/", bad)
        .content.decode()
    )
    for field in ("arms", "alpha"):
        assert f'href="#id_{field}"' in body, field
    assert not Trial.objects.exists()
    good_but_no_cluster = {**DESIGN, "goal": initiative.goals.get().pk, "design": "cluster"}
    body = (
        client_for(world["analyst"])
        .post(f"/initiatives/{initiative.pk}/trials/new/", good_but_no_cluster)
        .content.decode()
    )
    assert 'href="#id_cluster_column"' in body
    assert not Trial.objects.exists()


def test_it_gives_the_power_answer_in_one_sentence(world, client_for, initiative):
    trial = trial_for(world, initiative)
    response = client_for(world["outsider"]).get(
        f"/trials/{trial.pk}/power/", {"n_total": "400", "control_rate": "30", "power": "80"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "With 400 tenants in 2 arms (about 200 an arm), you can detect a change from 30% to "
        in body
    )
    assert "or larger, 8 times in 10." in body


def test_it_gives_the_cluster_sentence_with_the_icc(world, initiative):
    trial = trial_for(
        world,
        initiative,
        design="cluster",
        cluster_column="street",
        cluster_noun="streets",
        units_noun="households",
        arms=[("No offer", 1), ("Voucher", 1), ("Prize draw", 1), ("Thank-you", 1)],
    )
    answer = power.answer(
        trial, n_total=170, power=0.8, control_rate=0.30, cluster_size=10, icc=0.05
    )
    assert answer.sentence.startswith(
        "With 170 streets in 4 arms (about 42 an arm) and an ICC of 0.05, you can detect a change "
        "from 30% to "
    )
    assert answer.sentence.endswith("or larger, 8 times in 10.")
    assert any("design effect of 1.45" in line for line in answer.details)


def test_it_warns_when_the_trial_cannot_see_an_effect_that_pays_back(world, initiative):
    # Costs of 10,000 against savings of 100,000 when the target (30% -> 45%) is reached:
    # a change of 1.5 points pays back, far below what 400 tenants can detect.
    register.ledger_line_add(
        initiative=initiative,
        actor=world["officer"],
        kind="cost",
        timing="upfront",
        basis="realised",
        description="Design",
        amount="10000",
    )
    register.ledger_line_add(
        initiative=initiative,
        actor=world["officer"],
        kind="saving",
        timing="recurring",
        basis="estimated",
        description="Arrears",
        amount="100000",
        beneficiary="council",
    )
    trial = trial_for(world, initiative)
    answer = power.answer(trial, n_total=400, power=0.8, control_rate=0.30)
    assert (
        "larger than the change needed to pay back the costs (about 1.5 %)"
        in answer.payback_warning
    )
    assert "grow in proportion to the change" in answer.payback_note


def test_it_names_the_method_for_time_to_event_power(world, client_for, initiative):
    trial = trial_for(world, initiative, outcome_kind="time_to_event")
    body = client_for(world["analyst"]).get(f"/trials/{trial.pk}/power/").content.decode()
    assert "Schoenfeld" in body
    assert "not available" not in body


def test_it_refuses_design_changes_by_people_who_cannot_edit(world, client_for, initiative):
    trial = trial_for(world, initiative)
    for persona in ("frontline", "volunteer", "outsider"):
        response = client_for(world[persona]).post(
            f"/trials/{trial.pk}/edit/", {**DESIGN, "goal": trial.goal_id}
        )
        assert response.status_code == 403, persona


def test_it_hides_a_private_initiatives_trials_from_other_organisations(world, client_for):
    initiative = initiative_for(world, visibility="private")
    trial = trial_for(world, initiative)
    for persona, status in [
        ("outsider", 404),
        ("anonymous", 404),
        ("frontline", 200),
        ("analyst", 200),
    ]:
        assert client_for(world[persona]).get(f"/trials/{trial.pk}/").status_code == status, persona
        assert client_for(world[persona]).get(f"/trials/{trial.pk}/results/").status_code == status
