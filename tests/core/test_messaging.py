"""The outbox: queued with the change, sent after commit, backs off on failure, never twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from whatworks.core import messaging
from whatworks.core.messaging import (
    NotifyBackend,
    OutboxOnlyBackend,
    SmtpBackend,
    message_dispatch,
    message_queue,
)
from whatworks.core.models import Channel, Message, MessageStatus
from whatworks.core.tasks import dispatch_due_messages, dispatch_message

pytestmark = pytest.mark.django_db

INVITATION = {
    "organisation": "Wealden District Council",
    "invited_by": "Ada Admin",
    "role": "Officer",
    "link": "https://whatworks.example.org/invitations/abc123/",
    "expires": "1 March 2026",
}


class RecordingBackend:
    """Counts deliveries; used to prove a message goes out once and only once."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[int] = []

    def send(self, message: Message) -> str:
        self.sent.append(message.pk)
        return f"ref-{message.pk}"

    def find(self, message: Message) -> str | None:
        return None


class BrokenBackend:
    name = "broken"

    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: Message) -> str:
        self.calls += 1
        raise ConnectionError("provider unavailable")

    def find(self, message: Message) -> str | None:
        return None


class FakeNotifyClient:
    """Stands in for notifications_python_client: records calls, never touches the network.
    `held` are the notifications Notify already has, by reference."""

    def __init__(self, held: dict[str, str] | None = None, *, down: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.held = held or {}
        self.down = down

    def get_all_notifications(self, *, reference: str) -> dict[str, Any]:
        self.calls.append(("lookup", {"reference": reference}))
        if self.down:
            raise ConnectionError("provider unavailable")
        found = (
            [{"id": self.held[reference], "reference": reference}] if reference in self.held else []
        )
        return {"notifications": found, "links": {}}

    def send_email_notification(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("email", kwargs))
        return {"id": "notify-email-1"}

    def send_sms_notification(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("sms", kwargs))
        return {"id": "notify-sms-1"}


def queued(**overrides: Any) -> Message:
    fields: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "recipient": "ada@wealden.gov.uk",
        "template": "invitation",
        "personalisation": INVITATION,
    }
    fields.update(overrides)
    return Message.objects.create(**fields)


# --- queueing and dispatch after commit


def test_it_queues_a_row_and_dispatches_it_after_commit(django_capture_on_commit_callbacks):
    messaging.use_backend(OutboxOnlyBackend())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_queue(
            channel=Channel.EMAIL,
            recipient="ada@wealden.gov.uk",
            template="invitation",
            personalisation=INVITATION,
        )
    # Until the transaction commits, the message waits in the outbox.
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 0
    assert len(callbacks) == 1

    callbacks[0]()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.backend == "outbox"
    assert message.sent_at is not None


def test_it_sends_a_queued_message_when_the_transaction_commits(django_capture_on_commit_callbacks):
    backend = RecordingBackend()
    messaging.use_backend(backend)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel=Channel.EMAIL,
            recipient="ada@wealden.gov.uk",
            template="invitation",
            personalisation=INVITATION,
        )
    message.refresh_from_db()
    assert backend.sent == [message.pk]
    assert message.status == MessageStatus.SENT
    assert message.provider_reference == f"ref-{message.pk}"


def test_it_neither_keeps_nor_sends_a_message_whose_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    backend = RecordingBackend()
    messaging.use_backend(backend)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        message_queue(
            channel=Channel.EMAIL,
            recipient="ada@wealden.gov.uk",
            template="invitation",
            personalisation=INVITATION,
        )
        raise RuntimeError("the change that caused the message failed")
    assert callbacks == []
    assert backend.sent == []
    assert not Message.objects.exists()


def test_it_uses_the_configured_backend(settings):
    settings.MESSAGE_BACKEND = "outbox"
    assert isinstance(messaging.get_backend(), OutboxOnlyBackend)
    settings.MESSAGE_BACKEND = "smtp"
    assert isinstance(messaging.get_backend(), SmtpBackend)


# --- backends


