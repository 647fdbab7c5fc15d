"""Chasers: sustainability follow-ups at 12, 24 and 36 months, and results due (one ladder, in
due.py: the owner, then the organisation's admins)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from whatworks.core.messaging import message_queue
from whatworks.core.models import Channel
from whatworks.initiatives.models import Initiative, SustainabilityCheck
from whatworks.organisations.models import Role, User, site_url


def _owners(initiative: Initiative) -> list[User]:
    """Who is asked: the organisation's admins and the person who registered it (if a member)."""
    people = list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=initiative.organisation_id,
            memberships__role=Role.ADMIN,
        )
    )
    creator = initiative.created_by
    if (
        creator
        and creator.is_active
        and creator.memberships.filter(organisation=initiative.organisation_id).exists()
        and creator not in people
    ):
        people.append(creator)
    return people


@db_periodic_task(crontab(hour="7", minute="0"))
def ask_sustainability_questions() -> int:
    """Ask owners whose 12/24/36-month follow-up has fallen due. Each check is asked once."""
    asked = 0
    due = SustainabilityCheck.objects.filter(
        due_on__lte=timezone.localdate(), asked_at__isnull=True
    ).select_related("initiative")
    for check in due:
        with transaction.atomic():
            link = site_url(reverse("sustainability-answer", kwargs={"pk": check.pk}))
            for person in _owners(check.initiative):
                message_queue(
                    channel=Channel.EMAIL,
                    recipient=person.email,
                    template="sustainability_check",
                    personalisation={
                        "name": person.full_name,
                        "title": check.initiative.title,
                        "months": check.months_after,
                        "link": link,
                    },
                )
            check.asked_at = timezone.now()
            check.save(update_fields=["asked_at"])
        asked += 1
    return asked


@db_periodic_task(crontab(hour="7", minute="30"))
def remind_results_due() -> int:
    """Goals past their judge-by date with no result: the owner, then the admins (once each)."""
    from whatworks.initiatives.due import send_reminders

    reminded, escalated = send_reminders()
    return reminded + escalated
