"""Rules turn answers and outcomes into actions: messages through the outbox and a task for
the coordinator with a deadline. Rules are rows the coordinator edits (EscalationRule).

Minimum necessary: a task's summary and every message name the person by reference only
(the task page fetches the person, under the same rules as their record). Messages carry no
health details: who visited, when, and whom to call. A GP practice is emailed only at an
address the coordinator verified (PracticeAddress), with a reference to quote on the phone:
never a name or an NHS number. The outbox keeps a message that fails with its error and
retries it, so a concern is never silently dropped; once delivered, a message with personal
data keeps only its metadata.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins.models import (
    Channel,
    Escalation,
    EscalationRule,
    EscalationStatus,
    EscalationStatusChange,
    Outcome,
    PlannedVisit,
    PracticeAddress,
    Resident,
    Scheme,
    SchemeRole,
    Trigger,
    Visit,
)
from whatworks.checkins.validation import display_phone, is_mobile
from whatworks.core import audit
from whatworks.core.messaging import message_queue

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "A concern at a visit",
        "trigger": Trigger.OUTCOME,
        "outcome": Outcome.CONCERN,
        "notify_contact": True,
        "notify_gp": True,
        "channel": Channel.SMS,
        "deadline_hours": 24,
    },
    {
        "name": "No answer on two visits in a row",
        "trigger": Trigger.NO_ANSWER_STREAK,
        "streak": 2,
        "notify_contact": True,
        "channel": Channel.SMS,
        "deadline_hours": 8,  # the same working day
    },
    {
        "name": "A planned visit was missed",
        "trigger": Trigger.MISSED,
        "deadline_hours": 24,
    },
]


def _site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _coordinator_emails(scheme: Scheme) -> list[str]:
    return list(
        SchemeRole.objects.filter(scheme=scheme, role="coordinator")
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )


def _contact_channel(rule: EscalationRule, phone: str, email: str) -> tuple[str, str]:
    """The rule's channel when the contact can take it (a text needs a mobile), else the other."""
    can_text = bool(phone) and is_mobile(phone)
    if rule.channel == Channel.SMS and can_text:
        return Channel.SMS, phone
    if email:
        return Channel.EMAIL, email
    return (Channel.SMS, phone) if can_text else ("", "")


def _notify_contacts(rule: EscalationRule, resident: Resident, context: dict[str, Any]) -> int:
    sent = 0
    for contact in resident.contacts.all():
        channel, recipient = _contact_channel(rule, contact.phone, contact.email)
        if recipient:
            message_queue(
                channel=channel,
                recipient=recipient,
                template="checkins_contact",
                personalisation={**context, "contact_name": contact.name},
                about=resident.message_subject,
                personal=True,
            )
            sent += 1
    return sent


def _notify_practice(resident: Resident, escalation: Escalation, context: dict[str, Any]) -> str:
    """Email the person's GP practice at its verified address; say what happened."""
    practice = (
        PracticeAddress.objects.filter(
            scheme_id=resident.scheme_id, ods_code=resident.gp_practice_ods
        ).first()
        if resident.gp_practice_ods
        else None
    )
    if practice is None:
        return "no verified email for the GP practice: call them"
    message_queue(
        channel=Channel.EMAIL,
        recipient=practice.email,
        template="checkins_gp",
        personalisation={
            "scheme": context["scheme"],
            "date": context["date"],
            "coordinator_phone": context["coordinator_phone"],
            "practice": practice.name,
            "reference": escalation.reference,
        },
        about=resident.message_subject,
        personal=True,
    )
    return "GP practice told (by reference)"


def raise_escalation(
    *, rule: EscalationRule, resident: Resident, summary: str, visit: Visit | None = None
) -> Escalation:
    """Open a coordinator task for `rule` and queue its messages (in the caller's transaction)."""
    now = timezone.now()
    escalation = Escalation.objects.create(
        scheme_id=resident.scheme_id,
        resident=resident,
        visit=visit,
        rule=rule,
        trigger=rule.trigger,
        summary=summary[:300],
        due_at=now + timedelta(hours=rule.deadline_hours),
    )
    EscalationStatusChange.objects.create(
        escalation=escalation, status=EscalationStatus.OPEN, note=f"Raised by the rule '{rule}'."
    )
    scheme = resident.scheme
    context = {
        "scheme": scheme.name,
        "first_name": resident.given_name,
        "date": (visit.visited_on if visit else now.date()).strftime("%-d %B %Y"),
        "coordinator_phone": display_phone(scheme.coordinator_phone)
        or "the number on your scheme letter",
    }
    notes = []
    if rule.notify_contact:
        told = _notify_contacts(rule, resident, context)
        notes.append(
            f"{told} nominated contact(s) told"
            if told
            else "no mobile or email for the nominated contacts: call them"
        )
    if rule.notify_gp:
        notes.append(_notify_practice(resident, escalation, context))
    if rule.notify_coordinator:
        for email in _coordinator_emails(scheme):
            message_queue(
                channel=Channel.EMAIL,
                recipient=email,
                template="checkins_task",
                # No name or note in the email: the details stay behind the sign-in.
                personalisation={
                    "scheme": scheme.name,
                    "rule": rule.name,
                    "due": timezone.localtime(escalation.due_at).strftime("%-d %B %Y %H:%M"),
                    "link": _site_url(escalation.get_absolute_url()),
                },
                about=resident.message_subject,
            )
    if notes:
        EscalationStatusChange.objects.create(
            escalation=escalation, status=EscalationStatus.OPEN, note="; ".join(notes) + "."
        )
    audit.record(
        "checkins.escalation.raised",
        obj=escalation,
        organisation=scheme.organisation,
        detail={"rule": rule.pk, "trigger": rule.trigger},
        personal_data=True,
    )
    return escalation