def test_it_marks_sent_with_the_outbox_only_backend(mailoutbox):
    messaging.use_backend(OutboxOnlyBackend())
    message = message_dispatch(message_id=queued().pk)
    assert message is not None
    assert message.status == MessageStatus.SENT
    assert message.last_error == ""
    # Nothing leaves the machine.
    assert mailoutbox == []


def test_it_sends_email_through_smtp_with_the_template_subject_and_body(mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "What Works <noreply@whatworks.example.org>"
    messaging.use_backend(SmtpBackend())
    message = message_dispatch(message_id=queued().pk)
    assert message is not None and message.status == MessageStatus.SENT
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.subject == "You have been invited to join Wealden District Council on What Works"
    assert email.to == ["ada@wealden.gov.uk"]
    assert email.from_email == "What Works <noreply@whatworks.example.org>"
    assert "Ada Admin has invited you to join Wealden District Council" in email.body
    assert "as officer." in email.body
    assert "https://whatworks.example.org/invitations/abc123/" in email.body
    # The subject line is not repeated in the body.
    assert "You have been invited" not in email.body


def test_it_does_not_send_a_text_message_through_smtp(mailoutbox):
    messaging.use_backend(SmtpBackend())
    message = message_dispatch(message_id=queued(channel=Channel.SMS, recipient="07700900123").pk)
    assert message is not None
    assert message.status == MessageStatus.QUEUED
    assert "DeliveryError" in message.last_error
    assert mailoutbox == []


def test_it_sends_email_through_notify_with_the_mapped_template(settings):
    settings.NOTIFY_TEMPLATE_IDS = {"invitation": "11111111-aaaa-bbbb-cccc-000000000001"}
    client = FakeNotifyClient()
    messaging.use_backend(NotifyBackend(client=client))
    message = message_dispatch(message_id=queued().pk)
    assert message is not None
    assert message.status == MessageStatus.SENT
    assert message.backend == "notify"
    assert message.provider_reference == "notify-email-1"
    assert client.calls == [
        (
            "email",
            {
                "email_address": "ada@wealden.gov.uk",
                "template_id": "11111111-aaaa-bbbb-cccc-000000000001",
                "personalisation": INVITATION,
                "reference": str(message.reference),
            },
        )
    ]


def test_it_sends_a_text_message_through_notify(settings):
    settings.NOTIFY_TEMPLATE_IDS = {"checkin_reminder": "22222222-aaaa-bbbb-cccc-000000000002"}
    client = FakeNotifyClient()
    messaging.use_backend(NotifyBackend(client=client))
    message = message_dispatch(
        message_id=queued(
            channel=Channel.SMS,
            recipient="07700900123",
            template="checkin_reminder",
            personalisation={"name": "Bea"},
        ).pk
    )
    assert message is not None
    assert message.status == MessageStatus.SENT
    assert message.provider_reference == "notify-sms-1"
    assert client.calls == [
        (
            "sms",
            {
                "phone_number": "07700900123",
                "template_id": "22222222-aaaa-bbbb-cccc-000000000002",
                "personalisation": {"name": "Bea"},
                "reference": str(message.reference),
            },
        )
    ]


def test_it_sends_through_the_generic_notify_template_when_there_is_no_mapping(settings):
    settings.NOTIFY_TEMPLATE_IDS = {}
    settings.NOTIFY_DEFAULT_TEMPLATE_ID = "33333333-aaaa-bbbb-cccc-000000000003"
    client = FakeNotifyClient()
    messaging.use_backend(NotifyBackend(client=client))
    message = message_dispatch(message_id=queued().pk)
    assert message is not None and message.status == MessageStatus.SENT
    [(kind, call)] = client.calls
    assert kind == "email"
    assert call["template_id"] == "33333333-aaaa-bbbb-cccc-000000000003"
    assert call["reference"] == str(message.reference)
    # Our own template, rendered: subject and body as Notify personalisation.
    assert set(call["personalisation"]) == {"subject", "body"}
    assert (
        call["personalisation"]["subject"]
        == "You have been invited to join Wealden District Council on What Works"
    )
    assert "https://whatworks.example.org/invitations/abc123/" in call["personalisation"]["body"]


def test_it_keeps_the_message_when_notify_has_no_template_for_it(settings):
    settings.NOTIFY_TEMPLATE_IDS = {}
    settings.NOTIFY_DEFAULT_TEMPLATE_ID = None
    client = FakeNotifyClient()
    messaging.use_backend(NotifyBackend(client=client))
    message = message_dispatch(message_id=queued().pk)
    assert message is not None
    assert message.status == MessageStatus.QUEUED
    assert "No GOV.UK Notify template id for 'invitation'" in message.last_error
    assert client.calls == []


def test_it_does_not_send_letters_through_notify(settings):
    settings.NOTIFY_TEMPLATE_IDS = {"invitation": "t"}
    client = FakeNotifyClient()
    messaging.use_backend(NotifyBackend(client=client))
    message = message_dispatch(message_id=queued(channel=Channel.LETTER).pk)
    assert message is not None
    assert message.status == MessageStatus.QUEUED
    assert "Letters" in message.last_error
    assert client.calls == []


# --- a retry asks the provider first


def test_a_first_attempt_sends_without_asking_the_provider(settings):
    settings.NOTIFY_TEMPLATE_IDS = {"invitation": "t"}
    client = FakeNotifyClient()
    messaging.use_backend(NotifyBackend(client=client))
    message_dispatch(message_id=queued().pk)
    assert [kind for kind, _ in client.calls] == ["email"]


def test_a_retry_whose_earlier_attempt_got_through_is_marked_sent_not_sent_again(settings):
    """The provider took the message but its answer never reached the database (the consumer
    or the database went first, or the provider answered with an error after taking it)."""
    settings.NOTIFY_TEMPLATE_IDS = {"invitation": "t"}
    message = queued(attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1))
    client = FakeNotifyClient(held={str(message.reference): "notify-earlier"})
    messaging.use_backend(NotifyBackend(client=client))

    message = message_dispatch(message_id=message.pk)

    assert client.calls == [("lookup", {"reference": str(message.reference)})]
    message.refresh_from_db()
    assert (message.status, message.provider_reference, message.attempts) == (
        MessageStatus.SENT,
        "notify-earlier",
        2,
    )


