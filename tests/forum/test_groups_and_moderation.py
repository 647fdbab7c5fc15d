"""Groups (requests, invitations, admins), champions and moderation, all in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.forum.helpers import make_group, public_thread
from whatworks.core.models import AuditEvent
from whatworks.forum import services
from whatworks.forum.models import (
    Champion,
    GroupMembership,
    JoinRequest,
    Notification,
    Report,
)


def test_it_takes_a_request_to_join_a_listed_group_and_an_admin_answers(world: Any) -> None:
    group = make_group(world, listed=True)
    request = services.group_join(group=group, user=world["analyst"])
    assert request.kind == JoinRequest.Kind.REQUEST
    assert Notification.objects.filter(user=world["officer"], kind="group").exists()
    with pytest.raises(ValidationError):  # a member who is not an admin cannot answer
        services.join_answer(join_request=request, actor=world["outsider"], accept=True)
    services.join_answer(join_request=request, actor=world["officer"], accept=True)
    assert GroupMembership.objects.filter(group=group, user=world["analyst"]).exists()
    assert AuditEvent.objects.filter(action="forum.group_request_answered").exists()


def test_it_refuses_requests_to_an_invitation_only_group(world: Any) -> None:
    group = services.group_create(
        actor=world["admin"], name="Champions", joining="invitation", listed=True
    )
    with pytest.raises(ValidationError):
        services.group_join(group=group, user=world["outsider"])
    assert not JoinRequest.objects.filter(group=group).exists()


def test_it_keeps_at_least_one_admin(world: Any, group: Any) -> None:
    admin = group.memberships.get(user=world["officer"])
    with pytest.raises(ValidationError):
        services.member_remove(membership=admin, actor=world["officer"])
    with pytest.raises(ValidationError):
        services.member_set_role(membership=admin, actor=world["officer"], role="member")
    member = group.memberships.get(user=world["outsider"])
    services.member_set_role(membership=member, actor=world["officer"], role="admin")
    services.member_remove(membership=admin, actor=world["outsider"])
    assert list(group.memberships.values_list("user", flat=True)) == [world["outsider"].pk]


def test_it_lets_only_group_admins_invite(world: Any, group: Any) -> None:
    with pytest.raises(ValidationError):
        services.group_invite(group=group, actor=world["outsider"], email=world["admin"].email)
    with pytest.raises(ValidationError) as error:
        services.group_invite(group=group, actor=world["officer"], email="nobody@example.org")
    assert "email" in error.value.message_dict
    assert not JoinRequest.objects.exists()


def test_it_names_champions_and_finds_them_by_area_type_and_region(
    client_for: Any, world: Any
) -> None:
    from tests.factories import LocalAuthorityFactory

    world.org_a.local_authority = LocalAuthorityFactory(region="South East")
    world.org_a.save()
    services.champion_name(
        organisation=world.org_a,
        actor=world["admin"],
        person=world["officer"],
        service_areas=["housing", "waste"],
        note="Partners for welfare checks",
    )
    with pytest.raises(ValidationError):  # not a member of organisation A
        services.champion_name(
            organisation=world.org_a,
            actor=world["admin"],
            person=world["outsider"],
            service_areas=["housing"],
            note="",
        )
    with pytest.raises(ValidationError):  # only A's admins name A's champions
        services.champion_name(
            organisation=world.org_a,
            actor=world["officer"],
            person=world["analyst"],
            service_areas=["housing"],
            note="",
        )
    client = client_for(None)
    url = reverse("forum-champions")
    name = world["officer"].full_name
    assert name in client.get(url, {"service_area": "waste"}).content.decode()
    assert name not in client.get(url, {"service_area": "libraries"}).content.decode()
    assert name in client.get(url, {"council_type": "NMD", "region": "South East"}).content.decode()
    assert Champion.objects.count() == 1


def test_it_sends_champions_a_weekly_summary_of_other_councils_records(world: Any) -> None:
    from tests.forum.helpers import failed_initiative
    from whatworks.core.models import Message
    from whatworks.forum.notifications import champion_summaries_send

    services.champion_name(
        organisation=world.org_b,
        actor=world["outsider"],
        person=world["outsider"],
        service_areas=["housing"],
        note="",
    )
    failed_initiative(world)  # organisation A's housing record
    failed_initiative(world, visibility="private")  # never in B's summary
    assert champion_summaries_send() == 1
    summary = Message.objects.get(template="forum_champion_summary")
    assert [r["title"] for r in summary.personalisation["records"]] == [
        "Rent arrears text reminders"
    ]
    assert champion_summaries_send() == 0  # nothing new since


def test_it_reports_hides_with_a_visible_reason_and_audits(client_for: Any, world: Any) -> None:
    thread = public_thread(world)
    post = thread.posts.get()
    report = services.post_report(post=post, reporter=world["outsider"], reason="Names a tenant")
    queue = client_for(world["moderator"]).get(reverse("forum-moderation")).content.decode()
    assert "Names a tenant" in queue
    with pytest.raises(ValidationError):
        services.post_hide(post=post, actor=world["admin"], reason="I dislike it")
    with pytest.raises(ValidationError):
        services.post_hide(post=post, actor=world["moderator"], reason="")
    services.post_hide(post=post, actor=world["moderator"], reason="Named a tenant")
    report.refresh_from_db()
    assert report.state == Report.State.HIDDEN
    html = client_for(world["admin"]).get(reverse("forum-thread", kwargs={"pk": thread.pk}))
    assert b"Hidden by a moderator: Named a tenant" in html.content
    assert b"cut calls by a third" not in html.content
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"forum.post_reported", "forum.post_hidden", "forum.moderation_queue_viewed"} <= actions


def test_it_never_shows_a_private_report_to_a_moderator_outside(
    client_for: Any, world: Any, group: Any
) -> None:
    from tests.forum.helpers import group_thread

    post = group_thread(world, group).posts.get()
    services.post_report(post=post, reporter=world["outsider"], reason="Discharge leak detail")
    queue = client_for(world["moderator"]).get(reverse("forum-moderation")).content.decode()
    assert "A post in a private thread" in queue
    assert "Discharge" not in queue


def test_it_refuses_suspensions_without_a_reason_or_by_non_moderators(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.person_suspend(person=world["admin"], actor=world["officer"], days=3, reason="x")
    with pytest.raises(ValidationError):
        services.person_suspend(person=world["admin"], actor=world["moderator"], days=3, reason="")
    with pytest.raises(ValidationError):
        services.person_suspend(
            person=world["admin"], actor=world["moderator"], days=0, reason="Abuse"
        )
