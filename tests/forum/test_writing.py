"""Writing: replies, quotes, edits with history, "useful", mentions, suspensions and the
posting rate limit. Refusals say why and save nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.forum.helpers import public_thread
from whatworks.core.models import AuditEvent
from whatworks.forum import services
from whatworks.forum.models import Board, Notification, Post, PostRevision, Thread


def test_it_keeps_counts_and_positions_for_the_lists(world: Any, board: Board) -> None:
    thread = public_thread(world)
    services.post_add(thread=thread, author=world["admin"], body="One")
    services.post_add(thread=thread, author=world["outsider"], body="Two")
    thread.refresh_from_db()
    board.refresh_from_db()
    assert thread.post_count == 3 and thread.reply_count == 2
    assert list(thread.posts.values_list("position", flat=True)) == [1, 2, 3]
    assert board.thread_count == 1 and board.post_count == 3
    assert board.last_post_at == thread.last_post_at


def test_it_quotes_only_from_the_same_thread(world: Any) -> None:
    first = public_thread(world)
    other = public_thread(world, title="Other")
    with pytest.raises(ValidationError):
        services.post_add(
            thread=first, author=world["admin"], body="Quoting", quote_of=other.posts.get()
        )
    opening = first.posts.get()
    reply = services.post_add(thread=first, author=world["admin"], body="Quoting", quote_of=opening)
    assert reply.quote_of == opening


def test_it_keeps_the_edit_history(world: Any) -> None:
    post = public_thread(world).posts.get()
    services.post_edit(post=post, editor=world["officer"], body="Corrected: a quarter.")
    post.refresh_from_db()
    assert post.body == "Corrected: a quarter." and post.edited_at is not None
    assert PostRevision.objects.get(post=post).body.startswith("Our rewritten arrears letters")
    assert AuditEvent.objects.filter(action="forum.post_edited").exists()


def test_it_refuses_to_edit_someone_elses_post(client_for: Any, world: Any) -> None:
    post = public_thread(world).posts.get()
    with pytest.raises(ValidationError):
        services.post_edit(post=post, editor=world["admin"], body="Vandalised")
    url = reverse("forum-post-edit", kwargs={"pk": post.pk})
    response = client_for(world["admin"]).post(url, {"body": "Vandalised"})
    assert response.status_code == 403
    post.refresh_from_db()
    assert "Vandalised" not in post.body and not PostRevision.objects.exists()


def test_it_toggles_useful_but_not_on_your_own_post(world: Any) -> None:
    post = public_thread(world).posts.get()
    assert services.post_mark_useful(post=post, user=world["outsider"]) is True
    post.refresh_from_db()
    assert post.useful_count == 1
    assert services.post_mark_useful(post=post, user=world["outsider"]) is False
    post.refresh_from_db()
    assert post.useful_count == 0
    with pytest.raises(ValidationError):
        services.post_mark_useful(post=post, user=world["officer"])


def test_it_notifies_people_mentioned_who_can_see_the_thread(world: Any) -> None:
    thread = public_thread(world)
    services.post_add(
        thread=thread, author=world["outsider"], body="@Organisation-admin-of-A what do you think?"
    )
    assert Notification.objects.filter(user=world["admin"], kind="mention").count() == 1


def test_it_refuses_posts_from_someone_suspended(world: Any) -> None:
    thread = public_thread(world)
    services.person_suspend(person=world["admin"], actor=world["moderator"], days=7, reason="Abuse")
    with pytest.raises(ValidationError) as error:
        services.post_add(thread=thread, author=world["admin"], body="Hello")
    assert "Abuse" in str(error.value)
    assert thread.posts.count() == 1
    assert AuditEvent.objects.filter(action="forum.person_suspended").exists()


def test_it_limits_the_posting_rate(world: Any, settings: Any) -> None:
    settings.FORUM_POST_RATE = (3, 300)
    thread = public_thread(world)
    services.post_add(thread=thread, author=world["officer"], body="2")
    services.post_add(thread=thread, author=world["officer"], body="3")
    with pytest.raises(ValidationError) as error:
        services.post_add(thread=thread, author=world["officer"], body="4")
    assert "Wait a few minutes" in str(error.value)
    assert thread.posts.count() == 3


def test_it_refuses_empty_or_oversized_messages(client_for: Any, world: Any, board: Any) -> None:
    client = client_for(world["officer"])
    url = reverse("forum-thread-new", kwargs={"slug": board.slug})
    response = client.post(url, {"title": "", "body": ""})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    response = client.post(url, {"title": "Long", "body": "x" * 20_001})
    assert b"20,000 characters or fewer" in response.content
    assert not Thread.objects.exists()


def test_it_renders_posts_sanitised(client_for: Any, world: Any, board: Any) -> None:
    thread = services.thread_start(
        board=board, author=world["officer"], title="XSS", body="<script>alert(1)</script>**ok**"
    )
    html = client_for(None).get(reverse("forum-thread", kwargs={"pk": thread.pk})).content
    assert b"<script>alert(1)" not in html and b"<strong>ok</strong>" in html


def test_it_pages_a_long_thread_by_position(
    client_for: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    thread = public_thread(world)
    Post.objects.bulk_create(
        Post(
            thread=thread, position=i, author=world["admin"], body=f"p{i}", body_html=f"<p>p{i}</p>"
        )
        for i in range(2, 121)
    )
    Thread.objects.filter(pk=thread.pk).update(post_count=120)
    client = client_for(None)
    url = reverse("forum-thread", kwargs={"pk": thread.pk})
    with django_assert_max_num_queries(12):
        html = client.get(url, {"page": 3}).content.decode()
    assert "<p>p101</p>" in html and "<p>p120</p>" in html and "<p>p100</p>" not in html
    assert client.get(url, {"page": 4}).status_code == 404


def test_it_refreshes_the_cached_anonymous_pages_after_a_write(
    client_for: Any, world: Any, board: Board, django_capture_on_commit_callbacks: Any
) -> None:
    thread = public_thread(world)
    client = client_for(None)
    thread_url = reverse("forum-thread", kwargs={"pk": thread.pk})
    board_url = reverse("forum-board", kwargs={"slug": board.slug})
    assert b"Fresh news" not in client.get(thread_url).content
    assert b"1 found this useful" not in client.get(thread_url).content
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_add(thread=thread, author=world["admin"], body="Fresh news")
    assert b"Fresh news" in client.get(thread_url).content
    assert (
        b'<td class="govuk-table__cell govuk-table__cell--numeric">1</td>'
        in client.get(board_url).content
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.post_hide(post=reply, actor=world["moderator"], reason="Off topic")
    html = client.get(thread_url).content
    assert b"Fresh news" not in html and b"Hidden by a moderator: Off topic" in html


def test_it_links_records_the_author_can_see_and_refuses_others(
    client_for: Any, world: Any, board: Board
) -> None:
    from tests.forum.helpers import failed_initiative

    public = failed_initiative(world)
    private = failed_initiative(world, visibility="private")
    client = client_for(world["outsider"])
    url = reverse("forum-thread-new", kwargs={"slug": board.slug})
    response = client.post(url, {"title": "T", "body": "B", "links": f"/initiatives/{private.pk}/"})
    assert b"Line 1 is not the address of a record you can see" in response.content
    assert not Thread.objects.exists()
    response = client.post(
        url,
        {
            "title": "T",
            "body": "B",
            "links": f"http://127.0.0.1:8000/initiatives/{public.pk}/\n/organisations/wealden/",
        },
    )
    assert response.status_code == 302
    thread = Thread.objects.get()
    assert list(thread.linked_initiatives.all()) == [public]
    assert list(thread.linked_organisations.all()) == [world.org_a]
    html = client_for(None).get(reverse("forum-thread", kwargs={"pk": thread.pk})).content
    assert b"Linked records" in html and public.title.encode() in html
