"""The outbox: queue a message in the same transaction as the change that causes it,
then a background task hands it to a backend. A failure leaves it queued with its
error and a later attempt time (exponential back-off); nothing is lost.

Backends: "outbox" (keeps messages for staff to read at /outbox/ in development),
"smtp" (Django's email backend) and "notify" (GOV.UK Notify).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from whatworks.core.models import Channel, Message, MessageStatus
from whatworks.core.queue import after_commit

BACKOFF_MAX_SECONDS = 6 * 60 * 60


class DeliveryError(Exception):
    pass


def render_email(message: Message) -> tuple[str, str]:
    """Subject and plain-text body from `templates/messages/<template>.txt` (subject first line)."""
    text = render_to_string(f"messages/{message.template}.txt", message.personalisation)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


class Backend(Protocol):
    name: str

    def send(self, message: Message) -> str:
        """Deliver the message; return the provider's reference; raise on failure."""

    def find(self, message: Message) -> str | None:
        """The provider's reference if an earlier attempt delivered the message, None if it
        did not or the backend cannot tell; raise if the provider cannot be asked."""


class OutboxOnlyBackend:
    """Keeps the message in the outbox and marks it sent: nothing leaves the machine."""

    name = "outbox"

    def send(self, message: Message) -> str:
        render_email(message)  # fail here, not in production, if the template is broken
        return ""

    def find(self, message: Message) -> str | None:
        return None


class SmtpBackend:
    name = "smtp"

    def send(self, message: Message) -> str:
        if message.channel != Channel.EMAIL:
            raise DeliveryError(f"The SMTP backend cannot send a {message.channel} message.")
        subject, body = render_email(message)
        # A message from one person to another (core's contact messages) replies to them.
        reply_to = message.personalisation.get("reply_to")
        EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [message.recipient],
            reply_to=[reply_to] if reply_to else None,
        ).send()
        return ""

    def find(self, message: Message) -> str | None:
        return None  # a mail server cannot be asked: a send cut off may be repeated


class NotifyBackend:
    """GOV.UK Notify. Each template name maps to a Notify template id in NOTIFY_TEMPLATE_IDS;
    without a mapping, the generic template (NOTIFY_DEFAULT_TEMPLATE_ID) is sent with
    ((subject)) and ((body)) personalisation rendered from our own template."""

    name = "notify"

    def __init__(self, client: Any = None) -> None:
        if client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            client = NotificationsAPIClient(
                settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL
            )
        self.client = client

    def send(self, message: Message) -> str:
        template_id = settings.NOTIFY_TEMPLATE_IDS.get(message.template)
        personalisation = dict(message.personalisation)
        if template_id is None:
            template_id = getattr(settings, "NOTIFY_DEFAULT_TEMPLATE_ID", None)
            if not template_id:
                raise DeliveryError(
                    f"No GOV.UK Notify template id for '{message.template}' and no default."
                )
            subject, body = render_email(message)
            personalisation = {"subject": subject, "body": body}
        if message.channel == Channel.EMAIL:
            response = self.client.send_email_notification(
                email_address=message.recipient,
                template_id=template_id,
                personalisation=personalisation,
                reference=str(message.reference),
            )
        elif message.channel == Channel.SMS:
            response = self.client.send_sms_notification(
                phone_number=message.recipient,
                template_id=template_id,
                personalisation=personalisation,
                reference=str(message.reference),
            )
        else:
            raise DeliveryError("Letters through Notify need an address; not supported yet.")
        return str(response.get("id", ""))

    def find(self, message: Message) -> str | None:
        found = self.client.get_all_notifications(reference=str(message.reference))
        notifications = found.get("notifications") or []
        return str(notifications[0].get("id", "")) if notifications else None


_backend_override: Backend | None = None


def get_backend() -> Backend:
    if _backend_override is not None:
        return _backend_override
    backends: dict[str, type[Backend]] = {
        "outbox": OutboxOnlyBackend,
        "smtp": SmtpBackend,
        "notify": NotifyBackend,
    }
    return backends[settings.MESSAGE_BACKEND]()


