"""Anonymity that holds against insiders: each campaign's key lives outside the database and
is destroyed at close, after which nobody holding the database and every remaining key can
link an idea or a vote to a person; contributions keep only the day; live counts move in
fives. The reproductions of issue 12 are here."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.ideas.support import campaign_for, idea_by
from whatworks.ideas import identity, keys, services
from whatworks.ideas.models import Campaign, Comment, Idea, Participation, Phase, Vote
from whatworks.organisations.models import User

pytestmark = pytest.mark.django_db


def _everyone() -> list[str]:
    return [f"user:{pk}" for pk in User.objects.values_list("pk", flat=True)]


def _stored_hashes(campaign: Campaign) -> set[str]:
    return (
        set(Idea.objects.filter(campaign=campaign).values_list("author_key", flat=True))
        | set(Comment.objects.filter(idea__campaign=campaign).values_list("author_key", flat=True))
        | set(Vote.objects.filter(campaign=campaign).values_list("voter_key", flat=True))
        | set(Participation.objects.filter(campaign=campaign).values_list("person_key", flat=True))
    ) - {""}


def _named_by(key: bytes, campaign: Campaign) -> set[str]:
    """The insider's loop: every person, every purpose, under `key`; who matches?"""
    stored = _stored_hashes(campaign)
    found = set()
    for subject in _everyone():
        for purpose in ("author", "author-named", "voter", "person"):
            message = f"{purpose}|{campaign.pk}|{subject}".encode()
            if hmac.new(key, message, hashlib.sha256).hexdigest() in stored:
                found.add(subject)
    return found


@pytest.fixture
def contributions(world: Any, campaign: Campaign) -> Campaign:
    idea_by(world, "frontline", campaign, anonymous=True, title="Anonymous idea")
    for persona in ("volunteer", "analyst"):
        services.vote_cast(
            idea=Idea.objects.get(title="Anonymous idea"),
            who=identity.for_user(campaign.pk, world[persona]),
        )
    services.comment_add(
        idea=Idea.objects.get(title="Anonymous idea"),
        who=identity.for_user(campaign.pk, world["officer"]),
        anonymous=True,
        body="Tried it in 2015",
    )
    return campaign


def test_the_site_wide_secret_no_longer_names_anyone(world: Any, contributions: Campaign):
    """The reproduction: hashes were keyed by a secret derived from SECRET_KEY, so one shell
    loop over the people named every anonymous author and voter."""
    assert _named_by(str(settings.IDEAS_AUTHOR_KEY).encode(), contributions) == set()
    # The campaign's own key does (while the campaign runs, as the docs say)...
    key = keys.campaign_key(contributions.pk)
    assert _named_by(key, contributions) == {
        f"user:{world[p].pk}" for p in ("frontline", "volunteer", "analyst", "officer")
    }
    # ...and it is not in the database: only its fingerprint is.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key_fingerprint FROM ideas_campaign WHERE id = %s", [contributions.pk]
        )
        assert cursor.fetchone()[0] == keys.fingerprint(key)
    assert (
        Path(settings.IDEAS_KEY_DIR, f"campaign-{contributions.pk}.key").stat().st_mode & 0o777
        == 0o600
    )


def test_nobody_can_name_anyone_after_the_campaign_closes(
    world: Any, contributions: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    """Even someone who copied the campaign's key while it ran, and holds the database and
    every key that exists afterwards, can no longer name an author or a voter."""
    copied = keys.campaign_key(contributions.pk)
    before = {
        "votes": Vote.objects.filter(campaign=contributions).count(),
        "people": Participation.objects.filter(campaign=contributions).count(),
    }
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        services.campaign_advance(campaign=contributions, actor=world["officer"])  # to review
    contributions.refresh_from_db()
    assert contributions.phase == Phase.REVIEW and contributions.keys_destroyed_at
    key_files = list(Path(settings.IDEAS_KEY_DIR).iterdir())
    assert key_files == []
    assert _named_by(copied, contributions) == set()
    assert _named_by(str(settings.IDEAS_AUTHOR_KEY).encode(), contributions) == set()
    for path in Path(settings.IDEAS_KEY_DIR).parent.rglob("*.key"):
        assert _named_by(path.read_bytes(), contributions) == set()
    # The counts are whole: the votes, and the people who took part.
    assert Vote.objects.filter(campaign=contributions).count() == before["votes"]
    assert Participation.objects.filter(campaign=contributions).count() == before["people"]
    with pytest.raises(keys.TakingPartClosed):
        keys.campaign_key(contributions.pk)


def test_votes_still_merge_without_double_counting_after_close(world: Any, campaign: Campaign):
    first = idea_by(world, "officer", campaign, title="First")
    second = idea_by(world, "admin", campaign, title="Second")
    for idea in (first, second):
        services.vote_cast(idea=idea, who=identity.for_user(campaign.pk, world["volunteer"]))
    services.vote_cast(idea=second, who=identity.for_user(campaign.pk, world["frontline"]))
    services.campaign_advance(campaign=campaign, actor=world["officer"])
    campaign.refresh_from_db()
    services.idea_merge(idea=second, into=first, actor=world["officer"], reason="Same idea")
    assert Vote.objects.filter(idea=first).count() == 2  # the volunteer's vote counted once


def test_taking_part_cannot_be_reopened_once_the_key_is_gone(world: Any, campaign: Campaign):
    keys.keys_destroy(campaign=campaign, actor=world["officer"])
    campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.idea_submit(
            campaign=campaign, who=identity.for_user(campaign.pk, world["frontline"]),
            anonymous=True, title="Late", process="x", problem="y", proposal="z",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="cannot reopen"):
        services.campaign_update(
            campaign=campaign,
            actor=world["officer"],
            closes_on=campaign.closes_on + timedelta(days=30),
        )
    assert keys.keys_destroy(campaign=campaign) is False  # done once


def test_the_daily_job_closes_campaigns_past_their_date(world: Any) -> None:
    today = timezone.localdate()
    over = campaign_for(
        world, opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=2)
    )
    running = campaign_for(world, title="Still running")
    assert keys.keys_destroy_due() == 1
    over.refresh_from_db()
    running.refresh_from_db()
    assert over.keys_destroyed_at and running.keys_destroyed_at is None


