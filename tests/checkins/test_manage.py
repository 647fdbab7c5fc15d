"""The coordinator's settings: roles, cover, questions, retention reviews."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import date_boxes
from whatworks.checkins import retention
from whatworks.checkins.models import (
    Cover,
    DisposalReview,
    Question,
    Resident,
    RetentionPolicy,
    SchemeRole,
)

pytestmark = pytest.mark.django_db


def test_it_adds_a_worker_and_refuses_a_partner_without_an_agreement(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-people", kwargs={"pk": scheme.pk})
    added = client.post(url, {"email": world["volunteer"].email, "role": "worker"})
    assert added.status_code == 302
    assert SchemeRole.objects.filter(scheme=scheme, user=world["volunteer"], role="worker").exists()
    refused = client.post(
        url, {"email": world["outsider"].email, "role": "partner", "organisation": "lambeth"}
    )
    assert b"Record a data-sharing agreement naming this organisation first" in refused.content
    unknown = client.post(url, {"email": "nobody@example.org", "role": "worker"})
    assert b"must belong to someone with an account" in unknown.content


def test_it_records_holiday_cover(as_verified: Any, world: Any, round_: Any) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-cover-new", kwargs={"pk": round_.pk})
    today = timezone.localdate()
    first = date_boxes("start_date", today.isoformat())
    yesterday = date_boxes("end_date", (today - timedelta(days=1)).isoformat())
    backwards = client.post(url, {**first, **yesterday})
    assert b"End date must be on or after the start date" in backwards.content
    last = date_boxes("end_date", today.isoformat())
    client.post(url, {**first, **last, "worker_email": world["admin"].email})
    cover = Cover.objects.get()
    assert cover.worker == world["admin"]
    # The cover worker now sees the round today (after their own second factor).
    cover_client = as_verified(world["admin"])
    page = cover_client.get(reverse("checkins-round-today", kwargs={"pk": round_.pk}))
    assert page.status_code == 200


def test_it_adds_a_question_to_a_new_set(as_verified: Any, world: Any, scheme: Any) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-question-new", kwargs={"pk": scheme.pk})
    bad = client.post(
        url, {"text": "Falls?", "code": "how_are_you", "kind": "choice", "choices": "A"}
    )
    content = bad.content.decode()
    assert "Select a question set or name a new one" in content
    assert "Enter at least 2 answers to choose from" in content
    assert "Short name is already used" in content
    client.post(url, {"new_module": "Falls", "text": "Any falls this week?", "code": "falls",
                      "kind": "yes_no"})  # fmt: skip
    question = Question.objects.get(code="falls")
    assert question.module.name == "Falls" and not question.module.generic


def test_it_reviews_records_past_retention_before_disposal(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    Resident.objects.filter(pk=resident.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=800)
    )
    assert retention.reviews_open(timezone.localdate()) == 1
    assert retention.reviews_open(timezone.localdate()) == 0  # once
    review = DisposalReview.objects.get()
    client = as_verified(world["officer"])
    url = reverse("checkins-retention", kwargs={"pk": scheme.pk})
    assert b"Edith Marsh" in client.get(url).content
    client.post(url, {"review": review.pk, "decision": "dispose"})
    resident.refresh_from_db()
    assert resident.status == "erased"
    client.post(url, {"closed_resident": 20, "declined_referral": 180, "visit_note": 365})
    assert (
        RetentionPolicy.objects.get(scheme=scheme, record_type="closed_resident").keep_days == 730
    )
    client.post(url, {"closed_resident": 400, "declined_referral": 180, "visit_note": 365})
    assert (
        RetentionPolicy.objects.get(scheme=scheme, record_type="closed_resident").keep_days == 400
    )
