"""Relatives' and carers' peace of mind: a one-question survey to each nominated contact when
the person joins and every 8 weeks, through the outbox; answered once through the link; the
month's share at ease is one of the scheme's figures; nobody is named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import make_resident, send_surveys
from whatworks.checkins import erasure, outcomes, peace_of_mind
from whatworks.checkins.models import ContactSurvey, NominatedContact, ResidentStatus
from whatworks.core.messaging import render_email
from whatworks.core.models import AuditEvent, Channel, Message
from whatworks.measures.models import Observation

pytestmark = pytest.mark.django_db


def _survey_url(token: str) -> str:
    return reverse("checkins-survey", kwargs={"token": token})


def test_nothing_is_sent_until_the_coordinator_starts_the_surveys(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    assert peace_of_mind.surveys_send() == 0
    client = as_verified(world["officer"])
    page = reverse("checkins-surveys", kwargs={"pk": scheme.pk})
    assert "The surveys are not being sent" in client.get(page).content.decode()
    assert client.post(page).status_code == 302
    assert AuditEvent.objects.filter(action="checkins.surveys.started").exists()

    assert peace_of_mind.surveys_send() == 1
    message = Message.objects.get(template="checkins_peace_of_mind")
    assert (message.channel, message.recipient) == (Channel.EMAIL, "ruth@example.org")
    assert message.about == resident.message_subject and message.personal
    subject, body = render_email(message)
    assert "http://" in body and "/checkins/peace-of-mind/" in body
    for detail in (resident.given_name, resident.address_line_1):
        assert detail not in subject + body  # the person visited is not named

    assert client.post(page).status_code == 302  # stop
    assert peace_of_mind.surveys_send(timezone.localdate() + timedelta(weeks=9)) == 0


def test_each_contact_is_asked_again_every_8_weeks_and_not_before(
    scheme: Any, resident: Any
) -> None:
    today = timezone.localdate()
    assert len(send_surveys(scheme, today)) == 1
    assert send_surveys(scheme, today) == {}  # the same day again
    assert send_surveys(scheme, today + timedelta(weeks=8, days=-1)) == {}
    assert len(send_surveys(scheme, today + timedelta(weeks=8))) == 1
    assert ContactSurvey.objects.filter(contact__resident=resident).count() == 2


def test_email_first_then_a_text_to_a_mobile_and_a_landline_only_contact_is_counted(
    as_verified: Any, world: Any, scheme: Any, round_: Any
) -> None:
    texted = make_resident(round_, given_name="Mabel")
    texted.contacts.update(email="", phone="+447912000111")
    landline = make_resident(round_, given_name="Iris")
    landline.contacts.update(email="", phone="+441273123456")
    closed = make_resident(round_, given_name="Olive", status=ResidentStatus.CLOSED)

    sent = send_surveys(scheme)
    assert set(sent) == {"+447912000111"}
    assert Message.objects.get(recipient="+447912000111").channel == Channel.SMS
    assert not ContactSurvey.objects.filter(contact__resident__in=[landline, closed]).exists()
    page = as_verified(world["officer"]).get(reverse("checkins-surveys", kwargs={"pk": scheme.pk}))
    assert "Contacts who cannot be asked" in page.content.decode()
    assert page.context["summary"].unreachable == 1


def test_the_contact_answers_once_and_the_month_s_share_at_ease_is_a_figure(
    client: Any, scheme: Any, round_: Any
) -> None:
    make_resident(round_, given_name="Mabel").contacts.update(email="a@example.org")
    make_resident(round_, given_name="Iris").contacts.update(email="b@example.org")
    tokens = send_surveys(scheme)

    url = _survey_url(tokens["a@example.org"])
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert "How much peace of mind do the visits give you?" in html
    assert "Sign in" not in html and "Mabel" not in html  # no site chrome, nobody named
    for bad in ({}, {"answer": "lots"}):
        refused = client.post(url, bad).content.decode()
        assert "Select how much peace of mind the visits give you" in refused
    assert not ContactSurvey.objects.exclude(answered_on=None).exists()

    assert client.post(url, {"answer": "a_lot"}).status_code == 302
    thanks = client.get(url).content.decode()
    assert "Your answer is recorded" in thanks
    assert "call the coordinator on 01273 123456" in thanks  # the number as people write it
    client.post(url, {"answer": "none"})  # a second answer through the same link
    first = ContactSurvey.objects.get(contact__email="a@example.org")
    assert (first.answer, first.answered_on) == ("a_lot", timezone.localdate())
    client.post(_survey_url(tokens["b@example.org"]), {"answer": "a_little"})
    events = AuditEvent.objects.filter(action="checkins.survey.answered")
    assert sorted(e.object_id for e in events) == sorted(
        str(s.pk) for s in ContactSurvey.objects.all()
    )
    assert all("a_lot" not in str(e.detail) for e in events)  # a reference, not the answer

    outcomes.outcomes_refresh(scheme)
    figure = Observation.objects.get(
        metric__name=outcomes.metric_name(scheme, outcomes.AT_PEACE),
        period_start=timezone.localdate().replace(day=1),
    )
    assert (figure.value, figure.numerator, figure.denominator) == (0.5, 1, 2)


def test_an_old_or_unknown_link_says_it_no_longer_works(
    client: Any, scheme: Any, resident: Any
) -> None:
    token = next(iter(send_surveys(scheme, timezone.localdate() - timedelta(days=29)).values()))
    for url in (_survey_url(token), _survey_url("not-a-real-token")):
        gone = client.get(url)
        assert gone.status_code == 404 and "This link no longer works" in gone.content.decode()
        assert client.post(url, {"answer": "a_lot"}).status_code == 404
    assert not ContactSurvey.objects.exclude(answered_on=None).exists()


def test_a_contact_can_stop_the_surveys(client: Any, scheme: Any, resident: Any) -> None:
    token = next(iter(send_surveys(scheme).values()))
    stop = reverse("checkins-survey-stop", kwargs={"token": token})
    assert "Stop the questions" in client.get(stop).content.decode()
    assert NominatedContact.objects.get(resident=resident).surveys_stopped_at is None  # a GET
    assert "The questions are stopped" in client.post(stop).content.decode()
    assert NominatedContact.objects.get(resident=resident).surveys_stopped_at is not None
    assert send_surveys(scheme, timezone.localdate() + timedelta(weeks=8)) == {}


def test_erasing_the_person_unlinks_their_contacts_answers_and_ends_the_link(
    client: Any, world: Any, scheme: Any, resident: Any
) -> None:
    token = next(iter(send_surveys(scheme).values()))
    client.post(_survey_url(token), {"answer": "some"})
    erasure.resident_erase(resident=resident, actor=world["officer"], reason="requested")
    kept = ContactSurvey.objects.get()
    assert kept.contact_id is None and kept.answer == "some"  # the figure keeps its count
    assert client.get(_survey_url(token)).status_code == 404
    message = Message.objects.get(template="checkins_peace_of_mind")
    assert (message.personalisation, message.recipient) == ({}, "")  # the outbox copy too
