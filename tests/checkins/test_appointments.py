"""Appointments after referral: reminders on the worker's list, attendance, and the outcome."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import date_boxes
from tests.checkins.test_outcomes_privacy import _initiative
from whatworks.checkins import erasure, outcomes, services
from whatworks.checkins.models import Appointment
from whatworks.core.models import AuditEvent
from whatworks.measures.models import Metric, Observation
from whatworks.measures.services import observation_record

pytestmark = pytest.mark.django_db


def test_it_adds_an_appointment_that_the_worker_is_reminded_of_that_day(
    as_verified: Any, world: Any, round_: Any, resident: Any
) -> None:
    today = timezone.localdate()
    client = as_verified(world["officer"])
    url = reverse("checkins-appointment-new", kwargs={"pk": resident.pk})
    yesterday = date_boxes("on", (today - timedelta(days=1)).isoformat())
    bad = client.post(url, {**yesterday, "what": ""}).content.decode()
    assert "govuk-error-summary" in bad
    assert 'href="#id_what"' in bad and "Enter what the appointment is" in bad
    past = client.post(url, {**yesterday, "what": "Clinic"}).content.decode()
    assert 'href="#id_on' in past and "Date must be today or in the future" in past
    client.post(url, {**date_boxes("on", today.isoformat()), "time": "14:30",
                      "what": "Diabetes clinic", "where": "Beacon Surgery"})  # fmt: skip
    appointment = Appointment.objects.get()
    assert (appointment.where, appointment.added_by) == ("Beacon Surgery", world["officer"])
    assert AuditEvent.objects.filter(
        action="checkins.appointment.added", personal_data=True
    ).exists()
    worker = as_verified(world["frontline"])
    page = worker.get(reverse("checkins-round-today", kwargs={"pk": round_.pk})).content.decode()
    assert "Diabetes clinic, Beacon Surgery on" in page and "at 14:30" in page


def test_it_records_attendance_from_the_day_and_counts_misses(
    as_verified: Any,
    world: Any,
    scheme: Any,
    resident: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    today = timezone.localdate()
    later = Appointment.objects.create(resident=resident, on=today + timedelta(days=2), what="X")
    missed = Appointment.objects.create(resident=resident, on=today, what="Eye clinic")
    client = as_verified(world["officer"])
    early = client.post(
        reverse("checkins-appointment-attendance", kwargs={"pk": later.pk}), {"attended": "no"}
    ).content.decode()
    assert "You can record this from the day of the appointment" in early
    url = reverse("checkins-appointment-attendance", kwargs={"pk": missed.pk})
    empty = client.post(url, {}).content.decode()
    assert 'href="#id_attended' in empty and "Select whether they went" in empty
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"attended": "no"})
    missed.refresh_from_db()
    assert missed.attended is False and missed.attended_recorded_by == world["officer"]
    record = client.get(reverse("checkins-resident", kwargs={"pk": resident.pk})).content.decode()
    assert "Missed" in record
    month = date(today.year, today.month, 1)
    recorded = Observation.objects.get(
        metric__name=f"{scheme.name}: {outcomes.MISSED_RECORDED}", period_start=month
    )
    assert recorded.value == 1


def test_it_keeps_recorded_and_imported_missed_appointments_apart(
    world: Any, scheme: Any, resident: Any
) -> None:
    today = timezone.localdate()
    month = date(today.year, today.month, 1)
    metrics = outcomes.scheme_metrics(scheme)
    imported = metrics["missed appointments"]
    assert "Imported" in imported.source
    # The NHS partner's figure for the month, imported through measures.
    observation_record(metric=imported, period_start=month, value=7, label="imported")
    for i, attended in enumerate([False, False, True]):
        appointment = Appointment.objects.create(resident=resident, on=today, what=f"A{i}")
        services.appointment_attendance_record(
            appointment=appointment, attended=attended, actor=world["officer"]
        )
    outcomes.outcomes_refresh(scheme)
    outcomes.outcomes_refresh(scheme)  # twice: recomputed, never added to
    # The imported figure is untouched; the scheme's own count is its own series, labelled.
    assert Observation.objects.get(metric=imported, period_start=month).value == 7
    own = Metric.objects.get(name=f"{scheme.name}: {outcomes.MISSED_RECORDED}")
    assert Observation.objects.get(metric=own, period_start=month).value == 2
    assert "What Works check-ins" in own.source and "Not added" in own.definition
    # The initiative's panel shows both, each labelled with its source, never summed.
    scheme.initiative = _initiative(world)
    scheme.save()
    panel = outcomes.initiative_panel(scheme.initiative, world["officer"])
    assert panel is not None
    figures = dict(panel.context["rows"][0]["figures"])
    assert figures[outcomes.MISSED_RECORDED] == "2"
    assert figures["missed appointments (imported from partners)"] == "7"
    assert "9" not in figures.values()


def test_it_counts_a_month_with_no_misses_as_zero_and_survives_erasure(
    world: Any, scheme: Any, resident: Any
) -> None:
    today = timezone.localdate()
    month = date(today.year, today.month, 1)
    went = Appointment.objects.create(resident=resident, on=today, what="Clinic")
    services.appointment_attendance_record(appointment=went, attended=True, actor=world["officer"])
    missed = Appointment.objects.create(resident=resident, on=today, what="Dentist")
    services.appointment_attendance_record(
        appointment=missed, attended=False, actor=world["officer"]
    )
    Appointment.objects.create(resident=resident, on=today + timedelta(days=5), what="Later")
    erasure.resident_erase(resident=resident, actor=world["officer"], reason="requested")
    assert set(Appointment.objects.values_list("what", flat=True)) == {"(erased)"}
    outcomes.outcomes_refresh(scheme)
    own = Metric.objects.get(name=f"{scheme.name}: {outcomes.MISSED_RECORDED}")
    assert Observation.objects.get(metric=own, period_start=month).value == 1
