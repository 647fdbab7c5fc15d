"""Reaching people: a message by email through the outbox, with the sender's organisation and
a reply path, only to people who accept messages, rate limited, and reportable."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.initiatives.factories import InitiativeFactory
from whatworks.core import messaging
from whatworks.core.messaging import SmtpBackend, message_dispatch
from whatworks.core.models import AuditEvent, Message
from whatworks.forum.models import Champion
from whatworks.organisations.models import ContactMessage

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def champion(world):
    person = world["officer"]
    Champion.objects.create(organisation=world.org_a, user=person, service_areas=["housing"])
    return person


def send(client, person, body="Could we see your letter?"):
    return client.post(f"/people/{person.pk}/contact/", {"body": body})


def test_a_champion_can_be_contacted_and_the_email_carries_sender_and_reply_path(
    world, champion, client_for
):
    client = client_for(world["outsider"])
    assert "Contact " + champion.full_name in page_text(client.get(champion.get_absolute_url()))
    response = send(client, champion)
    assert response.status_code == 302
    message = Message.objects.get(template="contact_message")
    assert message.recipient == champion.email
    assert message.personalisation["organisation"] == world.org_b.name
    assert message.personalisation["reply_to"] == world["outsider"].email
    assert message.personal  # the text is removed once delivered
    stored = ContactMessage.objects.get()
    assert message.personalisation["report"].endswith(f"/people/messages/{stored.pk}/report/")
    event = AuditEvent.objects.get(action="person.contacted")
    assert "Could we see" not in str(event.detail) + event.object_repr  # no text in the log


def test_the_smtp_email_replies_to_the_sender(world, champion, client_for, mailoutbox):
    send(client_for(world["outsider"]), champion)
    messaging.use_backend(SmtpBackend())
    try:
        message_dispatch(message_id=Message.objects.get(template="contact_message").pk)
    finally:
        messaging.use_backend(None)
    email = mailoutbox[0]
    assert email.reply_to == [world["outsider"].email]
    assert f"of {world.org_b.name}, sent you this message" in email.body
    assert "Could we see your letter?" in email.body


def test_people_who_have_not_consented_cannot_be_contacted(world, client_for):
    person = world["analyst"]  # not a champion; the default accepts champions only
    client = client_for(world["outsider"])
    assert "Contact " + person.full_name not in page_text(client.get(person.get_absolute_url()))
    response = send(client, person)
    assert response.status_code == 403
    assert "does not accept messages" in page_text(response)
    assert not Message.objects.filter(template="contact_message").exists()
    person.contact = "yes"
    person.save()
    assert send(client, person).status_code == 302


def test_a_champion_can_opt_out(world, champion, client_for):
    champion.contact = "no"
    champion.save()
    assert send(client_for(world["outsider"]), champion).status_code == 403


def test_an_empty_message_says_what_to_enter(world, champion, client_for):
    response = send(client_for(world["outsider"]), champion, body="  ")
    assert "Enter your message" in page_text(response)
    assert not ContactMessage.objects.exists()


def test_sending_is_rate_limited(world, champion, client_for):
    client = client_for(world["outsider"])
    statuses = [send(client, champion).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]  # three a day to one person
    assert ContactMessage.objects.count() == 3


def test_the_recipient_reports_a_message_and_the_sender_is_blocked(world, champion, client_for):
    send(client_for(world["outsider"]), champion)
    stored = ContactMessage.objects.get()
    url = f"/people/messages/{stored.pk}/report/"
    assert client_for(world["outsider"]).get(url).status_code == 404  # not the recipient
    client = client_for(champion)
    response = client.post(url, {"reason": ""})
    assert "Enter what is wrong with this message" in page_text(response)
    assert client.post(url, {"reason": "Selling something"}).status_code == 302
    stored.refresh_from_db()
    assert stored.reported_at is not None
    moderator_email = Message.objects.get(template="contact_reported")
    assert moderator_email.recipient == world["moderator"].email
    response = send(client_for(world["outsider"]), champion)
    assert response.status_code == 403 and "does not accept messages from you" in page_text(
        response
    )


def test_a_record_offers_to_contact_its_owner_unless_pseudonymous(world, client_for):
    owner = world["officer"]
    owner.contact = "yes"
    owner.save()
    record = InitiativeFactory(organisation=world.org_a, created_by=owner, title="Letters")
    hidden = InitiativeFactory(
        organisation=world.org_a, created_by=owner, title="Quiet", pseudonymous=True
    )
    client = client_for(world["outsider"])
    body = page_text(client.get(record.get_absolute_url()))
    assert f"Contact {owner.full_name}, who registered this record" in body
    assert f"Contact {owner.full_name}" not in page_text(client.get(hidden.get_absolute_url()))
    response = client.post(
        f"/people/{owner.pk}/contact/",
        {"body": "Hello", "about": record.get_absolute_url()},
    )
    assert response.status_code == 302
    message = Message.objects.get(template="contact_message")
    assert message.personalisation["about"].endswith(record.get_absolute_url())


def test_the_profile_says_who_may_send_messages(world, client_for):
    client = client_for(world["frontline"])
    body = page_text(client.get("/account/profile/"))
    assert "Can other members send you messages through What Works?" in body
    assert "Only while I am a collaboration champion" in body


def test_champions_who_opted_out_are_not_offered(world, champion, client_for):
    client = client_for(world["outsider"])
    link = f'href="/people/{champion.pk}/contact/"'
    assert link in client.get(f"/organisations/{world.org_a.slug}/").content.decode()
    assert link in client.get("/forum/champions/").content.decode()
    champion.contact = "no"
    champion.save()
    assert link not in client.get(f"/organisations/{world.org_a.slug}/").content.decode()
    assert link not in client.get("/forum/champions/").content.decode()