def test_a_missing_key_stops_taking_part_instead_of_making_a_new_one(
    world: Any, client_for: Any, campaign: Campaign
) -> None:
    idea = idea_by(world, "officer", campaign)
    Path(settings.IDEAS_KEY_DIR, f"campaign-{campaign.pk}.key").unlink()
    client = client_for(world["frontline"])
    page = client.get(campaign.get_absolute_url())
    assert page.status_code == 200
    assert "anonymity key is missing" in page.content.decode()
    vote = client.post(reverse("ideas-idea-vote", kwargs={"pk": campaign.pk, "idea_pk": idea.pk}))
    assert vote.status_code == 403
    assert not Vote.objects.exists()


def test_a_campaign_from_before_is_unlinked_at_close_too(world: Any, campaign: Campaign) -> None:
    """A campaign created before per-campaign keys still uses the site-wide key while it
    runs; at close its hashes are replaced, so that key names no one either."""
    Campaign.objects.filter(pk=campaign.pk).update(key_fingerprint="")
    campaign.refresh_from_db()
    idea_by(world, "frontline", campaign, anonymous=True)
    legacy = str(settings.IDEAS_AUTHOR_KEY).encode()
    assert _named_by(legacy, campaign) == {f"user:{world['frontline'].pk}"}
    services.campaign_advance(campaign=campaign, actor=world["officer"])
    assert _named_by(legacy, campaign) == set()


# --- Times and counters ------------------------------------------------------------------------


def test_it_keeps_only_the_day_of_a_contribution(
    world: Any, client_for: Any, contributions: Campaign
):
    """The reproduction: the API gave creation times to the millisecond."""
    day = timezone.localdate()
    for when in [
        *Idea.objects.values_list("created_at", "updated_at"),
        *Comment.objects.values_list("created_at", flat=False),
        *Vote.objects.values_list("created_at", flat=False),
    ]:
        for stamp in when:
            local = timezone.localtime(stamp)
            assert (local.date(), local.time().isoformat()) == (day, "00:00:00")
    api = (
        client_for(world["volunteer"])
        .get(reverse("api:ideas_list_ideas", kwargs={"id": contributions.pk}))
        .json()["items"][0]
    )
    assert api["submitted_on"] == day.isoformat() and "created_at" not in api
    export = (
        client_for(world["officer"])
        .get(
            reverse("ideas-export", kwargs={"pk": contributions.pk, "kind": "ideas", "fmt": "csv"})
        )
        .content.decode()
    )
    assert f",{day.isoformat()}\r\n" in export and "T00:00" not in export


def test_the_live_counts_move_in_steps_of_five(world: Any, client_for: Any, campaign: Campaign):
    """The reproduction: the live "people" counter moved with each contribution."""
    url = reverse("ideas-live-data", kwargs={"pk": campaign.pk})
    client = client_for(world["officer"])
    seen = []
    people = [world[p] for p in ("admin", "officer", "analyst", "frontline", "volunteer")]
    people += [
        User.objects.create_user(f"p{i}@example.org", None, full_name=f"P {i}") for i in range(3)
    ]
    from whatworks.organisations.models import Membership

    for person in people[5:]:
        Membership.objects.create(organisation=world.org_a, user=person, role="officer")
    idea = idea_by(world, "admin", campaign)
    for person in people:
        if person != world["admin"]:
            services.vote_cast(idea=idea, who=identity.for_user(campaign.pk, person))
        seen.append(client.get(url).json()["people"])
    # 1, 2, 3, 4 people, then 5, 6, 7, 8: the count changes once, at five.
    assert seen[:4] == ["fewer than 5"] * 4
    assert seen[4:] == ["5 or more"] * 4
