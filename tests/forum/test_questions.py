"""A peer asks a question on another council's failed initiative; the owner is told, answers
on the record, the answer is accepted, and the peer's daily digest carries it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from whatworks.core.models import AuditEvent, Message
from whatworks.forum import notifications, services
from whatworks.forum.models import Notification, Thread, Visibility
from whatworks.initiatives.services import initiative_update


def _ask(world: Any, initiative: Any) -> Thread:
    goal = initiative.goals.get()
    return services.question_ask(
        initiative=initiative,
        author=world["outsider"],
        anchor=f"goal-{goal.pk}-baseline",
        title="How was the baseline measured?",
        body="Was it **one month** or a yearly average?",
    )


def test_it_anchors_the_question_and_tells_the_owner(world: Any, initiative: Any) -> None:
    thread = _ask(world, initiative)
    assert thread.kind == Thread.Kind.QUESTION
    assert thread.anchor_label == "The baseline of “Tenants in arrears”"
    assert thread.visibility == Visibility.PUBLIC
    told = set(
        Notification.objects.filter(kind="question", thread=thread).values_list("user", flat=True)
    )
    # The owner's editors (admin, officer, analyst of A), not its frontline or volunteers.
    assert told == {world["admin"].pk, world["officer"].pk, world["analyst"].pk}
    assert AuditEvent.objects.filter(action="forum.question_asked").exists()


def test_it_shows_open_questions_on_the_record(
    client_for: Any, world: Any, initiative: Any
) -> None:
    thread = _ask(world, initiative)
    page = client_for(None).get(reverse("initiative-detail", kwargs={"pk": initiative.pk}))
    assert "Questions on this record" in page.content.decode()
    assert thread.title in page.content.decode()
    assert "1 open question" in page.content.decode()


def test_it_refreshes_the_cached_public_page_when_answered(
    client_for: Any, world: Any, initiative: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("initiative-detail", kwargs={"pk": initiative.pk})
    with django_capture_on_commit_callbacks(execute=True):
        thread = _ask(world, initiative)
    assert "1 open question" in client_for(None).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the cache moves on commit
        answer = services.post_add(thread=thread, author=world["officer"], body="A yearly average.")
        services.answer_accept(post=answer, actor=world["outsider"])
    assert "0 open questions" in client_for(None).get(url).content.decode()


def test_it_marks_the_owners_reply_as_the_answer_and_tells_the_asker(
    world: Any, initiative: Any
) -> None:
    thread = _ask(world, initiative)
    peer_reply = services.post_add(thread=thread, author=world["volunteer"], body="Me too.")
    answer = services.post_add(thread=thread, author=world["officer"], body="A yearly average.")
    assert not peer_reply.owner_answer  # a volunteer does not answer for the record
    assert answer.owner_answer
    note = Notification.objects.get(user=world["outsider"], kind="answer")
    assert "Wealden District Council answered" in note.text


def test_it_carries_the_answer_in_the_askers_daily_digest(world: Any, initiative: Any) -> None:
    thread = _ask(world, initiative)
    answer = services.post_add(thread=thread, author=world["officer"], body="A yearly average.")
    services.answer_accept(post=answer, actor=world["outsider"])
    Message.objects.all().delete()
    sent = notifications.digests_send("daily")
    digest = Message.objects.get(template="forum_digest", recipient=world["outsider"].email)
    texts = [item["text"] for item in digest.personalisation["items"]]
    assert any("answered your question" in t for t in texts)
    assert sent >= 1
    assert "unsubscribe" in digest.personalisation["unsubscribe"]
    # Sent once: a second run finds nothing new.
    assert notifications.digests_send("daily") == 0


def test_it_lets_the_asker_or_the_owner_accept_but_nobody_else(world: Any, initiative: Any) -> None:
    thread = _ask(world, initiative)
    answer = services.post_add(thread=thread, author=world["officer"], body="Yearly.")
    with pytest.raises(ValidationError):
        services.answer_accept(post=answer, actor=world["volunteer"])
    thread.refresh_from_db()
    assert thread.accepted_post is None
    services.answer_accept(post=answer, actor=world["admin"])
    thread.refresh_from_db()
    assert thread.accepted_post == answer


def test_nobody_accepts_their_own_answer_or_is_offered_to(
    world: Any, initiative: Any, client_for: Any
) -> None:
    thread = _ask(world, initiative)
    own = services.post_add(thread=thread, author=world["admin"], body="Monthly, from 2016.")
    other = services.post_add(thread=thread, author=world["officer"], body="Yearly.")
    with pytest.raises(ValidationError, match="Someone else accepts your answer"):
        services.answer_accept(post=own, actor=world["admin"])
    page = client_for(world["admin"]).get(thread.get_absolute_url()).content.decode()
    prefix = reverse("forum-post-history", kwargs={"pk": 0}).removesuffix("0/history/")
    assert f'action="{prefix}{own.pk}/accept/"' not in page
    assert f'action="{prefix}{other.pk}/accept/"' in page  # another's answer is offered
    services.answer_accept(post=other, actor=world["admin"])
    thread.refresh_from_db()
    assert thread.accepted_post == other


def test_it_refuses_a_question_without_a_part_of_the_record(world: Any, initiative: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.question_ask(
            initiative=initiative, author=world["outsider"], anchor="nowhere", title="Q", body="B"
        )
    assert "anchor" in error.value.message_dict
    assert not Thread.objects.exists()


def test_it_keeps_a_question_on_a_private_record_private(world: Any) -> None:
    from tests.forum.helpers import failed_initiative

    private = failed_initiative(world, visibility="private")
    thread = services.question_ask(
        initiative=private, author=world["frontline"], anchor="summary", title="Q?", body="B"
    )
    assert thread.visibility == Visibility.PRIVATE
    assert thread.organisation_id == world.org_a.pk
    with pytest.raises(ValidationError):
        services.question_ask(
            initiative=private, author=world["outsider"], anchor="summary", title="Q", body="B"
        )


def test_it_shows_the_question_form_with_errors_named(
    client_for: Any, world: Any, initiative: Any
) -> None:
    client = client_for(world["outsider"])
    url = reverse("forum-question-new", kwargs={"pk": initiative.pk})
    response = client.post(url, {"anchor": "", "title": "", "body": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "#id_anchor" in html
    assert not Thread.objects.exists()
    response = client.post(
        url, {"anchor": "summary", "title": "Who sent the texts?", "body": "Curious."}
    )
    assert response.status_code == 302
    assert Thread.objects.get().title == "Who sent the texts?"


def test_it_makes_questions_follow_their_record_when_it_turns_private(
    client_for: Any, world: Any, initiative: Any, django_capture_on_commit_callbacks: Any
) -> None:
    thread = _ask(world, initiative)
    url = reverse("forum-thread", kwargs={"pk": thread.pk})
    assert client_for(None).get(url).status_code == 200  # cached for the public
    with django_capture_on_commit_callbacks(execute=True):
        initiative_update(initiative=initiative, actor=world["admin"], visibility="private")
    thread.refresh_from_db()
    assert thread.visibility == Visibility.PRIVATE and thread.organisation_id == world.org_a.pk
    assert client_for(None).get(url).status_code == 404
    assert client_for(world["outsider"]).get(url).status_code == 404
    assert client_for(world["frontline"]).get(url).status_code == 200
