"""Builders shared by the forum tests, the permission matrix and the browser tests."""

from __future__ import annotations

from typing import Any

from whatworks.forum import services
from whatworks.forum.models import Board, ForumGroup, GroupMembership, Thread
from whatworks.initiatives import services as register
from whatworks.initiatives.models import Initiative, Status


def public_board(world: Any) -> Board:
    found = Board.objects.filter(slug="housing").first()
    return found or services.board_create(
        actor=world["moderator"],
        name="Housing",
        kind=Board.Kind.SERVICE_AREA,
        service_area="housing",
        visibility="public",
    )


def failed_initiative(world: Any, *, visibility: str = "public") -> Initiative:
    """Organisation A's pilot that did not meet its goal, with its result published."""
    initiative = register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Rent arrears text reminders",
        summary="Texts before the rent was due",
        service_area="housing",
        visibility=visibility,
        collaborations=["public"],
    )
    goal = register.goal_add(
        initiative=initiative,
        actor=world["officer"],
        metric_name="Tenants in arrears",
        unit="%",
        direction="lower",
        baseline_value=12,
        baseline_period="2016",
        target_value=8,
        success_threshold=10,
    )
    for status in (Status.PLANNED, Status.STARTED, Status.EVALUATING):
        register.initiative_change_status(
            initiative=initiative, to_status=status, actor=world["officer"]
        )
    register.result_record(goal=goal, actor=world["officer"], value=11.8, design="before_after")
    register.initiative_change_status(
        initiative=initiative, to_status=Status.PUBLISHED, actor=world["officer"]
    )
    initiative.refresh_from_db()
    return initiative


def make_group(world: Any, *, listed: bool = False) -> ForumGroup:
    """A private (unlisted) group: A's officer (admin) and B's admin (the outsider)."""
    group = services.group_create(
        actor=world["officer"],
        name="Wealden and Lambeth care partnership",
        description="Integrated care",
        joining="request",
        listed=listed,
    )
    GroupMembership.objects.create(group=group, user=world["outsider"])
    for person in (world["officer"], world["outsider"]):
        person.__dict__.pop("_forum_group_ids", None)
    return group


def group_board(group: ForumGroup) -> Board:
    return group.boards.get()


def group_thread(world: Any, group: ForumGroup, *, title: str = "Discharge delays") -> Thread:
    return services.thread_start(
        board=group_board(group),
        author=world["officer"],
        title=title,
        body="Confidential: the hospital discharge figures are worse than reported.",
    )


def public_thread(world: Any, *, title: str = "Letters that work") -> Thread:
    return services.thread_start(
        board=public_board(world),
        author=world["officer"],
        title=title,
        body="Our rewritten arrears letters cut calls by a third.",
    )
