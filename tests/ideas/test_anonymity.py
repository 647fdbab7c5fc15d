"""Safe to give: nobody can read who wrote an anonymous idea, through any door."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.ideas.support import campaign_for, idea_by
from whatworks.core.models import AuditEvent
from whatworks.ideas import identity, services
from whatworks.ideas.models import Idea, Participation, Vote

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Stop the double-keying of bulky waste orders"


@pytest.fixture
def anonymous_idea(world, client_for, campaign):
    """The frontline worker puts an idea forward anonymously, through the page."""
    client = client_for(world["frontline"])
    url = reverse("ideas-idea-new", kwargs={"pk": campaign.pk})
    response = client.post(
        url,
        {
            "title": SECRET_TITLE,
            "process": "Bulky waste orders",
            "problem": "Orders are typed twice.",
            "proposal": "One form feeding both systems.",
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    return Idea.objects.get(title=SECRET_TITLE)


def _traces(world) -> list[str]:
    person = world["frontline"]
    return [person.full_name, person.email, f"/people/{person.pk}/"]


def test_it_stores_no_reference_to_the_author(world, anonymous_idea):
    assert anonymous_idea.author_id is None
    assert anonymous_idea.author_name == ""
    who = identity.for_user(anonymous_idea.campaign_id, world["frontline"])
    # Only the keyed hash, which cannot be computed without the key in the settings.
    assert anonymous_idea.author_key == who.author_key
    assert len(anonymous_idea.author_key) == 64
    # The key for votes differs from the key for ideas, and from campaign to campaign.
    assert who.voter_key != who.author_key
    other = campaign_for(world, title="Another campaign")
    assert identity.for_user(other.pk, world["frontline"]).author_key != who.author_key


def test_it_leaves_nothing_in_the_audit_log(world, anonymous_idea, client_for):
    client_for(world["frontline"]).post(
        reverse(
            "ideas-idea-vote",
            kwargs={"pk": anonymous_idea.campaign_id, "idea_pk": anonymous_idea.pk},
        )
    )
    events = AuditEvent.objects.filter(actor=world["frontline"])
    assert not events.exists()
    assert not AuditEvent.objects.filter(object_type="ideas.idea").exists()


@pytest.mark.parametrize("reader", ["admin", "officer", "analyst", "volunteer"])
def test_it_does_not_show_the_author_on_any_page(world, client_for, anonymous_idea, reader):
    campaign_id = anonymous_idea.campaign_id
    client = client_for(world[reader])
    pages = [
        anonymous_idea.get_absolute_url(),
        reverse("ideas-campaign", kwargs={"pk": campaign_id}),
        reverse("ideas-outcomes", kwargs={"pk": campaign_id}),
        reverse("ideas-live", kwargs={"pk": campaign_id}),
        reverse("ideas-live-data", kwargs={"pk": campaign_id}),
    ]
    for url in pages:
        response = client.get(url)
        if response.status_code == 403:  # the live view is for organisers and the panel
            continue
        body = response.content.decode()
        assert SECRET_TITLE in body, url
        for trace in _traces(world):
            assert trace not in body, (url, trace)


def test_it_shows_the_author_their_own_idea(world, client_for, anonymous_idea):
    page = client_for(world["frontline"]).get(
        reverse("ideas-campaign", kwargs={"pk": anonymous_idea.campaign_id})
    )
    assert "Your ideas" in page.content.decode()
    detail = client_for(world["frontline"]).get(anonymous_idea.get_absolute_url())
    assert "Anonymous (you)" in detail.content.decode()
    other = client_for(world["volunteer"]).get(anonymous_idea.get_absolute_url())
    assert "(you)" not in other.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["ideas", "votes", "decisions"])
def test_it_keeps_the_author_out_of_exports(world, client_for, anonymous_idea, kind, fmt):
    campaign = anonymous_idea.campaign
    voter = identity.for_user(campaign.pk, world["volunteer"])
    services.vote_cast(idea=anonymous_idea, who=voter)
    services.campaign_advance(campaign=campaign, actor=world["admin"])
    services.idea_decide(
        idea=anonymous_idea, actor=world["admin"], outcome="not_adopted", reason="Done already"
    )
    url = reverse("ideas-export", kwargs={"pk": campaign.pk, "kind": kind, "fmt": fmt})
    response = client_for(world["admin"]).get(url)
    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode()
    else:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        text = "\n".join(
            ",".join(str(c) for c in row if c is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    assert SECRET_TITLE in text
    for trace in [*_traces(world), anonymous_idea.author_key]:
        assert trace not in text
    if kind == "ideas":
        assert "Anonymous" in text


def test_it_keeps_the_author_out_of_the_api(world, client_for, anonymous_idea):
    url = reverse("api:ideas_list_ideas", kwargs={"id": anonymous_idea.campaign_id})
    response = client_for(world["volunteer"]).get(url)
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["author"] == "Anonymous"
    assert items[0]["votes"] is None  # hidden until the review
    body = response.content.decode()
    for trace in [*_traces(world), anonymous_idea.author_key]:
        assert trace not in body


def test_it_keeps_the_author_out_of_the_admin(world, client_for, anonymous_idea):
    client = client_for(world["staff"])
    # Searching by the author's name or email finds nothing.
    for query in (world["frontline"].full_name, world["frontline"].email):
        found = client.get(reverse("admin:ideas_idea_changelist"), {"q": query})
        assert "0 results" in found.content.decode()
    for url in [
        reverse("admin:ideas_idea_changelist"),
        reverse("admin:ideas_idea_change", args=[anonymous_idea.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        for trace in [*_traces(world), anonymous_idea.author_key]:
            assert trace not in body, url
    # Site staff get no way into the campaign itself, superusers or not.
    campaign_url = reverse("ideas-campaign", kwargs={"pk": anonymous_idea.campaign_id})
    assert client.get(campaign_url).status_code == 404


def test_it_stores_votes_by_key_only(world, client_for, campaign):
    idea = idea_by(world, "officer", campaign)
    client_for(world["analyst"]).post(
        reverse("ideas-idea-vote", kwargs={"pk": campaign.pk, "idea_pk": idea.pk})
    )
    vote = Vote.objects.get()
    assert {f.name for f in Vote._meta.get_fields()} == {
        "id", "campaign", "idea", "voter_key", "dots", "created_at",
    }  # fmt: skip
    assert vote.voter_key == identity.for_user(campaign.pk, world["analyst"]).voter_key
    assert Participation.objects.filter(campaign=campaign).count() == 2


def test_it_keys_a_participants_named_and_anonymous_ideas_apart(world) -> None:
    from tests.ideas.support import campaign_for
    from whatworks.ideas import identity, services
    from whatworks.ideas.models import Idea

    campaign = campaign_for(world)
    who = identity.Identity(campaign_id=campaign.pk, subject="participant:abc", name="Pat")
    named = services.idea_submit(
        campaign=campaign, who=who, anonymous=False, title="Named", process="Rounds",
        problem="Slow", proposal="Faster",
    )  # fmt: skip
    hidden = services.idea_submit(
        campaign=campaign, who=who, anonymous=True, title="Hidden", process="Rounds",
        problem="Slow", proposal="Faster",
    )  # fmt: skip
    named.refresh_from_db()
    hidden.refresh_from_db()
    # Nothing in the rows links the name to the anonymous idea...
    assert named.author_name == "Pat" and hidden.author_name == ""
    assert named.author_key and hidden.author_key and named.author_key != hidden.author_key
    # ...yet the participant still finds and can edit both.
    assert set(Idea.objects.filter(author_key__in=who.author_keys)) == {named, hidden}
