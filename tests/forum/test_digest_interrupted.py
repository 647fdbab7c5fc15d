"""A digest run that dies part way (a consumer killed between chunks) loses and doubles
nothing: each chunk's emails and its "sent" marks are one transaction, so the next run
sends exactly the digests the dead one had not (issue 18)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.factories import MembershipFactory
from tests.forum.helpers import public_thread
from whatworks.core.models import Message
from whatworks.forum import notifications, services

PEOPLE = 7


class ConsumerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing on the way catches it."""


def test_a_digest_run_killed_between_chunks_sends_each_digest_once(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = public_thread(world)
    readers = [MembershipFactory(organisation=world.org_b).user for _ in range(PEOPLE)]
    for reader in readers:
        services.watch_set(user=reader, kind="thread", on=True, thread=thread)
    services.post_add(thread=thread, author=world["outsider"], body="What did it cost?")
    expected = {r.email for r in readers} | {world["officer"].email}  # and the thread's author

    monkeypatch.setattr(notifications, "DIGEST_CHUNK", 3)
    real_chunk = notifications._digest_chunk
    calls = {"n": 0}

    def dies_on_the_second_chunk(*args: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConsumerKilled
        return real_chunk(*args)

    monkeypatch.setattr(notifications, "_digest_chunk", dies_on_the_second_chunk)
    with pytest.raises(ConsumerKilled):
        notifications.digests_send("daily")
    first = Counter(
        Message.objects.filter(template="forum_digest").values_list("recipient", flat=True)
    )
    assert sum(first.values()) == 3  # the first chunk only, whole

    monkeypatch.setattr(notifications, "_digest_chunk", real_chunk)
    assert notifications.digests_send("daily") == len(expected) - 3
    sent = Counter(
        Message.objects.filter(template="forum_digest").values_list("recipient", flat=True)
    )
    assert set(sent) == expected and set(sent.values()) == {1}
    assert notifications.digests_send("daily") == 0
