"""Demo data for the forum app (DEBUG only; idempotent): boards by service area and by
collaboration type, a question on the register's one failure (Barnet's external waste
service) from Lambeth, answered; a private group between Wealden and Lambeth; champions.

Everything is written through the forum's services, so the demo obeys the same rules.
"""

from __future__ import annotations

from django.db import transaction

from whatworks.core.demo import refuse_unless_debug
from whatworks.forum import services
from whatworks.forum.models import Board, Champion, ForumGroup, GroupMembership, Thread
from whatworks.initiatives.models import Collaboration, Initiative, ServiceArea
from whatworks.organisations.models import Organisation, User

AREA_BOARDS = ["waste", "housing", "adult_care", "health_integration", "community_safety"]


def _person(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _boards(moderator: User) -> int:
    made = 0
    for area in AREA_BOARDS:
        if not Board.objects.filter(kind=Board.Kind.SERVICE_AREA, service_area=area).exists():
            services.board_create(
                actor=moderator,
                name=ServiceArea(area).label,
                description="What councils and partners are trying in "
                f"{ServiceArea(area).label.lower()}.",
                kind=Board.Kind.SERVICE_AREA,
                service_area=area,
            )
            made += 1
    for value, label in Collaboration.choices:
        if not Board.objects.filter(kind=Board.Kind.COLLABORATION, collaboration=value).exists():
            services.board_create(
                actor=moderator,
                name=f"Collaboration {label.lower()}",
                description="Finding partners and making joint work stick.",
                kind=Board.Kind.COLLABORATION,
                collaboration=value,
            )
            made += 1
    return made


@transaction.atomic
def load_demo() -> str:
    """Create the demo records; returns a one-line summary for load_demo_data."""
    refuse_unless_debug()
    moderator = _person("moderator@whatworks.demo")
    wealden_officer = _person("officer@wealden.demo")
    wealden_admin = _person("admin@wealden.demo")
    lambeth = _person("officer@lambeth.demo")
    if not (moderator and wealden_officer and wealden_admin and lambeth):
        return "Forum: demo people missing; nothing created."
    boards = _boards(moderator)

    threads = 0
    waste = Board.objects.get(kind=Board.Kind.SERVICE_AREA, service_area="waste")
    if not Thread.objects.filter(board=waste).exists():
        thread = services.thread_start(
            board=waste,
            author=wealden_officer,
            title="Four-day refuse rounds: what happened to sickness absence?",
            body="We moved to four longer shifts a week. Fuel and vehicle costs fell; "
            "has anyone measured **sickness absence** before and after?",
        )
        services.post_add(
            thread=thread,
            author=lambeth,
            body="Not yet. @Olu-Officer, could you share your baseline period?",
        )
        threads += 1

    failed = Initiative.objects.filter(
        title="Waste and recycling run by an external provider"
    ).first()
    if failed is not None and not Thread.objects.filter(initiative=failed).exists():
        question = services.question_ask(
            initiative=failed,
            author=lambeth,
            anchor="lessons",
            title="What would you put in the contract next time?",
            body="We are about to retender. Which clauses would have let you measure the "
            "savings as the service ran?",
        )
        threads += 1
        owner = User.objects.filter(
            memberships__organisation=failed.organisation, memberships__role="admin"
        ).first()
        if owner is not None:
            answer = services.post_add(
                thread=question,
                author=owner,
                body="Monthly tonnage and missed-bin figures, reported against the baseline, "
                "with a break clause tied to them.",
            )
            services.answer_accept(post=answer, actor=lambeth)

    group = ForumGroup.objects.filter(slug="wealden-and-lambeth-care-partnership").first()
    if group is None:
        group = services.group_create(
            actor=wealden_officer,
            name="Wealden and Lambeth care partnership",
            description="A private group for the two councils' integrated care teams.",
            joining=ForumGroup.Joining.INVITATION,
            listed=False,
        )
        GroupMembership.objects.get_or_create(group=group, user=lambeth)
        services.thread_start(
            board=group.boards.get(),
            author=wealden_officer,
            title="Discharge figures before the board meeting",
            body="Only for the partnership: the draft figures are in the shared folder.",
        )
        threads += 1

    champions = 0
    wealden = Organisation.objects.filter(name="Wealden District Council").first()
    if wealden and not Champion.objects.filter(organisation=wealden).exists():
        services.champion_name(
            organisation=wealden,
            actor=wealden_admin,
            person=wealden_officer,
            service_areas=["housing", "health_integration"],
            note="Postal and housing partners for welfare checks.",
        )
        champions += 1
    return (
        f"Forum: {boards} boards, {threads} threads and questions, {champions} champions created."
    )