def test_a_retry_the_provider_has_not_seen_is_sent(settings):
    settings.NOTIFY_TEMPLATE_IDS = {"invitation": "t"}
    message = queued(attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1))
    client = FakeNotifyClient(held={"another-reference": "notify-other"})
    messaging.use_backend(NotifyBackend(client=client))

    message = message_dispatch(message_id=message.pk)

    assert [kind for kind, _ in client.calls] == ["lookup", "email"]
    assert client.calls[1][1]["reference"] == str(message.reference)
    assert (message.status, message.provider_reference) == (MessageStatus.SENT, "notify-email-1")


def test_a_retry_is_not_sent_when_the_provider_cannot_be_asked(settings):
    settings.NOTIFY_TEMPLATE_IDS = {"invitation": "t"}
    message = queued(attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1))
    client = FakeNotifyClient(down=True)
    messaging.use_backend(NotifyBackend(client=client))

    message_dispatch(message_id=message.pk)

    assert [kind for kind, _ in client.calls] == ["lookup"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 2)
    assert message.last_error == "ConnectionError: provider unavailable"
    assert message.next_attempt_at > timezone.now()


def test_each_message_has_its_own_random_reference_for_the_provider():
    first, second = queued(), queued()
    assert first.reference != second.reference
    assert str(first.pk) not in {str(first.reference), str(second.reference)}


# --- failure, back-off, giving up


