"""Writes of the service's own pages: feedback to the people who run the site."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from whatworks.core import ratelimit
from whatworks.core.messaging import message_queue
from whatworks.core.models import Channel

# Feedback per client address: enough for anyone with something to say, too few to flood.
FEEDBACK_LIMIT = ratelimit.Limit("feedback", count=5, seconds=60 * 60)


def feedback_recipients() -> list[str]:
    """FEEDBACK_EMAIL when set (a team mailbox); otherwise every active site staff account."""
    if settings.FEEDBACK_EMAIL:
        return [settings.FEEDBACK_EMAIL]
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk")
    return [email for email in staff.values_list("email", flat=True) if email]


@transaction.atomic
def feedback_send(*, feedback: str, email: str, page: str, address: str, user: Any = None) -> int:
    """Queue the feedback for the site's staff through the outbox; the number of messages.

    The body is marked personal (it may name someone despite the hint), so a backend that
    has delivered it drops it from the outbox."""
    if ratelimit.hit(FEEDBACK_LIMIT, address):
        message = "You have sent a lot of feedback in the last hour. Wait an hour, then try again."
        raise ValidationError({"feedback": ValidationError(message, code="rate_limited")})
    recipients = feedback_recipients()
    if not recipients:
        raise ValidationError(
            "Feedback cannot be sent just now: the service has no one to receive it. "
            "Try again later."
        )
    signed_in = user is not None and user.is_authenticated
    personalisation = {
        "feedback": feedback,
        "reply_to": email or (user.email if signed_in else ""),
        "from_name": user.full_name if signed_in else "",
        "page": page,
    }
    for recipient in recipients:
        message_queue(
            channel=Channel.EMAIL,
            recipient=recipient,
            template="feedback",
            personalisation=personalisation,
            personal=True,
        )
    return len(recipients)
