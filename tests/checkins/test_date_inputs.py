"""Every date a coordinator enters uses the GOV.UK date input (day, month and year boxes),
and its errors name the date and say what to enter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import date_boxes
from whatworks.checkins.models import DataSharingAgreement, Pause

pytestmark = pytest.mark.django_db


def _date_inputs(page: str) -> int:
    return page.count('class="govuk-date-input"')


def test_the_coordinators_date_pages_ask_for_each_date_in_three_boxes(
    as_verified: Any, world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    client = as_verified(world["officer"])
    expected = {
        reverse("checkins-resident-pause", kwargs={"pk": resident.pk}): 2,
        reverse("checkins-agreement-new", kwargs={"pk": scheme.pk}): 2,
        reverse("checkins-cover-new", kwargs={"pk": round_.pk}): 2,
        reverse("checkins-appointment-new", kwargs={"pk": resident.pk}): 1,
    }
    for url, boxes in expected.items():
        page = client.get(url).content.decode()
        assert _date_inputs(page) == boxes, url
        assert 'type="date"' not in page, url


def test_a_pause_is_entered_in_boxes_and_a_half_typed_date_is_named(
    as_verified: Any, world: Any, resident: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-resident-pause", kwargs={"pk": resident.pk})
    today = timezone.localdate()
    half = client.post(
        url,
        {"start_date_0": str(today.day), "start_date_1": "", "start_date_2": str(today.year),
         "reason": "In hospital"},
    ).content.decode()  # fmt: skip
    assert "Date to pause from must include a month" in half
    assert 'href="#id_start_date_1"' in half  # the missing month's box
    assert not Pause.objects.exists()
    unreal = client.post(
        url,
        {**date_boxes("start_date", today.isoformat()), "end_date_0": "31",
         "end_date_1": "2", "end_date_2": str(today.year + 1), "reason": "In hospital"},
    ).content.decode()  # fmt: skip
    assert "Date to pause until must be a real date" in unreal
    assert not Pause.objects.exists()

    until = today + timedelta(days=10)
    done = client.post(
        url,
        {**date_boxes("start_date", today.isoformat()),
         **date_boxes("end_date", until.isoformat()), "reason": "In hospital"},
    )  # fmt: skip
    assert done.status_code == 302
    pause = Pause.objects.get()
    assert (pause.start_date, pause.end_date) == (today, until)


def test_a_pause_without_an_end_is_open(as_verified: Any, world: Any, resident: Any) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-resident-pause", kwargs={"pk": resident.pk})
    today = timezone.localdate()
    client.post(url, {**date_boxes("start_date", today.isoformat()), "reason": "Away"})
    assert Pause.objects.get().end_date is None


def test_an_agreement_is_entered_in_boxes_and_its_dates_checked(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-agreement-new", kwargs={"pk": scheme.pk})
    fields = {
        "purpose": "Welfare checks",
        "lawful_basis": "UK GDPR 6(1)(e)",
        "parties": "lambeth",
        "partner_scope": "concerns",
    }
    empty = client.post(url, fields).content.decode()
    assert "Enter the start date" in empty and "Enter the review date" in empty
    start = timezone.localdate()
    backwards = client.post(
        url,
        {**fields, **date_boxes("start_date", start.isoformat()),
         **date_boxes("review_date", (start - timedelta(days=1)).isoformat())},
    ).content.decode()  # fmt: skip
    assert "Review date must be after the start date" in backwards
    assert not DataSharingAgreement.objects.exists()

    review = start + timedelta(days=365)
    done = client.post(
        url,
        {**fields, **date_boxes("start_date", start.isoformat()),
         **date_boxes("review_date", review.isoformat())},
    )  # fmt: skip
    assert done.status_code == 302
    agreement = DataSharingAgreement.objects.get()
    assert (agreement.start_date, agreement.review_date) == (start, review)
