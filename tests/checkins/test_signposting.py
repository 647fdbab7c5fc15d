"""Signposting: the coordinator's list of local events and services, what each person was
told about, and the monthly count of people told as one of the scheme's figures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import date_boxes, make_resident, make_round, make_scheme
from whatworks.checkins import outcomes, signposting
from whatworks.checkins.models import Signpost, Signposting
from whatworks.core.models import AuditEvent
from whatworks.measures.models import Observation

pytestmark = pytest.mark.django_db


def _told(signposts: list[Signpost], on: date) -> dict[str, Any]:
    return {"signposts": [str(s.pk) for s in signposts], **date_boxes("told_on", on.isoformat())}


def test_the_coordinator_keeps_a_list_and_a_name_twice_is_refused(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-signposts", kwargs={"pk": scheme.pk})
    empty = client.post(url, {"name": " ", "kind": ""}).content.decode()
    assert "Enter the name of the event or service" in empty
    assert "Select whether it is an event or a service" in empty
    added = client.post(url, {"name": "Lunch club <b>Tuesdays</b>", "kind": "event"})
    assert added.status_code == 302
    twice = client.post(url, {"name": "Lunch club <b>Tuesdays</b>", "kind": "service"})
    assert "is on the list already" in twice.content.decode()
    assert Signpost.objects.filter(scheme=scheme).count() == 1
    page = client.get(url).content.decode()
    assert "Lunch club &lt;b&gt;Tuesdays&lt;/b&gt;" in page and "<b>Tuesdays</b>" not in page
    assert "A social event or group" in page  # the kind in words, not "event"


def test_what_a_person_was_told_is_recorded_audited_and_shown_on_their_record(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    lunch = Signpost.objects.create(scheme=scheme, name="Lunch club", kind="event")
    advice = Signpost.objects.create(scheme=scheme, name="Citizens Advice", kind="service")
    client = as_verified(world["officer"])
    url = reverse("checkins-signposting-new", kwargs={"pk": resident.pk})
    form = client.get(url).content.decode()
    assert "Lunch club (a social event or group)" in form
    assert 'class="govuk-date-input"' in form

    yesterday = timezone.localdate() - timedelta(days=1)
    done = client.post(url, _told([lunch, advice], yesterday))
    assert done.status_code == 302 and done["Location"] == resident.get_absolute_url()
    told = Signposting.objects.filter(resident=resident).order_by("signpost__name")
    assert [(t.signpost.name, t.told_on, t.recorded_by) for t in told] == [
        ("Citizens Advice", yesterday, world["officer"]),
        ("Lunch club", yesterday, world["officer"]),
    ]
    event = AuditEvent.objects.get(action="checkins.signposting.recorded")
    assert event.personal_data and event.object_id == str(resident.pk)
    assert "Lunch club" not in str(event.detail)  # references, not what was said
    record = client.get(resident.get_absolute_url()).content.decode()
    assert "Lunch club" in record and "Citizens Advice" in record


def test_bad_choices_are_refused_and_nothing_is_written(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    lunch = Signpost.objects.create(scheme=scheme, name="Lunch club", kind="event")
    ended = Signpost.objects.create(scheme=scheme, name="Summer fair", kind="event", active=False)
    other_scheme = make_scheme(world, name="Call and Check Lewes")
    theirs = Signpost.objects.create(scheme=other_scheme, name="Bingo", kind="event")
    client = as_verified(world["officer"])
    url = reverse("checkins-signposting-new", kwargs={"pk": resident.pk})
    today = timezone.localdate()

    nothing = client.post(url, _told([], today)).content.decode()
    assert "Select what they were told about" in nothing
    for refused in (ended, theirs):
        page = client.post(url, _told([lunch, refused], today)).content.decode()
        assert "Select events or services on the scheme" in page, refused.name
    future = client.post(url, _told([lunch], today + timedelta(days=1))).content.decode()
    assert "Date they were told must be today or in the past" in future
    assert not Signposting.objects.exists()


def test_a_retired_event_leaves_the_list_but_not_peoples_records(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    fair = Signpost.objects.create(scheme=scheme, name="Summer fair", kind="event")
    signposting.signposting_record(
        resident=resident, signposts=[fair], told_on=timezone.localdate(), actor=world["officer"]
    )
    client = as_verified(world["officer"])
    listed = client.post(reverse("checkins-signpost-toggle", kwargs={"pk": fair.pk}), follow=True)
    assert "Summer fair is off the list" in listed.content.decode()  # the message, read
    fair.refresh_from_db()
    assert not fair.active
    form = client.get(reverse("checkins-signposting-new", kwargs={"pk": resident.pk}))
    assert "Summer fair" not in form.content.decode()
    assert "Summer fair" in client.get(resident.get_absolute_url()).content.decode()
    client.post(reverse("checkins-signpost-toggle", kwargs={"pk": fair.pk}))
    fair.refresh_from_db()
    assert fair.active


def test_each_month_counts_the_people_told_once_each(world: Any, scheme: Any) -> None:
    round_ = make_round(scheme, world["frontline"])
    edith, albert = make_resident(round_), make_resident(round_, "Albert", "Cole")
    lunch = Signpost.objects.create(scheme=scheme, name="Lunch club", kind="event")
    advice = Signpost.objects.create(scheme=scheme, name="Citizens Advice", kind="service")
    officer = world["officer"]
    # March: Edith twice (two things, then one again), Albert once: 2 people. April: Edith.
    signposting.signposting_record(
        resident=edith, signposts=[lunch, advice], told_on=date(2026, 3, 2), actor=officer
    )
    signposting.signposting_record(
        resident=edith, signposts=[lunch], told_on=date(2026, 3, 20), actor=officer
    )
    signposting.signposting_record(
        resident=albert, signposts=[advice], told_on=date(2026, 3, 31), actor=officer
    )
    signposting.signposting_record(
        resident=edith, signposts=[advice], told_on=date(2026, 4, 1), actor=officer
    )
    outcomes.outcomes_refresh(scheme)
    figures = Observation.objects.filter(
        metric__name=f"{scheme.name}: {outcomes.SIGNPOSTED}"
    ).order_by("period_start")
    assert [(o.period_start, o.period_end, o.value) for o in figures] == [
        (date(2026, 3, 1), date(2026, 3, 31), 2.0),
        (date(2026, 4, 1), date(2026, 4, 30), 1.0),
    ]
