"""Votes sent at the same moment: the database decides, so none is counted twice.

PostgreSQL only: the test database on SQLite is in memory and shared between threads in a
way that does not model separate connections (bench/ideas.py covers SQLite under load).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.ideas.support import campaign_for, idea_by
from whatworks.ideas import identity, services
from whatworks.ideas.models import Ballot, Vote, VoteMode

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
ATTEMPTS = 6


def _at_once(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls in threads released together; return 'ok' or the error code of each."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            call()
            results.append("ok")
        except ValidationError as error:
            results.append(error.error_dict["dots"][0].code or "refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_it_counts_one_of_many_simultaneous_votes_by_one_person(world):
    campaign = campaign_for(world)
    idea = idea_by(world, "officer", campaign)
    who = identity.for_user(campaign.pk, world["frontline"])
    results = _at_once([lambda: services.vote_cast(idea=idea, who=who)] * ATTEMPTS)
    assert sorted(results) == ["already_voted"] * (ATTEMPTS - 1) + ["ok"]
    assert Vote.objects.filter(idea=idea).count() == 1


def test_it_keeps_simultaneous_dots_within_the_budget(world):
    campaign = campaign_for(world, vote_mode=VoteMode.DOTS, dot_budget=3)
    ideas = [idea_by(world, "officer", campaign, title=f"Idea {n}") for n in range(ATTEMPTS)]
    who = identity.for_user(campaign.pk, world["frontline"])
    calls = [lambda idea=idea: services.vote_cast(idea=idea, who=who, dots=1) for idea in ideas]
    results = _at_once(calls)
    assert results.count("ok") == 3 and results.count("no_dots") == ATTEMPTS - 3
    assert sum(Vote.objects.filter(campaign=campaign).values_list("dots", flat=True)) == 3
    assert Ballot.objects.get(campaign=campaign).dots_used == 3
