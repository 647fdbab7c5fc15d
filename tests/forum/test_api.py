"""The forum API: public reads without credentials, problem+json for bad input."""

from __future__ import annotations

from typing import Any

from tests.forum.helpers import public_thread
from whatworks.forum import services


def test_it_lists_boards_threads_posts_and_questions(client_for: Any, world: Any) -> None:
    thread = public_thread(world)
    client = client_for(None)
    boards = client.get("/api/forum/boards").json()
    assert [b["slug"] for b in boards["items"]] == ["housing"]
    threads = client.get("/api/forum/boards/housing/threads").json()
    assert threads["items"][0]["title"] == "Letters that work"
    data = client.get(f"/api/forum/threads/{thread.pk}").json()
    assert data["posts"][0]["body_html"].startswith("<p>Our rewritten")


def test_it_hides_a_hidden_posts_text(client_for: Any, world: Any) -> None:
    thread = public_thread(world)
    services.post_hide(post=thread.posts.get(), actor=world["moderator"], reason="Spam")
    post = client_for(None).get(f"/api/forum/threads/{thread.pk}").json()["posts"][0]
    assert post["body_html"] is None and post["hidden_reason"] == "Spam"


def test_it_answers_bad_input_with_a_problem(client_for: Any, world: Any) -> None:
    thread = public_thread(world)
    response = client_for(None).get(f"/api/forum/threads/{thread.pk}", {"page": 0})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "query.page"
    missing = client_for(None).get("/api/forum/threads/999999")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