def use_backend(backend: Backend | None) -> None:
    """Swap the backend (tests inject a fake Notify client this way)."""
    global _backend_override
    _backend_override = backend


def message_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    personalisation: dict[str, Any],
    about: str = "",
    personal: bool = False,
) -> Message:
    """Put a message in the outbox; it is dispatched once the surrounding transaction commits.

    `about` names the person the message concerns ("checkins.resident:12") so that erasing
    them reaches it; `personal` marks a body holding personal data, which is removed once a
    backend has delivered it (see `message_redact`)."""
    message = Message.objects.create(
        channel=channel,
        recipient=recipient,
        template=template,
        personalisation=personalisation,
        about=about,
        personal=personal,
    )
    from whatworks.core.tasks import dispatch_message

    after_commit(dispatch_message, message.pk)
    return message


def _backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS)
    )


def message_dispatch(*, message_id: int) -> Message | None:
    """Try to deliver one due message. Returns it with its new status (None if not due).

    The message is claimed in one short transaction (a lease: no other consumer takes it
    for OUTBOX_SEND_LEASE_SECONDS) and sent outside it, so a slow provider never holds a
    database lock. A retry first asks the provider whether an earlier attempt got through
    (the provider may have taken it and then answered with an error, or the consumer or
    the database may have gone before the outcome was saved), so it is not sent twice.
    """
    now = timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, status=MessageStatus.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        backend = get_backend()
        message.attempts += 1
        message.backend = backend.name
        message.next_attempt_at = now + timedelta(seconds=settings.OUTBOX_SEND_LEASE_SECONDS)
        message.save(update_fields=["attempts", "backend", "next_attempt_at"])
    try:
        delivered = backend.find(message) if message.attempts > 1 else None
        message.provider_reference = delivered if delivered is not None else backend.send(message)
    except Exception as error:  # any backend failure: keep the message, retry later
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
        else:
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
    else:
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        # Delivered: a body with personal data is not kept. The outbox-only backend delivers
        # nothing (it is development's mailbox), so its bodies stay until erased or swept.
        if message.personal and backend.name != OutboxOnlyBackend.name:
            _strip(message, recipient=mask_recipient(message.recipient))
    message.save()
    return message


def mask_recipient(recipient: str) -> str:
    """Enough to answer "which address was it?" without keeping the address."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}•••@{domain}"
    return "•••" + recipient[-3:] if len(recipient) > 6 else "•••"


def _strip(message: Message, *, recipient: str) -> None:
    message.personalisation = {}
    message.recipient = recipient
    message.last_error = ""  # a provider's error may quote the recipient or the body
    message.redacted_at = timezone.now()


def messages_erase(*, about: str) -> int:
    """Erasing a person reaches the outbox: messages about them lose their body and
    recipient, and any not yet sent are cancelled. Returns how many were touched."""
    now = timezone.now()
    found = Message.objects.filter(about=about)
    found.filter(status=MessageStatus.QUEUED).update(status=MessageStatus.CANCELLED)
    return found.update(personalisation={}, recipient="", last_error="", redacted_at=now, about="")


SWEEP_AFTER = timedelta(days=30)


def messages_sweep(now: Any = None) -> int:
    """Bodies with personal data that are still kept a month on (those the outbox-only
    backend kept, and failed ones) lose them too."""
    now = now or timezone.now()
    old = Message.objects.filter(
        personal=True,
        redacted_at__isnull=True,
        created_at__lt=now - SWEEP_AFTER,
        status__in=[MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED],
    )
    count = 0
    for message in old.iterator():
        _strip(message, recipient=mask_recipient(message.recipient))
        message.save(update_fields=["personalisation", "recipient", "last_error", "redacted_at"])
        count += 1
    return count


def message_retry(*, message: Message) -> Message:
    """Staff put a failed message back in the queue, with a fresh set of attempts."""
    message.status = MessageStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    from whatworks.core.tasks import dispatch_message

    after_commit(dispatch_message, message.pk)
    return message
