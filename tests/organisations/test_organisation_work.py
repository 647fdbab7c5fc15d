"""An organisation's page shows its work, and the register filters by organisation."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from tests.factories import MembershipFactory, OrganisationFactory
from tests.initiatives.factories import GoalFactory, InitiativeFactory
from whatworks.core.visibility import Visibility
from whatworks.forum.models import Champion
from whatworks.initiatives.filters import Filters
from whatworks.initiatives.finding import find
from whatworks.initiatives.models import Status, Verdict
from whatworks.trials.models import Trial

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def wealden():
    org = OrganisationFactory(name="Wealden District Council", slug="wealden")
    other = OrganisationFactory(name="Rother District Council", slug="rother")
    letters = InitiativeFactory(
        organisation=org, title="Arrears letters", status=Status.PUBLISHED, verdict=Verdict.MET
    )
    InitiativeFactory(organisation=org, title="Garden waste sign-ups", status=Status.STARTED)
    InitiativeFactory(organisation=org, title="Peer-only pilot", visibility=Visibility.PEERS)
    InitiativeFactory(organisation=org, title="Named-later pilot", pseudonymous=True)
    InitiativeFactory(organisation=other, title="Rother's own record")
    Trial.objects.create(
        initiative=letters,
        goal=GoalFactory(initiative=letters),
        title="Letter A against letter B",
        outcome_kind="proportion",
        primary_outcome="Contact within 28 days",
        analysis_date=datetime.date(2017, 3, 1),
    )
    champion = MembershipFactory(organisation=org, user__full_name="Chris Champion").user
    Champion.objects.create(organisation=org, user=champion, service_areas=["housing"])
    return org


def test_the_organisation_page_shows_records_by_status_and_verdict(wealden, client):
    body = page_text(client.get("/organisations/wealden/"))
    assert "Arrears letters" in body and "Garden waste sign-ups" in body
    assert "Result published 1" in body and "Started 1" in body
    assert "Met its goal 1" in body and "No result yet 1" in body
    assert "Peer-only pilot" not in body  # not public
    assert "Named-later pilot" not in body  # pseudonymous: not attributed to Wealden
    assert "Rother's own record" not in body


def test_the_organisation_page_shows_trials_and_champions(wealden, client):
    body = page_text(client.get("/organisations/wealden/"))
    assert "Letter A against letter B" in body
    assert "Chris Champion" in body


def test_members_see_their_own_pseudonymous_and_peer_records(wealden, client):
    member = MembershipFactory(organisation=wealden).user
    client.force_login(member)
    body = page_text(client.get("/organisations/wealden/"))
    assert "Named-later pilot" in body and "Peer-only pilot" in body


def test_the_register_filters_by_organisation(wealden, client):
    found = find(None, Filters(organisation="wealden")).results
    assert sorted(i.title for i in found) == ["Arrears letters", "Garden waste sign-ups"]
    body = page_text(client.get("/initiatives/", {"organisation": "wealden"}))
    assert "Organisation: Wealden District Council" in body
    assert "Arrears letters" in body and "Rother's own record" not in body
    assert "Named-later pilot" not in body


def test_the_register_api_and_export_filter_by_organisation(wealden, client):
    data = client.get("/api/initiatives", {"organisation": "wealden"}).json()
    titles = sorted(item["title"] for item in data["items"])
    assert titles == ["Arrears letters", "Garden waste sign-ups"]
    csv = client.get("/initiatives/export.csv", {"organisation": "rother"})
    text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "Rother's own record" in text and "Arrears letters" not in text


def test_a_bad_organisation_value_is_reported_not_a_500(wealden, client):
    response = client.get("/initiatives/", {"organisation": "not a slug!"})
    assert response.status_code == 200
    assert "Choose an organisation from its page" in unescape(response.content.decode())


def test_the_organisation_page_lists_its_welfare_schemes_as_far_as_shared(world, client_for):
    from tests.checkins.conftest import make_scheme

    record = InitiativeFactory(organisation=world.org_a, title="Call and Check pilot")
    scheme = make_scheme(world, name="Call and Check Wealden")
    scheme.initiative = record
    scheme.save()
    url = f"/organisations/{world.org_a.slug}/"
    assert "Call and Check Wealden" not in page_text(client_for(None).get(url))  # peers only
    body = page_text(client_for(world["outsider"]).get(url))
    assert "Call and Check Wealden Its evidence: Call and Check pilot" in body
