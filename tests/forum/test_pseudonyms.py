"""A question on a pseudonymous record does not unmask it: the owner's people are shown under
the record's pseudonym to everyone outside the owner organisation, on the page, in quotes,
notifications, the export and the API. And a suspended person takes no part at all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from whatworks.forum import services
from whatworks.forum.models import Notification, Post, Thread
from whatworks.initiatives.models import Initiative, owner_label

OWNER_NAMES = ("Wealden", "Officer of A", "Analyst of A", "Volunteer of A")


@pytest.fixture
def masked(initiative: Initiative) -> Initiative:
    Initiative.objects.filter(pk=initiative.pk).update(pseudonymous=True)
    initiative.refresh_from_db()
    return initiative


def _answered(world: Any, initiative: Initiative) -> tuple[Thread, Post]:
    goal = initiative.goals.get()
    thread = services.question_ask(
        initiative=initiative,
        author=world["outsider"],
        anchor=f"goal-{goal.pk}-baseline",
        title="How was the baseline measured?",
        body="A month or a year?",
    )
    answer = services.post_add(thread=thread, author=world["officer"], body="A yearly average.")
    return thread, answer


def test_it_shows_the_owners_answer_under_the_pseudonym(
    world: Any, client_for: Any, masked: Initiative
) -> None:
    """The reproduction: the thread showed the answerer's name and "Answer for Wealden
    District Council" to anonymous visitors."""
    thread, answer = _answered(world, masked)
    assert answer.by_owner and answer.owner_answer
    pseudonym = owner_label(masked, None)
    assert "Wealden" not in pseudonym
    for reader in (None, world["outsider"], world["moderator"]):
        page = client_for(reader).get(thread.get_absolute_url()).content.decode()
        assert pseudonym in page
        assert "Answer for " + pseudonym[:1].lower() + pseudonym[1:] in page
        assert not any(name in page for name in OWNER_NAMES), reader
    # The asker, from another organisation, is still named; the owner's own people see
    # their colleague's name.
    own = client_for(world["admin"]).get(thread.get_absolute_url()).content.decode()
    assert "Officer of A" in own and "Answer for Wealden District Council" in own


def test_it_names_no_one_from_the_owner_in_the_api_or_the_export(
    world: Any, client_for: Any, masked: Initiative
) -> None:
    """The reproduction: the API gave the author's name."""
    thread, _ = _answered(world, masked)
    client = client_for(None)
    api = client.get(f"/api/forum/threads/{thread.pk}").json()
    authors = [p["author"] for p in api["posts"]]
    assert authors[1] == owner_label(masked, None)
    export = client.get(reverse("forum-thread-export", kwargs={"pk": thread.pk})).content.decode()
    assert not any(name in export + json.dumps(api) for name in OWNER_NAMES)
    assert json.loads(export)["posts"][1]["author"] == owner_label(masked, None)


def test_it_quotes_the_owners_answer_under_the_pseudonym(
    world: Any, client_for: Any, masked: Initiative
) -> None:
    thread, answer = _answered(world, masked)
    reply_url = reverse("forum-reply", kwargs={"pk": thread.pk})
    form = client_for(world["outsider"]).get(reply_url, {"quote": answer.pk}).content.decode()
    assert "Officer of A" not in form and owner_label(masked, None) in form
    services.post_add(thread=thread, author=world["outsider"], body="Thanks", quote_of=answer)
    page = client_for(None).get(thread.get_absolute_url()).content.decode()
    assert f"#2 by {owner_label(masked, None)}" in page


def test_it_notifies_under_the_pseudonym(world: Any, masked: Initiative) -> None:
    thread, answer = _answered(world, masked)
    told = Notification.objects.get(user=world["outsider"], kind="answer")
    assert told.text.startswith(owner_label(masked, None))
    assert "Wealden" not in told.text
    # A watcher outside the owner is told of a reply by the pseudonym too.
    services.watch_set(user=world["moderator"], kind="thread", thread=thread, on=True)
    services.post_add(thread=thread, author=world["analyst"], body="And monthly before 2016.")
    reply = Notification.objects.filter(user=world["moderator"], kind="reply").get()
    assert "Analyst of A" not in reply.text and owner_label(masked, None) in reply.text


def test_it_still_names_answers_on_a_record_shared_by_name(
    world: Any, client_for: Any, initiative: Initiative
) -> None:
    thread, _ = _answered(world, initiative)
    page = client_for(None).get(thread.get_absolute_url()).content.decode()
    assert "Officer of A" in page and "Answer for Wealden District Council" in page


# --- Suspended people --------------------------------------------------------------------------


@pytest.fixture
def suspended(world: Any) -> Any:
    services.person_suspend(
        person=world["analyst"], actor=world["moderator"], days=3, reason="Abuse"
    )
    return world["analyst"]


def test_a_suspended_person_cannot_create_a_group(
    world: Any, client_for: Any, suspended: Any
) -> None:
    """The reproduction: suspended users could still create listed groups."""
    assert client_for(suspended).get(reverse("forum-group-new")).status_code == 403
    with pytest.raises(ValidationError, match="suspended"):
        services.group_create(
            actor=suspended, name="Spam", description="", joining="request", listed=True
        )


def test_a_suspended_person_cannot_report_or_mark_posts(
    world: Any, client_for: Any, board: Any, suspended: Any
) -> None:
    """The reproduction: suspended users could still report or mark posts."""
    thread = services.thread_start(board=board, author=world["officer"], title="T", body="Hello")
    post = thread.posts.get()
    client = client_for(suspended)
    assert client.get(reverse("forum-post-report", kwargs={"pk": post.pk})).status_code == 403
    assert client.post(reverse("forum-post-useful", kwargs={"pk": post.pk})).status_code == 403
    with pytest.raises(ValidationError, match="suspended"):
        services.post_report(post=post, reporter=suspended, reason="Spam")
    with pytest.raises(ValidationError, match="suspended"):
        services.post_mark_useful(post=post, user=suspended)
    post.refresh_from_db()
    assert post.useful_count == 0 and not post.reports.exists()


def test_a_suspended_owner_cannot_accept_an_answer(world: Any, initiative: Initiative) -> None:
    thread, answer = _answered(world, initiative)
    services.person_suspend(
        person=world["outsider"], actor=world["moderator"], days=3, reason="Abuse"
    )
    with pytest.raises(ValidationError, match="suspended"):
        services.answer_accept(post=answer, actor=world["outsider"])
    assert Thread.objects.get(pk=thread.pk).accepted_post_id is None