def _no_answer_streak(visit: Visit) -> int:
    outcomes = list(
        Visit.objects.filter(resident_id=visit.resident_id)
        .order_by("-visited_on", "-recorded_at", "-id")
        .values_list("outcome", flat=True)[:10]
    )
    streak = 0
    for outcome in outcomes:
        if outcome != Outcome.NO_ANSWER:
            break
        streak += 1
    return streak


def evaluate_visit(visit: Visit, answers_by_code: dict[str, str]) -> list[Escalation]:
    resident = visit.resident
    raised = []
    streak: int | None = None
    for rule in EscalationRule.objects.filter(scheme_id=resident.scheme_id, is_active=True):
        # Summaries by reference: the task page shows who, and the visit's note, to those
        # who may see the record; the summary itself travels into lists and emails.
        summary = ""
        day = visit.visited_on.strftime("%-d %B %Y")
        if rule.trigger == Trigger.OUTCOME and visit.outcome == rule.outcome:
            summary = f"{visit.get_outcome_display()} at a visit on {day}"
        elif rule.trigger == Trigger.ANSWER and rule.question_code:
            answer = answers_by_code.get(rule.question_code)
            if answer is not None and answer.strip().lower() == rule.answer_value.strip().lower():
                summary = f"An answer at a visit on {day} met the rule '{rule.name}'"
        elif rule.trigger == Trigger.NO_ANSWER_STREAK and visit.outcome == Outcome.NO_ANSWER:
            streak = _no_answer_streak(visit) if streak is None else streak
            if streak == rule.streak:  # once per run of no-answers, not at every later one
                summary = f"No answer at the door on {streak} visits in a row"
        if summary:
            raised.append(
                raise_escalation(rule=rule, resident=resident, summary=summary, visit=visit)
            )
    return raised


def missed_visits_flag(day: date) -> int:
    """Flag planned visits on `day` that nobody recorded, to each scheme's coordinator."""
    recorded = Visit.objects.filter(resident_id=OuterRef("resident_id"), visited_on=day)
    already = Escalation.objects.filter(
        resident_id=OuterRef("resident_id"), trigger=Trigger.MISSED, created_at__date__gte=day
    )
    missed = (
        PlannedVisit.objects.filter(on=day)
        .exclude(Exists(recorded))
        .exclude(Exists(already))
        .select_related("resident__scheme", "round")
    )
    rules = {
        rule.scheme_id: rule
        for rule in EscalationRule.objects.filter(trigger=Trigger.MISSED, is_active=True)
    }
    count = 0
    for planned in missed:
        rule = rules.get(planned.resident.scheme_id)
        if rule is None:
            continue
        # Each escalation with its messages, or none of it: a half-written one would be
        # skipped by later runs with nobody told.
        with transaction.atomic():
            raise_escalation(
                rule=rule,
                resident=planned.resident,
                summary=f"A planned visit on {planned.round} was missed "
                f"on {day.strftime('%-d %B %Y')}",
            )
        count += 1
    return count


def overdue_chase(now: datetime | None = None) -> int:
    """Remind coordinators of open escalations past their deadline, at most once a day each."""
    now = now or timezone.now()
    overdue = Escalation.objects.filter(status=EscalationStatus.OPEN, due_at__lt=now).exclude(
        last_chased_at__gt=now - timedelta(hours=24)
    )
    count = 0
    for escalation in overdue.select_related("scheme", "rule"):
        with transaction.atomic():  # the chase and its record together: never sent twice
            _chase(escalation, now)
        count += 1
    return count


def _chase(escalation: Escalation, now: datetime) -> None:
    for email in _coordinator_emails(escalation.scheme):
        message_queue(
            channel=Channel.EMAIL,
            recipient=email,
            template="checkins_chase",
            personalisation={
                "scheme": escalation.scheme.name,
                "rule": escalation.rule.name
                if escalation.rule
                else escalation.get_trigger_display(),
                "days": max(0, (now - escalation.due_at).days),
                "link": _site_url(reverse("checkins-escalation", kwargs={"pk": escalation.pk})),
            },
        )
    Escalation.objects.filter(pk=escalation.pk).update(
        last_chased_at=now, chase_count=escalation.chase_count + 1
    )
    EscalationStatusChange.objects.create(
        escalation=escalation,
        status=EscalationStatus.OPEN,
        note="Overdue: coordinators chased.",
    )
