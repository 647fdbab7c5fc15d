"""Residents' data stays inside the scheme: the audit log, tasks, messages and the Django admin
carry references, not names, concern text or NHS numbers; every page showing a resident is
audited and never cached. Each reproduction of issue 12 is a test here."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import make_resident
from whatworks.checkins import services
from whatworks.checkins.models import Escalation, PracticeAddress, Resident
from whatworks.core import messaging
from whatworks.core.messaging import message_dispatch, messages_sweep
from whatworks.core.models import AuditEvent, Message, MessageStatus

pytestmark = pytest.mark.django_db

NOTE = "Fell last night, bruised hip"
NHS_NUMBER = "9434765919"


@pytest.fixture
def hilda(round_: Any) -> Resident:
    resident = make_resident(round_, "Hilda", "Xavier", nhs_number=NHS_NUMBER)
    Resident.objects.filter(pk=resident.pk).update(gp_practice_ods="G81001")
    resident.refresh_from_db()
    return resident


def _concern(resident: Resident) -> Any:
    visit, _ = services.visit_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome="concern",
        note=NOTE,
    )
    return visit


def _verified_practice(resident: Resident) -> PracticeAddress:
    return PracticeAddress.objects.create(
        scheme=resident.scheme, ods_code="G81001", name="Beacon Surgery", email="beacon@nhs.net"
    )


# --- The audit log ---------------------------------------------------------------------------


def test_it_keeps_names_and_concerns_out_of_the_organisation_audit_log(
    world: Any, client_for: Any, hilda: Resident
) -> None:
    """The reproduction: the organisation's log and its CSV read "...concern at the visit to
    Hilda X: Fell last night, bruised hip"."""
    _concern(hilda)
    escalation = Escalation.objects.get()
    services.escalation_close(escalation=escalation, actor=world["officer"], note="Insulin check")
    client = client_for(world["admin"])
    url = reverse("organisation-audit-log", kwargs={"slug": world.org_a.slug})
    page = client.get(url).content.decode()
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
    for text in (page, csv):
        assert f"task {escalation.pk} (resident {hilda.pk})" in text  # by reference
        for personal in ("Hilda", "Xavier", "bruised", "Insulin", NHS_NUMBER):
            assert personal not in text


def test_it_keeps_names_out_of_the_site_audit_log(world: Any, client_for: Any, hilda: Resident):
    _concern(hilda)
    page = client_for(world["staff"]).get(reverse("site-audit-log")).content.decode()
    assert "checkins.escalation.raised" in page
    assert "Hilda" not in page and "bruised" not in page


def test_it_names_the_task_by_reference_and_shows_the_note_only_behind_the_record(
    world: Any, as_verified: Any, hilda: Resident
) -> None:
    _concern(hilda)
    escalation = Escalation.objects.get()
    assert "Hilda" not in escalation.summary and "bruised" not in escalation.summary
    assert (
        escalation.summary == f"Seen, with a concern at a visit on {timezone.localdate():%-d %B %Y}"
    )
    page = as_verified(world["officer"]).get(escalation.get_absolute_url()).content.decode()
    assert "Hilda Xavier" in page and NOTE in page  # fetched under the record's own rules


# --- Messages to professionals -------------------------------------------------------------


def test_it_emails_the_gp_only_at_a_verified_address_and_names_no_one(hilda: Resident) -> None:
    """The reproductions: the concern email carried the name and NHS number to whatever
    address was typed on the public referral form."""
    _concern(hilda)
    assert not Message.objects.filter(template="checkins_gp").exists()  # nothing verified
    note = Escalation.objects.get().changes.order_by("at", "id").last().note
    assert "no verified email for the GP practice: call them" in note

    _verified_practice(hilda)
    Escalation.objects.all().delete()
    _concern(hilda)
    message = Message.objects.get(template="checkins_gp")
    assert message.recipient == "beacon@nhs.net"  # not practice@example.nhs.uk from the form
    subject, body = messaging.render_email(message)
    for personal in ("Hilda", "Xavier", NHS_NUMBER, "943 476 5919", "bruised", "Fell"):
        assert personal not in subject + body
    assert f"quote reference T-{Escalation.objects.get().pk}" in body


def test_it_lets_only_the_coordinator_verify_practice_addresses(
    world: Any, as_verified: Any, client_for: Any, hilda: Resident
) -> None:
    url = reverse("checkins-practices", kwargs={"pk": hilda.scheme_id})
    data = {"ods_code": "g81001", "name": "Beacon Surgery", "email": "Beacon@NHS.net"}
    assert as_verified(world["frontline"]).post(url, data).status_code == 403
    response = as_verified(world["officer"]).post(url, data)
    assert response.status_code == 302
    practice = PracticeAddress.objects.get()
    assert (practice.ods_code, practice.email, practice.verified_by) == (
        "G81001",
        "beacon@nhs.net",
        world["officer"],
    )
    page = as_verified(world["officer"]).get(url).content.decode()
    assert "beacon@nhs.net" in page and "Hilda" not in page
    bad = as_verified(world["officer"]).post(url, {**data, "ods_code": "nonsense"})
    assert "ODS code must be a letter and 5 numbers" in bad.content.decode()


