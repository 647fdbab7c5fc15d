"""Pooled evidence across councils' replications, and query counts on the lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, OrganisationFactory
from tests.trials.test_app_fixtures import initiative_for, trial_for
from whatworks.initiatives import services as register
from whatworks.trials.models import TrialResult
from whatworks.trials.selectors import pooled_evidence


def _result(trial, estimate, low, high, n=400, std_error=None):
    return TrialResult.objects.create(
        trial=trial,
        arm="New letter",
        measure="difference in proportions",
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        std_error=(high - low) / 3.92 if std_error is None else std_error,
        alpha=0.05,
        p_value=0.01,
        n_units=n,
        verdict="met",
        verdict_text="...",
    )


@pytest.fixture
def family(world):
    original = initiative_for(world, visibility="public")
    _result(trial_for(world, original), 0.12, 0.05, 0.19)
    copies = []
    for name, (est, low, high) in [
        ("Lambeth", (0.04, -0.03, 0.11)),
        ("Breckland", (0.09, 0.02, 0.16)),
    ]:
        org = world.org_b if name == "Lambeth" else OrganisationFactory(name=name)
        actor = (
            world["outsider"]
            if name == "Lambeth"
            else MembershipFactory(organisation=org, role="analyst").user
        )
        copy = register.initiative_replicate(original=original, organisation=org, actor=actor)
        copy.visibility = "public"
        copy.save()
        trial = trial_for(world, copy)
        _result(trial, est, low, high)
        copies.append(copy)
    return original, copies


def test_it_pools_the_replications_with_a_prediction_interval(world, client_for, family):
    original, _ = family
    pooled = pooled_evidence(world["analyst"], original)
    assert len(pooled["studies"]) == 3 and pooled["result"].k == 3
    assert (
        "Across 3 trials in 3 councils, the difference in proportions averaged"
        in (pooled["sentence"])
    )
    assert "In a council like yours, expect somewhere between" in pooled["sentence"]
    assert pooled["prediction"] is not None
    response = client_for(None).get(f"/initiatives/{original.pk}/pooled-evidence.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"


def test_it_pools_only_what_the_reader_may_see(world, family):
    original, copies = family
    copies[1].visibility = "private"
    copies[1].save()
    pooled = pooled_evidence(world["analyst"], original)
    assert len(pooled["studies"]) == 2
    assert "prediction" in pooled and pooled["prediction"] is None


def test_it_renders_the_include_for_the_initiative_page(world, family, rf):
    from django.template.loader import render_to_string

    original, _ = family
    request = rf.get("/")
    request.user = world["analyst"]
    html = render_to_string(
        "trials/_pooled.html", {"pooled": pooled_evidence(world["analyst"], original)}, request
    )
    assert "Evidence from councils that tried this" in html and "Design a trial" in html


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_trial_list_makes_the_same_queries_for_any_number_of_trials(
    world, client_for, django_assert_num_queries
):
    initiative = initiative_for(world)
    client = client_for(world["analyst"])
    url = f"/initiatives/{initiative.pk}/trials/"
    trial_for(world, initiative)
    few = _count(client, url)
    for i in range(5):
        trial_for(world, initiative, title=f"Trial {i}")
    with django_assert_num_queries(few):
        client.get(url)


def test_pooled_evidence_makes_the_same_queries_for_more_replications(
    world, family, django_assert_num_queries
):
    original, _ = family
    user = world["analyst"]
    pooled_evidence(user, original)  # memberships and roles are cached on the user
    with CaptureQueriesContext(connection) as queries:
        pooled_evidence(user, original)
    three = len(queries)
    org = OrganisationFactory(name="Fourth")
    actor = MembershipFactory(organisation=org, role="analyst").user
    copy = register.initiative_replicate(original=original, organisation=org, actor=actor)
    copy.visibility = "public"
    copy.save()
    _result(trial_for(world, copy), 0.1, 0.0, 0.2)
    with django_assert_num_queries(three):
        assert len(pooled_evidence(user, original)["studies"]) == 4
