"""The development outbox: staff only, development only; a failed message can be retried."""

from __future__ import annotations

import pytest

from tests.conftest import PERSONAS
from whatworks.core import messaging
from whatworks.core.models import Channel, Message, MessageStatus

pytestmark = pytest.mark.django_db

INVITATION = {
    "organisation": "Wealden District Council",
    "invited_by": "Ada Admin",
    "role": "Officer",
    "link": "https://whatworks.example.org/invitations/abc123/",
    "expires": "1 March 2026",
}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def message(**fields) -> Message:
    defaults = {
        "channel": Channel.EMAIL,
        "recipient": "ada@wealden.gov.uk",
        "template": "invitation",
        "personalisation": INVITATION,
    }
    defaults.update(fields)
    return Message.objects.create(**defaults)


@pytest.mark.parametrize("path", ["/outbox/", "/outbox/{pk}/"])
def test_it_hides_the_outbox_when_not_debugging(world, client_for, settings, path):
    settings.DEBUG = False
    m = message()
    response = client_for(world["staff"]).get(path.format(pk=m.pk))
    assert response.status_code == 404


def test_it_refuses_a_retry_when_not_debugging(world, client_for, settings):
    settings.DEBUG = False
    m = message(status=MessageStatus.FAILED, attempts=8)
    assert client_for(world["staff"]).post(f"/outbox/{m.pk}/retry/").status_code == 404
    m.refresh_from_db()
    assert m.status == MessageStatus.FAILED


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_outbox_only_to_staff(world, client_for, debug, persona):
    message()
    response = client_for(world[persona]).get("/outbox/")
    expected = {"anonymous": 302, "staff": 200}.get(persona, 403)
    assert response.status_code == expected


def test_it_lists_messages_and_filters_by_status(world, client_for, debug):
    message(recipient="queued@example.org")
    message(recipient="failed@example.org", status=MessageStatus.FAILED)
    client = client_for(world["staff"])
    html = client.get("/outbox/").content.decode()
    assert "queued@example.org" in html and "failed@example.org" in html
    html = client.get("/outbox/?status=failed").content.decode()
    assert "failed@example.org" in html and "queued@example.org" not in html
    # A nonsense filter shows everything rather than failing.
    assert client.get("/outbox/?status=nonsense").status_code == 200


def test_it_shows_the_rendered_message(world, client_for, debug):
    m = message(attempts=2, last_error="ConnectionError: provider unavailable")
    response = client_for(world["staff"]).get(f"/outbox/{m.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You have been invited to join Wealden District Council on What Works" in html
    assert "Ada Admin has invited you to join Wealden District Council" in html
    assert 'href="https://whatworks.example.org/invitations/abc123/"' in html
    assert "ConnectionError: provider unavailable" in html
    assert "Try again" not in html  # only for failed messages


def test_it_refuses_the_message_page_to_non_staff(world, client_for, debug):
    m = message()
    assert client_for(world["admin"]).get(f"/outbox/{m.pk}/").status_code == 403
    assert client_for(world["staff"]).get("/outbox/999999/").status_code == 404


def test_it_requeues_a_failed_message(world, client_for, debug, django_capture_on_commit_callbacks):
    messaging.use_backend(messaging.OutboxOnlyBackend())
    m = message(status=MessageStatus.FAILED, attempts=8, last_error="ConnectionError: gave up")
    client = client_for(world["staff"])
    assert "Try again" in client.get(f"/outbox/{m.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/outbox/{m.pk}/retry/")
    assert response.status_code == 302
    assert response["Location"] == f"/outbox/{m.pk}/"
    m.refresh_from_db()
    assert m.status == MessageStatus.QUEUED
    assert len(callbacks) == 1

    # Once the request's transaction commits, the message goes out.
    callbacks[0]()
    m.refresh_from_db()
    assert m.status == MessageStatus.SENT
    assert m.last_error == ""


def test_it_only_retries_failed_messages(world, client_for, debug):
    sent = message(status=MessageStatus.SENT, attempts=1)
    client = client_for(world["staff"])
    assert client.post(f"/outbox/{sent.pk}/retry/").status_code == 404
    assert client.get(f"/outbox/{sent.pk}/retry/").status_code == 405
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_it_refuses_a_retry_to_non_staff(world, client_for, debug):
    m = message(status=MessageStatus.FAILED, attempts=8)
    assert client_for(world["admin"]).post(f"/outbox/{m.pk}/retry/").status_code == 403
    m.refresh_from_db()
    assert m.status == MessageStatus.FAILED