# --- The outbox ----------------------------------------------------------------------------


class Delivering:
    name = "notify"

    def send(self, message: Message) -> str:
        return "provider-1"

    def find(self, message: Message) -> str | None:
        return None


def test_it_keeps_only_metadata_of_a_personal_message_once_delivered(hilda: Resident) -> None:
    _verified_practice(hilda)
    _concern(hilda)
    messaging.use_backend(Delivering())
    sms = Message.objects.get(template="checkins_contact")
    assert "Hilda" in str(sms.personalisation)
    message_dispatch(message_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.redacted_at is not None
    assert sms.personalisation == {} and sms.recipient == "•••678"
    assert (sms.channel, sms.template, sms.provider_reference) == (
        "sms",
        "checkins_contact",
        "provider-1",
    )
    # A message without personal data (an invitation) keeps its body.
    task = Message.objects.get(template="checkins_task")
    message_dispatch(message_id=task.pk)
    task.refresh_from_db()
    assert task.redacted_at is None


def test_it_sweeps_personal_bodies_the_outbox_only_backend_kept(hilda: Resident) -> None:
    _concern(hilda)
    sms = Message.objects.get(template="checkins_contact")
    message_dispatch(message_id=sms.pk)  # the development outbox: kept to be read
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.personalisation
    assert messages_sweep() == 0
    assert messages_sweep(timezone.now() + timedelta(days=31)) == 1
    sms.refresh_from_db()
    assert sms.personalisation == {} and "Hilda" not in sms.recipient


def test_it_shows_no_message_body_in_the_django_admin(
    world: Any, client_for: Any, hilda: Resident, settings: Any
) -> None:
    """The reproduction: with DEBUG off, staff saw each GP email with the full name and NHS
    number in the Django admin."""
    settings.DEBUG = False
    _verified_practice(hilda)
    _concern(hilda)
    client = client_for(world["staff"])
    listing = client.get("/admin/core/message/").content.decode()
    assert "Hilda" not in listing and "+447912345678" not in listing
    for message in Message.objects.all():
        page = client.get(f"/admin/core/message/{message.pk}/change/")
        assert page.status_code == 200
        text = page.content.decode()
        for personal in ("Hilda", "Xavier", NHS_NUMBER, "Ruth", "+447912345678", "ruth@example"):
            assert personal not in text


def test_it_registers_no_residents_data_in_the_django_admin() -> None:
    labels = {model._meta.app_label for model in admin.site._registry}
    assert "checkins" not in labels


# --- Every view of a resident is audited, and never cached ----------------------------------


def _viewed(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("at")


def test_it_audits_the_workers_list_and_the_visit_form(
    world: Any, as_verified: Any, hilda: Resident
) -> None:
    """The reproduction: the round list (names, addresses, reminders) and the visit form
    left no audit entry."""
    client = as_verified(world["frontline"])
    response = client.get(reverse("checkins-round-today", kwargs={"pk": hilda.round_id}))
    assert "Hilda" in response.content.decode()
    event = _viewed("checkins.round_list.viewed")
    assert event.personal_data and event.detail == {"residents": [hilda.pk]}
    assert event.actor == world["frontline"] and "Hilda" not in event.object_repr
    url = reverse("checkins-visit-new", kwargs={"pk": hilda.round_id, "resident_id": hilda.pk})
    assert client.get(url).status_code == 200
    event = _viewed("checkins.visit_form.viewed")
    assert event.object_repr == f"resident {hilda.pk}" and event.personal_data


def test_it_audits_the_scheme_dashboard_by_reference(
    world: Any, as_verified: Any, hilda: Resident
) -> None:
    _concern(hilda)
    page = as_verified(world["officer"]).get(
        reverse("checkins-scheme", kwargs={"pk": hilda.scheme_id})
    )
    assert "Hilda Xavier" in page.content.decode()
    event = _viewed("checkins.dashboard.viewed")
    assert event.detail == {"residents": [hilda.pk]} and event.personal_data


@pytest.mark.parametrize(
    "name", ["checkins-resident", "checkins-round-today", "checkins-scheme", "checkins-escalation"]
)
def test_it_marks_residents_pages_no_store(
    world: Any, as_verified: Any, hilda: Resident, name: str
) -> None:
    _concern(hilda)
    pk = {
        "checkins-resident": hilda.pk,
        "checkins-round-today": hilda.round_id,
        "checkins-scheme": hilda.scheme_id,
        "checkins-escalation": Escalation.objects.get().pk,
    }[name]
    user = world["frontline"] if name == "checkins-round-today" else world["officer"]
    response = as_verified(user).get(reverse(name, kwargs={"pk": pk}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_it_marks_the_referral_pages_no_store(client: Any, scheme: Any) -> None:
    url = reverse("checkins-refer-step", kwargs={"token": scheme.referral_token, "step": "person"})
    assert "no-store" in client.get(url)["Cache-Control"]
