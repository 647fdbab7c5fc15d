"""Relatives' and carers' peace of mind: once the coordinator starts the surveys, each
nominated contact gets a one-question survey through the outbox when the person joins and
every 8 weeks after, by email or else by text. The link holds a random token (only its hash
is stored) and answers once; it also lets the contact stop the surveys. The month's share
answering "a lot" or "some" is one of the scheme's figures (outcomes.py).

The message and the page name no one but the contact: the person visited is "the person
you are the nominated contact for", so a forwarded message or a shared phone gives nothing
away.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins.models import (
    ContactSurvey,
    NominatedContact,
    PeaceOfMind,
    ResidentStatus,
    Scheme,
)
from whatworks.checkins.services import audit_event
from whatworks.checkins.validation import display_phone, is_mobile
from whatworks.core.links import absolute_url
from whatworks.core.messaging import message_queue
from whatworks.core.models import Channel

EVERY = timedelta(weeks=8)
ANSWER_WITHIN = timedelta(days=28)  # a link older than this no longer takes an answer


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def surveys_set(*, scheme: Scheme, on: bool, actor: Any) -> Scheme:
    """Start or stop sending the surveys. Answers already given are kept."""
    scheme.surveys_started_at = timezone.now() if on else None
    scheme.save(update_fields=["surveys_started_at"])
    audit_event("surveys.started" if on else "surveys.stopped", scheme, scheme, actor)
    return scheme


def _channel(contact: NominatedContact) -> tuple[str, str]:
    """Email where the contact gave one, else a text to a mobile; ("", "") for neither."""
    if contact.email:
        return Channel.EMAIL, contact.email
    if contact.phone and is_mobile(contact.phone):
        return Channel.SMS, contact.phone
    return "", ""


def due(today: date) -> Any:
    """Contacts owed a survey on `today`: of people being visited on a scheme that sends
    them, not stopped, and sent none in the last 8 weeks (none at all: the first one)."""
    return (
        NominatedContact.objects.filter(
            resident__status=ResidentStatus.ACTIVE,
            resident__consent_withdrawn_on__isnull=True,
            resident__scheme__surveys_started_at__isnull=False,
            surveys_stopped_at__isnull=True,
        )
        .exclude(surveys__sent_on__gt=today - EVERY)
        .select_related("resident__scheme")
        .order_by("pk")
    )


def surveys_send(today: date | None = None) -> int:
    """Send each contact who is due a survey; returns how many were sent. A contact with
    neither an email address nor a mobile number is skipped (the page counts them)."""
    today = today or timezone.localdate()
    sent = 0
    for contact in due(today):
        channel, recipient = _channel(contact)
        if not recipient:
            continue
        token = secrets.token_urlsafe(32)
        scheme = contact.resident.scheme
        with transaction.atomic():
            ContactSurvey.objects.create(
                scheme=scheme, contact=contact, token_hash=_hash(token), sent_on=today
            )
            message_queue(
                channel=channel,
                recipient=recipient,
                template="checkins_peace_of_mind",
                personalisation={
                    "scheme": scheme.name,
                    "contact_name": contact.name,
                    "link": absolute_url(reverse("checkins-survey", kwargs={"token": token})),
                    "coordinator_phone": display_phone(scheme.coordinator_phone),
                    "within_weeks": ANSWER_WITHIN.days // 7,
                    "every_weeks": EVERY.days // 7,
                },
                about=contact.resident.message_subject,
                personal=True,
            )
        sent += 1
    return sent


def survey_for(token: str) -> ContactSurvey | None:
    """The survey a link is for, while it can still be answered (None otherwise)."""
    survey = (
        ContactSurvey.objects.filter(token_hash=_hash(token))
        .select_related("scheme", "contact")
        .first()
    )
    if survey is None or survey.contact_id is None:
        return None  # unknown, or the person's record was erased since
    if survey.sent_on < timezone.localdate() - ANSWER_WITHIN:
        return None
    return survey


@transaction.atomic
def survey_answer(*, survey: ContactSurvey, answer: str) -> ContactSurvey:
    if answer not in PeaceOfMind.values:
        raise ValidationError({"answer": "Select how much peace of mind the visits give you"})
    claimed = ContactSurvey.objects.filter(pk=survey.pk, answered_on__isnull=True).update(
        answer=answer, answered_on=timezone.localdate()
    )
    if not claimed:
        raise ValidationError("You have answered this survey already. Thank you.")
    survey.refresh_from_db()
    audit_event("survey.answered", survey, survey.scheme)
    return survey


@transaction.atomic
def surveys_refuse(*, survey: ContactSurvey) -> None:
    """The contact asked for no more surveys."""
    assert survey.contact is not None  # survey_for gives only linked surveys
    NominatedContact.objects.filter(pk=survey.contact.pk).update(surveys_stopped_at=timezone.now())
    audit_event("surveys.refused", survey, survey.scheme)


@dataclass(frozen=True)
class Summary:
    sent: int
    answered: int
    answers: list[tuple[str, int]]  # (label, count) in the order of the question
    unreachable: int  # contacts of people being visited with neither email nor mobile
    stopped: int


def summary(scheme: Scheme, since: date) -> Summary:
    """Aggregates for the coordinator's page: never who answered what."""
    surveys = ContactSurvey.objects.filter(scheme=scheme, sent_on__gte=since)
    counts = Counter(surveys.exclude(answered_on__isnull=True).values_list("answer", flat=True))
    contacts = NominatedContact.objects.filter(
        resident__scheme=scheme, resident__status=ResidentStatus.ACTIVE
    )
    unreachable = sum(
        1
        for phone in contacts.filter(email="").values_list("phone", flat=True)
        if not (phone and is_mobile(phone))
    )
    return Summary(
        sent=surveys.count(),
        answered=sum(counts.values()),
        answers=[(str(label), counts.get(value, 0)) for value, label in PeaceOfMind.choices],
        unreachable=unreachable,
        stopped=contacts.filter(surveys_stopped_at__isnull=False).count(),
    )
