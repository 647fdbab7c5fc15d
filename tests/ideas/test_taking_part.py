"""Submitting, commenting and voting: phases, one vote each, dot budgets, join codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.ideas.support import IDEA, campaign_for, idea_by
from whatworks.ideas import identity, services
from whatworks.ideas.models import Campaign, Idea, Phase, Vote, VoteMode

pytestmark = pytest.mark.django_db


def _vote_url(idea: Idea) -> str:
    return reverse("ideas-idea-vote", kwargs={"pk": idea.campaign_id, "idea_pk": idea.pk})


def test_it_counts_one_vote_per_person_and_refuses_a_second(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    client = client_for(world["frontline"])
    assert client.post(_vote_url(idea)).status_code == 302
    again = client.post(_vote_url(idea))
    assert again.status_code == 409
    assert "You have already voted for this idea" in again.content.decode()
    assert Vote.objects.filter(idea=idea).count() == 1


def test_it_refuses_votes_outside_the_voting_phase(world, client_for):
    campaign = campaign_for(world, phase=Phase.SUBMIT)
    idea = idea_by(world, "officer", campaign)
    response = client_for(world["frontline"]).post(_vote_url(idea))
    assert response.status_code == 409
    assert "You cannot vote now" in response.content.decode()
    services.campaign_advance(campaign=campaign, actor=world["officer"])  # discuss and vote
    services.campaign_advance(campaign=campaign, actor=world["officer"])  # review
    response = client_for(world["volunteer"]).post(_vote_url(idea))
    assert response.status_code == 409
    assert not Vote.objects.exists()


def test_it_refuses_ideas_after_the_submission_phases(world, client_for):
    campaign = campaign_for(world, phase=Phase.REVIEW)
    url = reverse("ideas-idea-new", kwargs={"pk": campaign.pk})
    response = client_for(world["frontline"]).post(url, IDEA)
    assert response.status_code == 200
    assert "You cannot put forward ideas now" in response.content.decode()
    assert not Idea.objects.exists()


def test_it_keeps_each_voter_within_their_dot_budget(world, client_for):
    campaign = campaign_for(world, vote_mode=VoteMode.DOTS, dot_budget=3)
    first, second = idea_by(world, "officer", campaign), idea_by(world, "admin", campaign)
    client = client_for(world["frontline"])
    assert client.post(_vote_url(first), {"dots": 2}).status_code == 302
    response = client.post(_vote_url(second), {"dots": 2})
    assert response.status_code == 409
    assert "You do not have that many dots left" in response.content.decode()
    assert client.post(_vote_url(second), {"dots": 1}).status_code == 302
    assert sum(Vote.objects.values_list("dots", flat=True)) == 3


def test_it_refuses_an_empty_idea_naming_each_field(world, client_for, campaign):
    url = reverse("ideas-idea-new", kwargs={"pk": campaign.pk})
    response = client_for(world["frontline"]).post(url, {"title": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Enter your idea in a few words" in body
    assert "Enter the process or task it would change" in body
    assert not Idea.objects.exists()


def test_it_lets_only_the_author_change_an_idea(world, client_for, campaign):
    idea = idea_by(world, "frontline", campaign, anonymous=True)
    url = reverse("ideas-idea-edit", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    assert client_for(world["officer"]).get(url).status_code == 403
    response = client_for(world["frontline"]).post(url, {**IDEA, "title": "Photos from the cab"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Photos from the cab"
    assert idea.author_id is None


def _join(client, code: str, name: str = ""):
    return client.post(reverse("ideas-join"), {"code": code, "name": name})


def test_it_lets_staff_without_accounts_take_part_with_a_join_code(world, client, campaign):
    code = services.join_code_create(campaign=campaign, label="Depot", actor=world["admin"])
    response = _join(client, code.formatted.lower(), "Pat from the depot")
    assert response.status_code == 302
    assert client.get(campaign.get_absolute_url()).status_code == 200
    response = client.post(reverse("ideas-idea-new", kwargs={"pk": campaign.pk}), IDEA)
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.author_id is None and idea.author_name == "Pat from the depot"
    assert client.post(_vote_url(idea)).status_code == 302
    assert client.post(_vote_url(idea)).status_code == 409
    assert Vote.objects.count() == 1
    assert campaign.title in client.get(reverse("ideas-home")).content.decode()
    # The panel and organisers' pages stay closed to a participant.
    assert client.get(reverse("ideas-live", kwargs={"pk": campaign.pk})).status_code == 302


def test_it_refuses_withdrawn_and_expired_codes(world, client, campaign):
    code = services.join_code_create(campaign=campaign, label="", actor=world["admin"])
    assert _join(client, code.code).status_code == 302
    services.join_code_withdraw(code=code, actor=world["admin"])
    # Withdrawn: the code no longer joins, and who joined with it can no longer take part.
    assert client.get(campaign.get_absolute_url()).status_code == 404
    response = _join(client, code.code)
    assert "This code has been withdrawn" in response.content.decode()

    fresh = services.join_code_create(campaign=campaign, label="", actor=world["admin"])
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_on=timezone.localdate() - timedelta(days=20),
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    response = _join(client, fresh.code)
    assert response.status_code == 200
    assert "This code has expired" in response.content.decode()
    assert "ideas_p" not in "".join(response.cookies)


def test_it_rate_limits_join_attempts(world, client, campaign, settings):
    settings.IDEAS_JOIN_ATTEMPTS = 3
    for _ in range(3):
        assert _join(client, "WRONGCODE1").status_code == 200
    code = services.join_code_create(campaign=campaign, label="", actor=world["admin"])
    response = _join(client, code.code)  # right, but one try too many
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


def test_it_refuses_a_forged_participant_cookie(world, client, campaign):
    client.cookies[f"ideas_p{campaign.pk}"] = "token|1|Me:forged:signature"
    assert client.get(campaign.get_absolute_url()).status_code == 404


def test_it_adds_comments_anonymously(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    url = reverse("ideas-idea-comment", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    client = client_for(world["volunteer"])
    assert client.post(url, {"body": "We tried this in 2015", "anonymous": "on"}).status_code == 302
    comment = idea.comments.get()
    assert comment.author_id is None and comment.author_key
    assert client.post(url, {"body": ""}).status_code == 400
    page = client_for(world["admin"]).get(idea.get_absolute_url()).content.decode()
    assert "We tried this in 2015" in page
    assert world["volunteer"].full_name not in page


def test_it_refuses_a_number_of_dots_that_is_not_a_number(world, client_for):
    campaign = campaign_for(world, vote_mode=VoteMode.DOTS, dot_budget=3)
    idea = idea_by(world, "officer", campaign)
    response = client_for(world["frontline"]).post(_vote_url(idea), {"dots": "lots"})
    assert response.status_code == 400
    assert "Enter a number" in response.content.decode()
    assert not Vote.objects.exists()


def test_it_votes_in_a_fixed_number_of_queries_however_many_ideas_and_votes(
    world, client_for, campaign, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory

    def vote_queries(idea: Idea) -> int:
        with django_assert_max_num_queries(15) as captured:
            assert client.post(_vote_url(idea)).status_code == 302
        return len(captured.captured_queries)

    client = client_for(world["frontline"])
    few = vote_queries(idea_by(world, "officer", campaign))
    ideas = [idea_by(world, "officer", campaign, title=f"Idea {i}") for i in range(30)]
    for voter in [MembershipFactory(organisation=world.org_a).user for _ in range(10)]:
        for idea in ideas[:5]:
            services.vote_cast(idea=idea, who=identity.for_user(campaign.pk, voter))
    assert vote_queries(ideas[-1]) == few
