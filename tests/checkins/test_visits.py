"""Recording visits: once per UUID, whole or not at all, and the escalations they raise."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import services
from whatworks.checkins.models import Answer, Escalation, PracticeAddress, Question, Resident, Visit
from whatworks.core.models import Message

pytestmark = pytest.mark.django_db


def _record(
    resident: Any, outcome: str = "well", key: Any = None, **extra: Any
) -> tuple[Visit, bool]:
    return services.visit_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=key or uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome=outcome,
        **extra,
    )


def test_it_stores_a_resent_visit_once(resident: Any) -> None:
    key = uuid.uuid4()
    first, created = _record(resident, key=key)
    again, created_again = _record(resident, key=key)
    assert created and not created_again
    assert first.pk == again.pk
    assert Visit.objects.count() == 1


def test_it_refuses_a_uuid_of_another_residents_visit(resident: Any, round_: Any) -> None:
    from tests.checkins.conftest import make_resident

    other = make_resident(round_, "Albert", "Cole")
    key = uuid.uuid4()
    _record(resident, key=key)
    with pytest.raises(ValidationError):
        _record(other, key=key)


def test_it_writes_answers_with_the_visit_or_nothing(resident: Any) -> None:
    how = Question.objects.get(module__scheme=resident.scheme, code="how_are_you")
    with pytest.raises(ValidationError):
        _record(resident, answers={str(how.pk): "Not an option"})
    assert Visit.objects.count() == 0 and Answer.objects.count() == 0
    visit, _ = _record(resident, answers={str(how.pk): "Well"})
    assert visit.answers.get().value == "Well"
    assert visit.answer_count == 1


def test_it_needs_a_reason_when_not_visited(resident: Any) -> None:
    with pytest.raises(ValidationError) as error:
        _record(resident, outcome="not_visited")
    assert "reason" in error.value.message_dict


def test_it_refuses_a_resident_of_another_round(world: Any, scheme: Any, resident: Any) -> None:
    from tests.checkins.conftest import make_round

    other_round = make_round(scheme, world["volunteer"], "Bus 52")
    with pytest.raises(ValidationError):
        services.visit_record(
            round_=other_round,
            worker=world["volunteer"],
            client_uuid=uuid.uuid4(),
            resident_id=resident.pk,
            visited_on=timezone.localdate(),
            outcome="well",
        )


def test_it_tells_the_contact_and_gp_and_opens_a_task_on_a_concern(resident: Any) -> None:
    PracticeAddress.objects.create(
        scheme=resident.scheme,
        ods_code="G81001",
        name="Beacon Surgery",
        email="beacon.surgery@nhs.net",
    )
    Resident.objects.filter(pk=resident.pk).update(gp_practice_ods="G81001")
    visit, _ = _record(resident, outcome="concern", note="Seemed confused")
    escalation = Escalation.objects.get()
    assert escalation.visit == visit
    # A concern is a same-day task: due by the end of today.
    assert escalation.urgency == "same_day"
    assert escalation.due_at > timezone.now()
    assert timezone.localtime(escalation.due_at).date() == timezone.localdate() or (
        escalation.due_at <= timezone.now() + timedelta(hours=1)  # raised just before midnight
    )
    recipients = set(Message.objects.values_list("channel", "recipient"))
    assert ("sms", "+447912345678") in recipients  # the nominated contact
    # The GP practice, at its verified address: not the one typed on the referral.
    assert ("email", "beacon.surgery@nhs.net") in recipients
    assert ("email", "practice@example.nhs.uk") not in recipients
    assert ("email", resident.scheme.created_by.email) in recipients  # the coordinator
    contact_message = Message.objects.get(recipient="+447912345678")
    assert "confused" not in str(contact_message.personalisation)  # no health details
    task_email = Message.objects.get(recipient=resident.scheme.created_by.email)
    assert "confused" not in str(task_email.personalisation)
    assert "Marsh" not in str(task_email.personalisation)  # the details stay behind sign-in


def test_it_escalates_two_no_answers_in_a_row_once(resident: Any) -> None:
    today = timezone.localdate()
    for days_ago in (2, 1, 0):
        services.visit_record(
            round_=resident.round,
            worker=resident.round.worker,
            client_uuid=uuid.uuid4(),
            resident_id=resident.pk,
            visited_on=today - timedelta(days=days_ago),
            outcome="no_answer",
        )
    escalations = Escalation.objects.filter(trigger="no_answer_streak")
    assert escalations.count() == 1
    assert escalations.get().due_at < timezone.now() + timedelta(hours=9)  # the same day


def test_it_posts_a_visit_as_json_and_dedupes(as_verified: Any, world: Any, resident: Any) -> None:
    client = as_verified(world["frontline"])
    url = reverse("checkins-visit-record", kwargs={"pk": resident.round_id})
    data = {
        "client_uuid": str(uuid.uuid4()),
        "resident": resident.pk,
        "outcome": "well",
        "visited_on": timezone.localdate().isoformat(),
    }
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    second = client.post(url, data, HTTP_ACCEPT="application/json")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["status"] == "duplicate"
    bad = client.post(
        url,
        {**data, "client_uuid": str(uuid.uuid4()), "outcome": ""},
        HTTP_ACCEPT="application/json",
    )
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"][0]["name"] == "outcome"


def test_it_answers_401_json_when_the_session_is_not_verified(
    client: Any, world: Any, resident: Any
) -> None:
    client.force_login(world["frontline"], backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("checkins-visit-record", kwargs={"pk": resident.round_id})
    response = client.post(url, {"resident": resident.pk}, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert Visit.objects.count() == 0


def test_it_records_a_visit_without_javascript(as_verified: Any, world: Any, resident: Any) -> None:
    client = as_verified(world["frontline"])
    page = client.get(
        reverse("checkins-visit-new", kwargs={"pk": resident.round_id, "resident_id": resident.pk})
    )
    assert page.status_code == 200 and b"Record the visit to Edith Marsh" in page.content
    url = reverse("checkins-visit-record", kwargs={"pk": resident.round_id})
    data = {
        "client_uuid": str(uuid.uuid4()),
        "resident": resident.pk,
        "visited_on": timezone.localdate().isoformat(),
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert (
        b"govuk-error-summary" in refused.content
        and b"Select what happened at the visit" in refused.content
    )
    done = client.post(url, {**data, "outcome": "well"})
    assert done.status_code == 302 and Visit.objects.count() == 1
    listing = client.get(reverse("checkins-round-today", kwargs={"pk": resident.round_id}))
    assert b"Recorded" in listing.content


def test_it_emails_a_contact_who_has_only_a_landline(resident: Any) -> None:
    contact = resident.contacts.get()
    contact.phone = "+441273123456"
    contact.save()
    _record(resident, outcome="concern")
    assert Message.objects.filter(channel="email", recipient="ruth@example.org").exists()
    assert not Message.objects.filter(recipient="+441273123456").exists()
