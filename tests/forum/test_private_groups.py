"""A private group's thread is never visible to a non-member: pages, search, notifications,
digests, exports and the API. Each channel is tested on its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.forum.helpers import group_board, group_thread, public_thread
from whatworks.core.models import Message
from whatworks.forum import notifications, services
from whatworks.forum.models import Board, Notification, Post, Thread, Watch

SECRET = "Discharge delays"
NON_MEMBERS = ["anonymous", "admin", "volunteer", "moderator", "staff"]


@pytest.fixture
def secret(world: Any, group: Any) -> Thread:
    return group_thread(world, group, title=SECRET)


@pytest.mark.parametrize("persona", NON_MEMBERS)
def test_it_hides_the_thread_and_board_pages(
    client_for: Any, world: Any, group: Any, secret: Thread, persona: str
) -> None:
    client = client_for(world[persona])
    assert client.get(reverse("forum-thread", kwargs={"pk": secret.pk})).status_code == 404
    board = group_board(group)
    assert client.get(reverse("forum-board", kwargs={"slug": board.slug})).status_code == 404
    assert client.get(reverse("forum-group", kwargs={"slug": group.slug})).status_code == 404
    for name in ("forum-home", "forum-groups"):
        html = client.get(reverse(name)).content.decode()
        assert SECRET not in html and group.name not in html


@pytest.mark.parametrize("persona", NON_MEMBERS)
def test_it_hides_the_thread_from_search(
    client_for: Any, world: Any, secret: Thread, persona: str
) -> None:
    public_thread(world, title="Discharge lounges")
    html = client_for(world[persona]).get(reverse("forum-search"), {"q": "discharge"}).content
    assert b"Discharge lounges" in html
    assert SECRET.encode() not in html
    html = client_for(world[persona]).get(reverse("forum-search"), {"q": "hospital"}).content
    assert b"0 threads found" in html and SECRET.encode() not in html


def test_it_finds_the_thread_for_members(client_for: Any, world: Any, secret: Thread) -> None:
    html = client_for(world["outsider"]).get(reverse("forum-search"), {"q": "hospital"}).content
    assert SECRET.encode() in html


@pytest.mark.parametrize("persona", NON_MEMBERS)
def test_it_hides_the_posts_export_and_attachments(
    client_for: Any, world: Any, secret: Thread, persona: str
) -> None:
    client = client_for(world[persona])
    post = secret.posts.get()
    assert client.get(reverse("forum-thread-export", kwargs={"pk": secret.pk})).status_code == 404
    # Signed-in non-members get a 404; anonymous people may be sent to sign in first.
    hidden = (302, 404) if persona == "anonymous" else (404,)
    for name in ("forum-post-history", "forum-post-edit", "forum-post-report"):
        assert client.get(reverse(name, kwargs={"pk": post.pk})).status_code in hidden
    assert client.get(reverse("forum-reply", kwargs={"pk": secret.pk})).status_code in hidden


def test_it_exports_the_thread_to_members(client_for: Any, world: Any, secret: Thread) -> None:
    response = client_for(world["outsider"]).get(
        reverse("forum-thread-export", kwargs={"pk": secret.pk})
    )
    assert response.status_code == 200
    assert json.loads(response.content)["thread"]["title"] == SECRET


@pytest.mark.parametrize("persona", NON_MEMBERS)
def test_it_hides_the_thread_from_the_api(
    client_for: Any, world: Any, group: Any, secret: Thread, persona: str
) -> None:
    client = client_for(world[persona])
    assert client.get(f"/api/forum/threads/{secret.pk}").status_code == 404
    board = group_board(group)
    assert client.get(f"/api/forum/boards/{board.slug}/threads").status_code == 404
    boards = client.get("/api/forum/boards").json()
    assert board.slug not in json.dumps(boards)


def test_it_serves_the_thread_to_members_through_the_api(
    client_for: Any, world: Any, secret: Thread
) -> None:
    data = client_for(world["outsider"]).get(f"/api/forum/threads/{secret.pk}").json()
    assert data["thread"]["title"] == SECRET
    assert "worse than reported" in data["posts"][0]["body_html"]


def test_it_never_notifies_a_non_member(world: Any, group: Any, secret: Thread) -> None:
    # Mentioned, watching the board by id: still nothing, because they cannot see it.
    Watch.objects.create(user=world["admin"], kind="thread", thread=secret)
    Watch.objects.create(user=world["admin"], kind="board", board=group_board(group))
    services.post_add(
        thread=secret, author=world["outsider"], body="@Organisation-admin-of-A should see this"
    )
    group_thread(world, group, title="Second secret")
    assert not Notification.objects.filter(user=world["admin"]).exists()
    assert Notification.objects.filter(user=world["officer"], kind="reply").exists()


def test_it_drops_private_items_from_a_digest_after_someone_leaves(
    world: Any, group: Any, secret: Thread
) -> None:
    services.post_add(thread=secret, author=world["outsider"], body="New figures.")
    public = public_thread(world)
    services.post_add(thread=public, author=world["outsider"], body="A public reply.")
    assert Notification.objects.filter(user=world["officer"]).count() == 2
    # The officer leaves the group before the digest goes out.
    group.memberships.filter(user=world["officer"]).update(role="member")
    services.member_remove(
        membership=group.memberships.get(user=world["officer"]), actor=world["officer"]
    )
    Message.objects.all().delete()
    notifications.digests_send("daily")
    digest = Message.objects.get(template="forum_digest", recipient=world["officer"].email)
    body = json.dumps(digest.personalisation)
    assert SECRET not in body and "Letters that work" in body
    # ...and from the notification list on the site.
    from whatworks.forum.selectors import notifications_for

    officer = type(world["officer"]).objects.get(pk=world["officer"].pk)
    assert [n.thread.title for n in notifications_for(officer)] == ["Letters that work"]


def test_it_refuses_a_post_from_outside_the_group_and_saves_nothing(
    world: Any, group: Any, secret: Thread
) -> None:
    with pytest.raises(ValidationError) as error:
        services.post_add(thread=secret, author=world["admin"], body="Let me in")
    assert "group" in str(error.value)
    with pytest.raises(ValidationError):
        services.thread_start(
            board=group_board(group), author=world["admin"], title="Hi", body="Let me in"
        )
    assert Post.objects.count() == 1
    assert Thread.objects.count() == 1


def test_it_refuses_a_post_from_outside_the_group_through_the_page(
    client_for: Any, world: Any, group: Any, secret: Thread
) -> None:
    client = client_for(world["admin"])
    response = client.post(reverse("forum-reply", kwargs={"pk": secret.pk}), {"body": "Hi"})
    assert response.status_code == 404
    board = group_board(group)
    response = client.post(
        reverse("forum-thread-new", kwargs={"slug": board.slug}), {"title": "x", "body": "y"}
    )
    assert response.status_code == 404
    assert Post.objects.count() == 1


def test_it_lets_someone_invited_join_and_then_see_it(
    client_for: Any, world: Any, group: Any, secret: Thread
) -> None:
    services.group_invite(group=group, actor=world["officer"], email=world["analyst"].email)
    client = client_for(world["analyst"])
    assert client.get(reverse("forum-thread", kwargs={"pk": secret.pk})).status_code == 404
    # The invitee sees the (unlisted) group's page to accept, but not its boards yet.
    html = client.get(reverse("forum-group", kwargs={"slug": group.slug})).content.decode()
    assert "Accept the invitation" in html and SECRET not in html
    client.post(reverse("forum-group-join", kwargs={"slug": group.slug}))
    assert client.get(reverse("forum-thread", kwargs={"pk": secret.pk})).status_code == 200


def test_it_keeps_an_organisations_own_board_to_its_members(client_for: Any, world: Any) -> None:
    client = client_for(world["admin"])
    response = client.post(
        reverse("forum-organisation-board-new", kwargs={"slug": world.org_a.slug}),
        {"name": "Wealden staff room", "description": "Just us"},
    )
    assert response.status_code == 302
    board = Board.objects.get(name="Wealden staff room")
    assert board.visibility == "private" and board.organisation == world.org_a
    thread = services.thread_start(
        board=board, author=world["volunteer"], title="Rota", body="Swap shifts?"
    )
    assert thread.visibility == "private"
    for persona in ("anonymous", "outsider", "moderator", "staff"):
        c = client_for(world[persona])
        assert c.get(reverse("forum-thread", kwargs={"pk": thread.pk})).status_code == 404
        assert b"Wealden staff room" not in c.get(reverse("forum-home")).content
    c = client_for(world["frontline"])
    assert b"Wealden staff room" in c.get(reverse("forum-home")).content
    assert c.get(reverse("forum-thread", kwargs={"pk": thread.pk})).status_code == 200
    with pytest.raises(ValidationError):
        services.post_add(thread=thread, author=world["outsider"], body="Let me in")
