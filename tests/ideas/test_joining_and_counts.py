"""Staff ideas, as a newcomer tried them: a QR code that scans, a join that cannot be repeated
for more votes, a confirmation before the phase changes, and counts hidden from everyone
(organisers and the panel too) until voting closes."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.ideas.support import IDEA, campaign_for, idea_by
from whatworks.ideas import identity, services
from whatworks.ideas.models import Campaign, JoinCode, Phase, Vote

pytestmark = pytest.mark.django_db


def _vote_url(idea) -> str:
    return reverse("ideas-idea-vote", kwargs={"pk": idea.campaign_id, "idea_pk": idea.pk})


def _fresh_session_joins(code: str) -> Client:
    """A new browser (no cookies at all) joining with the code."""
    browser = Client()
    response = browser.post(reverse("ideas-join"), {"code": code, "name": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


# --- The QR code ------------------------------------------------------------------------


def test_the_served_qr_code_decodes_to_the_join_link(world, client_for, campaign, settings):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    settings.SITE_URL = "https://whatworks.example.gov.uk"
    settings.SITE_URL_FROM_REQUEST = False
    code = services.join_code_create(campaign=campaign, label="Depot", actor=world["admin"])
    url = reverse("ideas-code-qr", kwargs={"pk": campaign.pk, "code_id": code.pk})
    response = client_for(world["officer"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    found = zxingcpp.read_barcodes(image)
    assert [r.text for r in found] == [
        f"https://whatworks.example.gov.uk/ideas/join/?code={code.code}"
    ]


def test_the_codes_page_shows_the_qr_code_as_an_image(world, client_for, campaign):
    code = services.join_code_create(campaign=campaign, label="Depot", actor=world["admin"])
    page = client_for(world["officer"]).get(reverse("ideas-codes", kwargs={"pk": campaign.pk}))
    qr = reverse("ideas-code-qr", kwargs={"pk": campaign.pk, "code_id": code.pk})
    assert f'src="{qr}"' in page.content.decode()
    assert qr.endswith(".png")


# --- Joining again gives no second vote ---------------------------------------------------


def test_three_fresh_sessions_joining_do_not_add_votes(world, campaign):
    idea = idea_by(world, "officer", campaign)
    code = services.join_code_create(campaign=campaign, label="", actor=world["admin"])
    outcomes = []
    for _ in range(3):
        browser = _fresh_session_joins(code.code)
        outcomes.append(browser.post(_vote_url(idea)).status_code)
    assert outcomes == [302, 409, 409]
    assert Vote.objects.filter(idea=idea).count() == 1


def test_a_personal_code_is_the_same_person_in_every_browser(world, campaign):
    code = services.join_code_create(campaign=campaign, label="", actor=world["admin"])
    first = _fresh_session_joins(code.code)
    new_idea = reverse("ideas-idea-new", kwargs={"pk": campaign.pk})
    assert first.post(new_idea, IDEA).status_code == 302
    idea = campaign.ideas.get()
    second = _fresh_session_joins(code.formatted.lower())
    # The same person: they may edit the idea they put forward in the other browser.
    edit = reverse("ideas-idea-edit", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    assert second.get(edit).status_code == 200
    other = services.join_code_create(campaign=campaign, label="", actor=world["admin"])
    assert _fresh_session_joins(other.code).get(edit).status_code == 403


def test_a_poster_code_takes_ideas_and_comments_but_no_votes(world, campaign):
    idea = idea_by(world, "officer", campaign)
    poster = services.join_code_create(
        campaign=campaign, label="Depot board", actor=world["admin"], personal=False
    )
    statuses = []
    for _ in range(3):
        browser = _fresh_session_joins(poster.code)
        response = browser.post(_vote_url(idea))
        statuses.append(response.status_code)
    assert statuses == [409, 409, 409]
    assert "a poster code cannot vote" in response.content.decode()
    assert not Vote.objects.exists()
    page = browser.get(campaign.get_absolute_url()).content.decode()
    assert "You joined with a poster code" in page and "Vote for this idea" not in page
    comment = reverse("ideas-idea-comment", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    assert browser.post(comment, {"body": "Good idea"}).status_code == 302


def test_a_forged_personal_cookie_for_a_poster_code_is_refused(world, campaign):
    poster = services.join_code_create(
        campaign=campaign, label="", actor=world["admin"], personal=False
    )
    browser = Client()
    value = identity.participant_cookie_value(poster.pk, personal=True)
    browser.cookies[identity.cookie_name(campaign.pk)] = identity.signed_participant_cookie(
        campaign.pk, value
    )
    assert browser.get(campaign.get_absolute_url()).status_code == 404


def test_the_organiser_makes_a_batch_of_personal_codes(world, client_for, campaign):
    url = reverse("ideas-codes", kwargs={"pk": campaign.pk})
    client = client_for(world["officer"])
    response = client.post(url, {"kind": "personal", "count": "30", "label": "Depot slips"})
    assert response.status_code == 302
    assert JoinCode.objects.filter(campaign=campaign, personal=True).count() == 30
    response = client.post(url, {"kind": "personal", "count": "201"})
    assert "Enter a number from 1 to 200" in response.content.decode()
    response = client.post(url, {})
    assert "Select who the code is for" in response.content.decode()
    assert JoinCode.objects.count() == 30


# --- Confirmation before a phase change ----------------------------------------------------


def test_a_phase_change_asks_first(world, client_for):
    campaign = campaign_for(world, phase=Phase.DISCUSS)
    url = reverse("ideas-campaign-advance", kwargs={"pk": campaign.pk})
    client = client_for(world["officer"])
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail  # a link to the question, not a one-click form
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Move the campaign on to 'Review'?" in text
    assert "cannot be undone" in text
    campaign.refresh_from_db()
    assert campaign.phase == Phase.DISCUSS  # asking changed nothing
    assert client.post(url, {"from": "discuss"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.phase == Phase.REVIEW
    # The same confirmation sent again (a double click, a second tab) moves nothing.
    client.post(url, {"from": "discuss"})
    campaign.refresh_from_db()
    assert campaign.phase == Phase.REVIEW
    assert campaign.phase_changes.count() == 3  # created, discuss, review


def test_a_phase_change_without_confirmation_changes_nothing(world, client_for):
    campaign = campaign_for(world, phase=Phase.SUBMIT)
    url = reverse("ideas-campaign-advance", kwargs={"pk": campaign.pk})
    client_for(world["officer"]).post(url)
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.SUBMIT


# --- Counts hidden from everyone until voting closes ------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "officer", "volunteer"])
def test_vote_counts_are_hidden_from_everyone_until_voting_closes(
    world, client_for, campaign, persona
):
    idea = idea_by(world, "officer", campaign, title="Route bins by sensor")
    for person in ("frontline", "volunteer", "analyst"):
        services.vote_cast(idea=idea, who=identity.for_user(campaign.pk, world[person]))
    client = client_for(world[persona])
    page = client.get(campaign.get_absolute_url() + "?order=votes").content.decode()
    assert "3 votes" not in page and "most votes" not in page
    detail = client.get(idea.get_absolute_url()).content.decode()
    assert ">3<" not in detail
    api = client.get(f"/api/ideas/campaigns/{campaign.pk}/ideas").json()
    assert api["items"] and all(row.get("votes") is None for row in api["items"])


def test_the_live_view_and_exports_hide_counts_until_voting_closes(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    for person in ("frontline", "volunteer"):
        services.vote_cast(idea=idea, who=identity.for_user(campaign.pk, world[person]))
    client = client_for(world["admin"])
    live = client.get(reverse("ideas-live-data", kwargs={"pk": campaign.pk})).json()
    assert live["top"][0]["dots"] == "Hidden" and live["results_visible"] is False
    votes_csv = client.get(
        reverse("ideas-export", kwargs={"pk": campaign.pk, "kind": "votes", "fmt": "csv"})
    ).content.decode()
    assert votes_csv.strip().splitlines() == ["idea_id,idea_title,voters,dots"]
    services.campaign_advance(campaign=campaign, actor=world["admin"])  # review
    live = client.get(reverse("ideas-live-data", kwargs={"pk": campaign.pk})).json()
    assert live["top"][0]["dots"] == 2
    votes_csv = client.get(
        reverse("ideas-export", kwargs={"pk": campaign.pk, "kind": "votes", "fmt": "csv"})
    ).content.decode()
    assert f"{idea.pk},{idea.title},2,2" in votes_csv
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "2 votes" in page