def make_due(message: Message) -> None:
    """As if the back-off had passed."""
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_it_leaves_a_failed_message_queued_with_its_error_and_backs_off():
    messaging.use_backend(BrokenBackend())
    message = queued()

    before = timezone.now()
    message = message_dispatch(message_id=message.pk)
    assert message is not None
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error == "ConnectionError: provider unavailable"
    assert message.sent_at is None
    first_wait = message.next_attempt_at - before
    assert timedelta(seconds=55) <= first_wait <= timedelta(seconds=65)

    # Not due yet: nothing happens.
    assert message_dispatch(message_id=message.pk) is None
    make_due(message)
    before = timezone.now()
    message_dispatch(message_id=message.pk)
    message.refresh_from_db()
    assert message.attempts == 2
    second_wait = message.next_attempt_at - before
    # Exponential: the wait doubles.
    assert timedelta(seconds=115) <= second_wait <= timedelta(seconds=125)

    make_due(message)
    before = timezone.now()
    message_dispatch(message_id=message.pk)
    message.refresh_from_db()
    assert timedelta(seconds=235) <= message.next_attempt_at - before <= timedelta(seconds=245)


def test_it_caps_the_back_off():
    messaging.use_backend(BrokenBackend())
    message = queued(attempts=20)
    message_dispatch(message_id=message.pk)
    message.refresh_from_db()
    # Past OUTBOX_MAX_ATTEMPTS it gives up; check the cap on the formula directly too.
    assert messaging._backoff(20) == timedelta(seconds=messaging.BACKOFF_MAX_SECONDS)
    assert message.status == MessageStatus.FAILED


def test_it_gives_up_after_the_maximum_number_of_attempts(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    backend = BrokenBackend()
    messaging.use_backend(backend)
    message = queued()
    for expected_attempts in (1, 2):
        message_dispatch(message_id=message.pk)
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert message.attempts == expected_attempts
        make_due(message)

    message_dispatch(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3
    assert message.last_error == "ConnectionError: provider unavailable"

    # A failed message is not tried again by the queue.
    assert message_dispatch(message_id=message.pk) is None
    assert backend.calls == 3


def test_it_leaves_a_message_with_a_broken_template_queued_with_the_error():
    messaging.use_backend(OutboxOnlyBackend())
    message = message_dispatch(message_id=queued(template="no_such_template").pk)
    assert message is not None
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "TemplateDoesNotExist" in message.last_error
    assert "messages/no_such_template.txt" in message.last_error
    assert message.next_attempt_at > timezone.now()


def test_it_never_sends_a_sent_message_twice(django_capture_on_commit_callbacks):
    backend = RecordingBackend()
    messaging.use_backend(backend)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel=Channel.EMAIL,
            recipient="ada@wealden.gov.uk",
            template="invitation",
            personalisation=INVITATION,
        )
    assert backend.sent == [message.pk]

    assert message_dispatch(message_id=message.pk) is None
    assert dispatch_message.call_local(message.pk) is None
    assert dispatch_due_messages.call_local() == 0
    message.refresh_from_db()
    assert backend.sent == [message.pk]
    assert message.attempts == 1
    assert message.status == MessageStatus.SENT


# --- the periodic sweep


def test_it_retries_due_messages_and_leaves_future_ones():
    backend = RecordingBackend()
    messaging.use_backend(backend)
    now = timezone.now()
    due = queued(
        attempts=2, last_error="ConnectionError: x", next_attempt_at=now - timedelta(seconds=1)
    )
    future = queued(
        attempts=1, last_error="ConnectionError: x", next_attempt_at=now + timedelta(minutes=5)
    )
    failed = queued(
        status=MessageStatus.FAILED, attempts=8, next_attempt_at=now - timedelta(hours=1)
    )
    sent = queued(status=MessageStatus.SENT, attempts=1, next_attempt_at=now - timedelta(hours=1))

    assert dispatch_due_messages.call_local() == 1

    assert backend.sent == [due.pk]
    due.refresh_from_db()
    assert due.status == MessageStatus.SENT
    assert due.attempts == 3
    assert due.last_error == ""
    future.refresh_from_db()
    assert (future.status, future.attempts) == (MessageStatus.QUEUED, 1)
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
    sent.refresh_from_db()
    assert sent.attempts == 1


def test_it_runs_the_dispatch_task_through_huey_in_immediate_mode():
    messaging.use_backend(OutboxOnlyBackend())
    message = queued()
    result = dispatch_message(message.pk)
    assert result.get() == MessageStatus.SENT
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
