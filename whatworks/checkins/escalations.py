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

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

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
    PracticeAddress,
    PracticeNaming,
    Resident,
    Scheme,
    SchemeRole,
    Trigger,
    Urgency,
    Visit,
)
from whatworks.checkins.validation import display_phone, is_mobile
from whatworks.core import audit
from whatworks.core.links import absolute_url
from whatworks.core.messaging import message_queue

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "In danger now: an emergency",
        "trigger": Trigger.OUTCOME,
        "outcome": Outcome.EMERGENCY,
        "notify_contact": True,
        "channel": Channel.SMS,
        "deadline_hours": 1,
        "urgency": Urgency.EMERGENCY,
    },
    {
        "name": "A concern at a visit",
        "trigger": Trigger.OUTCOME,
        "outcome": Outcome.CONCERN,
        "notify_contact": True,
        "notify_gp": True,
        "channel": Channel.SMS,
        "deadline_hours": 24,
        "urgency": Urgency.SAME_DAY,
    },
    {
        "name": "No answer on two visits in a row",
        "trigger": Trigger.NO_ANSWER_STREAK,
        "streak": 2,
        "notify_contact": True,
        "channel": Channel.SMS,
        "deadline_hours": 8,  # the same working day
        "urgency": Urgency.SAME_DAY,
    },
    {
        "name": "A planned visit was missed",
        "trigger": Trigger.MISSED,
        "deadline_hours": 24,
        "urgency": Urgency.WITHIN_DAYS,
    },
]


@dataclass(frozen=True)
class Rung:
    """One urgency's place on the escalation ladder."""

    deadline: timedelta | None  # the longest deadline (None: the rule's own hours)
    end_of_day: bool  # the deadline is at the latest the end of the day it was raised
    first_chase: timedelta | None  # after raising (None: at the deadline)
    every: timedelta  # then, while the task is open
    text: bool  # the coordinators are texted (as well as emailed), at once and at each chase


LADDER: dict[str, Rung] = {
    # Someone is in danger: the worker calls 999 or 111 on the doorstep; the coordinator is
    # texted at once and every half hour until the task is closed.
    Urgency.EMERGENCY: Rung(
        deadline=timedelta(hours=1),
        end_of_day=False,
        first_chase=timedelta(minutes=30),
        every=timedelta(minutes=30),
        text=True,
    ),
    # Needs someone today: due by the end of the day, chased every two hours from raising.
    Urgency.SAME_DAY: Rung(
        deadline=None,
        end_of_day=True,
        first_chase=timedelta(hours=2),
        every=timedelta(hours=2),
        text=False,
    ),
    # Within days: chased once the deadline passes, then daily.
    Urgency.WITHIN_DAYS: Rung(
        deadline=None, end_of_day=False, first_chase=None, every=timedelta(hours=24), text=False
    ),
}


def deadline_for(urgency: str, deadline_hours: int, now: datetime) -> datetime:
    rung = LADDER.get(urgency, LADDER[Urgency.WITHIN_DAYS])
    due = now + timedelta(hours=deadline_hours)
    if rung.deadline is not None:
        due = min(due, now + rung.deadline)
    if rung.end_of_day:
        local = timezone.localtime(now)
        end = timezone.make_aware(
            datetime.combine(local.date(), time(23, 59)), timezone.get_current_timezone()
        )
        due = min(due, max(end, now + timedelta(hours=1)))
    return due


def first_chase_at(urgency: str, raised: datetime, due: datetime) -> datetime:
    rung = LADDER.get(urgency, LADDER[Urgency.WITHIN_DAYS])
    return raised + rung.first_chase if rung.first_chase is not None else due


def alert_mobile(scheme: Scheme) -> str:
    """The mobile texted at an emergency: the scheme's alert mobile, else the coordinator's
    phone when it is a mobile ("" when there is none: the task says so)."""
    if scheme.alert_mobile:
        return scheme.alert_mobile
    phone = scheme.coordinator_phone
    return phone if phone and is_mobile(phone) else ""


def _text_coordinator(scheme: Scheme, escalation: Escalation, template: str) -> bool:
    mobile = alert_mobile(scheme)
    if not mobile:
        return False
    # No name and no health detail in a text: the scheme, the urgency, the task's link.
    message_queue(
        channel=Channel.SMS,
        recipient=mobile,
        template=template,
        personalisation={
            "scheme": scheme.name,
            "reference": escalation.reference,
            "link": absolute_url(escalation.get_absolute_url()),
        },
        about=escalation.resident.message_subject,
    )
    return True


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


