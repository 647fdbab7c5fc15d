"""The review panel, decisions with reasons, adoption into the register, and the figures."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.ideas.support import IDEA, campaign_for, idea_by
from whatworks.ideas import identity, services
from whatworks.ideas.measures import (
    PILOTED,
    SAVINGS,
    SUBMITTED,
    TAKING_PART,
    campaign_measures_record,
)
from whatworks.ideas.models import Decision, IdeaStatus, Phase, Vote
from whatworks.initiatives.models import Status
from whatworks.measures.models import Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(world, campaign):
    person = UserFactory(full_name="Fran Facilitator")
    services.panel_add(
        campaign=campaign, email=person.email, role="facilitator", actor=world["admin"]
    )
    return person


def test_it_gives_an_external_facilitator_one_campaign_only(
    world, client_for, campaign, facilitator
):
    other = campaign_for(world, title="Libraries hack day")
    client = client_for(facilitator)
    assert client.get(campaign.get_absolute_url()).status_code == 200
    assert client.get(reverse("ideas-live", kwargs={"pk": campaign.pk})).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    idea = idea_by(world, "officer", campaign)
    score = reverse("ideas-idea-score", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    response = client.post(score, {"impact": 4, "effort": 2, "cost": 1, "risk": 2, "note": "Cheap"})
    assert response.status_code == 302
    # The facilitator runs the day; they do not vote or put ideas forward.
    vote = reverse("ideas-idea-vote", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    assert client.post(vote).status_code == 403
    # Scores and private notes are for the panel and organisers only.
    page = client_for(world["frontline"]).get(idea.get_absolute_url()).content.decode()
    assert "Cheap" not in page and "Fran Facilitator" not in page
    assert "Cheap" in client_for(world["admin"]).get(idea.get_absolute_url()).content.decode()


def test_it_refuses_a_score_out_of_range(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    url = reverse("ideas-idea-score", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    response = client_for(world["admin"]).post(url, {"impact": 9, "effort": 2, "cost": 1})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "Choose a score for risk" in body
    assert not idea.scores.exists()


def test_it_requires_a_published_reason_for_every_decision(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    url = reverse("ideas-idea-decide", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    response = client_for(world["admin"]).post(url, {"outcome": "adopted"})
    body = response.content.decode()
    assert "Give the reason for the decision" in body
    assert "Choose the service area for the initiative" in body
    assert not Decision.objects.exists() and idea.initiative_id is None


def test_it_turns_an_adopted_idea_into_an_initiative_linked_both_ways(world, client_for, campaign):
    idea = idea_by(world, "frontline", campaign, anonymous=True)
    url = reverse("ideas-idea-decide", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    response = client_for(world["admin"]).post(
        url,
        {"outcome": "adopted", "reason": "Cheap and quick to try", "service_area": "waste"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    initiative = idea.initiative
    assert initiative is not None and idea.status == IdeaStatus.ADOPTED
    assert initiative.title == IDEA["title"] and initiative.problem == IDEA["problem"]
    assert initiative.what_was_done == IDEA["proposal"]
    assert initiative.organisation == world.org_a and initiative.visibility == "private"
    # The register's page says where it came from, and links back for the organisation.
    page = client_for(world["officer"]).get(initiative.get_absolute_url()).content.decode()
    assert "Came from a staff idea" in page and idea.get_absolute_url() in page
    assert world["frontline"].full_name not in page.split("Came from a staff idea")[1]
    # The idea and "you said, we did" show the initiative's status from the register.
    outcomes = reverse("ideas-outcomes", kwargs={"pk": campaign.pk})
    reader = client_for(world["volunteer"])
    assert "not started yet" in reader.get(outcomes).content.decode()
    from whatworks.initiatives.models import StatusChange

    for status in (Status.PLANNED, Status.STARTED):
        StatusChange.objects.create(initiative=initiative, to_status=status, reason="Go")
    type(initiative).objects.filter(pk=initiative.pk).update(status=Status.STARTED)
    assert "now being piloted" in reader.get(outcomes).content.decode()
    assert "now being piloted" in reader.get(idea.get_absolute_url()).content.decode()
    StatusChange.objects.create(
        initiative=initiative, to_status=Status.STOPPED, reason="The supplier pulled out"
    )
    type(initiative).objects.filter(pk=initiative.pk).update(status=Status.STOPPED)
    assert "stopped: The supplier pulled out" in reader.get(outcomes).content.decode()


def test_it_shows_a_stranger_to_the_campaign_only_where_the_initiative_came_from(
    world, client_for, campaign
):
    idea = idea_by(world, "officer", campaign)
    services.idea_decide(
        idea=idea, actor=world["admin"], outcome="adopted", reason="Yes", service_area="waste"
    )
    idea.refresh_from_db()
    type(idea.initiative).objects.filter(pk=idea.initiative_id).update(visibility="public")
    page = client_for(None).get(idea.initiative.get_absolute_url()).content.decode()
    panel = page.split("Came from a staff idea")[1]
    assert idea.get_absolute_url() not in panel and "you-said-we-did" not in panel


def test_it_merges_duplicates_moving_votes_without_double_counting(world, campaign):
    keep, dup = idea_by(world, "officer", campaign), idea_by(world, "admin", campaign)
    both = identity.for_user(campaign.pk, world["frontline"])
    only_dup = identity.for_user(campaign.pk, world["volunteer"])
    services.vote_cast(idea=keep, who=both)
    services.vote_cast(idea=dup, who=both)
    services.vote_cast(idea=dup, who=only_dup)
    services.idea_merge(idea=dup, into=keep, actor=world["admin"], reason="Same idea")
    assert Vote.objects.filter(idea=keep).count() == 2
    assert not Vote.objects.filter(idea=dup).exists()
    dup.refresh_from_db()
    assert dup.status == IdeaStatus.MERGED and dup.duplicate_of == keep
    assert dup.decisions.get().reason == "Same idea"


def test_it_decides_only_when_every_idea_has_an_outcome(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    services.campaign_advance(campaign=campaign, actor=world["admin"])
    assert campaign.phase == Phase.REVIEW
    url = reverse("ideas-campaign-advance", kwargs={"pk": campaign.pk})
    client_for(world["admin"]).post(url, {"from": "review"})
    campaign.refresh_from_db()
    assert campaign.phase == Phase.REVIEW
    services.idea_decide(idea=idea, actor=world["admin"], outcome="not_adopted", reason="Costly")
    client_for(world["admin"]).post(url, {"from": "review"})
    campaign.refresh_from_db()
    assert campaign.phase == Phase.DECIDED
    assert [c.to_phase for c in campaign.phase_changes.all()] == [
        "submit", "discuss", "review", "decided",
    ]  # fmt: skip


def test_it_writes_the_campaign_figures_to_measures(world, campaign):
    from whatworks.initiatives.models import LedgerLine

    adopted = idea_by(world, "officer", campaign)
    idea_by(world, "frontline", campaign, anonymous=True)
    services.vote_cast(idea=adopted, who=identity.for_user(campaign.pk, world["volunteer"]))
    services.idea_decide(
        idea=adopted, actor=world["admin"], outcome="adopted", reason="Yes", service_area="waste"
    )
    adopted.refresh_from_db()
    type(adopted.initiative).objects.filter(pk=adopted.initiative_id).update(status="started")
    LedgerLine.objects.create(
        initiative=adopted.initiative, kind="saving", timing="recurring", basis="realised",
        description="Fewer calls", amount=12000,
    )  # fmt: skip
    LedgerLine.objects.create(
        initiative=adopted.initiative, kind="saving", timing="recurring", basis="estimated",
        description="Maybe more", amount=99000,
    )  # fmt: skip
    figures = campaign_measures_record(campaign)
    assert figures[SUBMITTED] == 2
    assert figures[TAKING_PART] == pytest.approx(3 / 40)  # officer, frontline, volunteer
    assert figures[PILOTED] == 1
    assert figures[SAVINGS] == 12000  # realised only: estimates are left out
    observation = Observation.objects.get(metric__name=SUBMITTED)
    assert observation.period_start == campaign.opens_on
    assert observation.organisation == world.org_a
    campaign_measures_record(campaign)  # again: replaced, not added
    assert Observation.objects.filter(metric__name=SUBMITTED).count() == 1


def test_it_records_the_figures_when_the_phase_changes(
    world, campaign, django_capture_on_commit_callbacks
):
    idea_by(world, "officer", campaign)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_advance(campaign=campaign, actor=world["admin"])
    assert Observation.objects.get(metric__name=SUBMITTED).value == 1


def test_it_serves_the_live_view_as_json(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    services.vote_cast(idea=idea, who=identity.for_user(campaign.pk, world["volunteer"]))
    data = client_for(world["admin"]).get(reverse("ideas-live-data", kwargs={"pk": campaign.pk}))
    cache_control = {part.strip() for part in data["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    body = data.json()
    # Counts that could time a contribution move in steps of five.
    assert body["ideas"] == 1 and body["votes"] == "fewer than 5"
    assert body["people"] == "fewer than 5"
    assert body["top"][0]["title"] == IDEA["title"]
    page = client_for(world["admin"]).get(reverse("ideas-live", kwargs={"pk": campaign.pk}))
    assert "ideas/live.js" in page.content.decode()


def test_it_lists_ideas_in_a_fixed_number_of_queries(
    world, client_for, campaign, django_assert_max_num_queries
):
    for n in range(3):
        idea_by(world, "officer", campaign, title=f"Idea {n}")
    client = client_for(world["frontline"])
    url = campaign.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for n in range(3, 30):
        idea_by(world, "officer", campaign, title=f"Idea {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_it_lists_outcomes_and_campaigns_in_a_fixed_number_of_queries(
    world, client_for, campaign, django_assert_max_num_queries
):
    client = client_for(world["volunteer"])
    outcomes = reverse("ideas-outcomes", kwargs={"pk": campaign.pk})
    home = reverse("ideas-home")

    def decided(n: int) -> None:
        idea = idea_by(world, "officer", campaign, title=f"Idea {n}")
        services.idea_decide(idea=idea, actor=world["admin"], outcome="not_adopted", reason="No")

    decided(0)
    client.get(outcomes)
    with django_assert_max_num_queries(20) as few_outcomes:
        client.get(outcomes)
    with django_assert_max_num_queries(20) as few_home:
        client.get(home)
    for n in range(1, 12):
        decided(n)
    campaign_for(world, title="Another day")
    with django_assert_max_num_queries(len(few_outcomes.captured_queries)):
        client.get(outcomes)
    with django_assert_max_num_queries(len(few_home.captured_queries)):
        client.get(home)


def test_it_refreshes_every_recent_campaign_daily(world, campaign):
    from whatworks.ideas.tasks import campaign_measures_refresh

    idea_by(world, "officer", campaign)
    assert campaign_measures_refresh.call_local() == 1
    assert Observation.objects.get(metric__name=SUBMITTED).value == 1


def test_it_lists_every_campaigns_outcomes_for_the_organisations_staff(world, client_for, campaign):
    adopted = idea_by(world, "officer", campaign, title="Photograph blocked bins")
    services.idea_decide(
        idea=adopted, actor=world["admin"], outcome="adopted", reason="Cheap", service_area="waste"
    )
    other = campaign_for(world, title="Libraries day")
    refused = idea_by(world, "frontline", other, title="Open on Sundays")
    services.idea_decide(
        idea=refused, actor=world["admin"], outcome="not_adopted", reason="No budget this year"
    )
    url = reverse("ideas-outcomes-all")
    page = client_for(world["volunteer"]).get(url).content.decode()
    assert "Bins big idea day" in page and "Libraries day" in page
    assert "Photograph blocked bins" in page and "not started yet" in page
    assert "Open on Sundays" in page and "No budget this year" in page
    # Another organisation's staff see none of it.
    elsewhere = client_for(world["outsider"]).get(url).content.decode()
    assert "Photograph blocked bins" not in elsewhere and "Libraries day" not in elsewhere


def test_it_exports_vote_totals_that_comments_do_not_multiply(world, campaign) -> None:
    from whatworks.ideas.exports import ideas_rows

    idea = idea_by(world, "officer", campaign)
    for persona in ("admin", "frontline"):
        services.vote_cast(idea=idea, who=identity.for_user(campaign.pk, world[persona]))
    for n in range(3):
        services.comment_add(
            idea=idea, who=identity.for_user(campaign.pk, world["analyst"]), anonymous=False,
            body=f"Comment {n}",
        )  # fmt: skip
    services.campaign_advance(campaign=campaign, actor=world["admin"])  # counts shown from now
    columns, rows = ideas_rows(campaign)
    row = dict(zip(columns, next(iter(rows)), strict=True))
    assert (row["votes"], row["comments"]) == (2, 3)