def practice_for(resident: Resident) -> PracticeAddress | None:
    """The verified entry for the person's GP practice, found the way the scheme names
    practices: by ODS code, or by name from its own list."""
    practices = PracticeAddress.objects.filter(scheme_id=resident.scheme_id)
    if resident.scheme.gp_practices == PracticeNaming.OWN:
        name = resident.gp_practice_name
        return practices.filter(ods_code="", name=name).first() if name else None
    code = resident.gp_practice_ods
    return practices.filter(ods_code=code).first() if code else None


def _notify_practice(resident: Resident, escalation: Escalation, context: dict[str, Any]) -> str:
    """Email the person's GP practice at its verified address; say what happened."""
    practice = practice_for(resident)
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
    *,
    rule: EscalationRule,
    resident: Resident,
    summary: str,
    visit: Visit | None = None,
    worker_actions: list[str] | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Open a coordinator task for `rule` and queue its messages (in the caller's transaction).
    An emergency texts the coordinator at once; its deadline and chases follow LADDER."""
    now = now or timezone.now()
    due = deadline_for(rule.urgency, rule.deadline_hours, now)
    escalation = Escalation.objects.create(
        scheme_id=resident.scheme_id,
        resident=resident,
        visit=visit,
        rule=rule,
        trigger=rule.trigger,
        urgency=rule.urgency,
        summary=summary[:300],
        due_at=due,
        next_chase_at=first_chase_at(rule.urgency, now, due),
        created_at=now,
        worker_actions=list(worker_actions or []) if rule.urgency == Urgency.EMERGENCY else [],
    )
    EscalationStatusChange.objects.create(
        escalation=escalation,
        status=EscalationStatus.OPEN,
        note=f"Raised by the rule '{rule}'.",
        at=now,
    )
    scheme = resident.scheme
    if escalation.is_emergency:
        texted = _text_coordinator(scheme, escalation, "checkins_emergency")
        EscalationStatusChange.objects.create(
            escalation=escalation,
            status=EscalationStatus.OPEN,
            note="Emergency: the coordinator's mobile was texted at once."
            if texted
            else "Emergency: no mobile for emergency alerts is set, so the coordinators "
            "were emailed only. Add one to the scheme.",
            at=now,
        )
        if escalation.worker_actions:
            EscalationStatusChange.objects.create(
                escalation=escalation,
                status=EscalationStatus.OPEN,
                note=worker_actions_note(escalation.worker_action_labels),
                at=now,
            )
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
    if rule.notify_coordinator or escalation.is_emergency:
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
                    "link": absolute_url(escalation.get_absolute_url()),
                },
                about=resident.message_subject,
            )
    if notes:
        EscalationStatusChange.objects.create(
            escalation=escalation, status=EscalationStatus.OPEN, note="; ".join(notes) + ".", at=now
        )
    audit.record(
        "checkins.escalation.raised",
        obj=escalation,
        organisation=scheme.organisation,
        detail={"rule": rule.pk, "trigger": rule.trigger, "urgency": rule.urgency},
        personal_data=True,
    )
    return escalation


def worker_actions_note(labels: list[str]) -> str:
    """'The worker said: I called 999; I called their nominated contact.'"""
    return "The worker said: " + "; ".join(labels) + "." if labels else ""


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


def evaluate_visit(
    visit: Visit, answers_by_code: dict[str, str], worker_actions: list[str] | None = None
) -> list[Escalation]:
    resident = visit.resident
    raised = []
    streak: int | None = None
    active = list(EscalationRule.objects.filter(scheme_id=resident.scheme_id, is_active=True))
    if visit.outcome == Outcome.EMERGENCY and not any(
        r.trigger == Trigger.OUTCOME and r.outcome == Outcome.EMERGENCY for r in active
    ):
        # An emergency always reaches the coordinator, even if its rule was switched off.
        active.insert(0, emergency_rule(resident.scheme_id))
    for rule in active:
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
                raise_escalation(
                    rule=rule,
                    resident=resident,
                    summary=summary,
                    visit=visit,
                    worker_actions=worker_actions,
                )
            )
    return raised


def emergency_rule(scheme_id: int) -> EscalationRule:
    """The scheme's emergency rule, made again from the default if it was removed."""
    spec = DEFAULT_RULES[0]
    rule, _ = EscalationRule.objects.get_or_create(
        scheme_id=scheme_id,
        trigger=Trigger.OUTCOME,
        outcome=Outcome.EMERGENCY,
        is_active=True,
        defaults={k: v for k, v in spec.items() if k not in ("trigger", "outcome")},
    )
    return rule


def emergency_rules_for(scheme_id: int) -> dict[str, Any]:
    """What the worker's page needs to show the 999/111 guidance the moment an emergency
    answer or outcome is chosen, with no connection: outcomes and answers (by question code)
    whose active rule is an emergency."""
    outcomes = {Outcome.EMERGENCY.value}
    answers: dict[str, set[str]] = {}
    for trigger, outcome, code, value in EscalationRule.objects.filter(
        scheme_id=scheme_id, is_active=True, urgency=Urgency.EMERGENCY
    ).values_list("trigger", "outcome", "question_code", "answer_value"):
        if trigger == Trigger.OUTCOME and outcome:
            outcomes.add(outcome)
        elif trigger == Trigger.ANSWER and code:
            answers.setdefault(code, set()).add(value.strip().lower())
    return {"outcomes": outcomes, "answers": answers}


def missed_visits_flag(day: date) -> int:
    """Flag visits due on `day` (the live schedule: the one definition of planned) that nobody
    recorded, to each scheme's coordinator."""
    from whatworks.checkins import schedule

    schedule.round_changes_ensure(day)
    recorded = Visit.objects.filter(resident_id=OuterRef("pk"), visited_on=day)
    already = Escalation.objects.filter(
        resident_id=OuterRef("pk"), trigger=Trigger.MISSED, created_at__date__gte=day
    )
    missed = (
        schedule.due_residents(day)
        .exclude(Exists(recorded))
        .exclude(Exists(already))
        .select_related("scheme", "round")
    )
    rules = {
        rule.scheme_id: rule
        for rule in EscalationRule.objects.filter(trigger=Trigger.MISSED, is_active=True)
    }
    count = 0
    for resident in missed:
        rule = rules.get(resident.scheme_id)
        if rule is None:
            continue
        # Each escalation with its messages, or none of it: a half-written one would be
        # skipped by later runs with nobody told.
        with transaction.atomic():
            raise_escalation(
                rule=rule,
                resident=resident,
                summary=f"A planned visit on {resident.round} was missed "
                f"on {day.strftime('%-d %B %Y')}",
            )
        count += 1
    return count


def overdue_chase(now: datetime | None = None) -> int:
    """Remind coordinators of open tasks whose next chase is due (LADDER: an emergency every
    half hour, a same-day concern every two hours, others daily once past the deadline)."""
    now = now or timezone.now()
    due = Escalation.objects.filter(status=EscalationStatus.OPEN, next_chase_at__lte=now)
    count = 0
    for escalation in due.select_related("scheme", "rule", "resident").order_by("next_chase_at"):
        with transaction.atomic():  # the chase and its record together: never sent twice
            if _chase(escalation, now):
                count += 1
    return count


def _chase(escalation: Escalation, now: datetime) -> bool:
    rung = LADDER.get(escalation.urgency, LADDER[Urgency.WITHIN_DAYS])
    # Claim it: a second worker running the same chase finds it already moved on.
    claimed = Escalation.objects.filter(
        pk=escalation.pk,
        status=EscalationStatus.OPEN,
        next_chase_at=escalation.next_chase_at,
    ).update(
        last_chased_at=now,
        next_chase_at=now + rung.every,
        chase_count=escalation.chase_count + 1,
    )
    if not claimed:
        return False
    if rung.text:
        _text_coordinator(escalation.scheme, escalation, "checkins_emergency_chase")
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
                "still_open": escalation.due_at >= now,
                "link": absolute_url(reverse("checkins-escalation", kwargs={"pk": escalation.pk})),
            },
        )
    overdue = escalation.due_at < now
    EscalationStatusChange.objects.create(
        escalation=escalation,
        status=EscalationStatus.OPEN,
        note=("Overdue: " if overdue else "Still open: ")
        + ("coordinators texted and emailed." if rung.text else "coordinators chased."),
        at=now,
    )
    return True
