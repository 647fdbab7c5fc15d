"""Pages that went through core.forms.submit and act keep what they did: the referral decision's
two forms, the check-answers page's refusal, retention decisions and periods, removals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.checkins.test_referral import ANSWERS, _complete, _step
from whatworks.checkins import services
from whatworks.checkins.models import (
    DisposalReview,
    PracticeAddress,
    Question,
    Referral,
    RetentionPolicy,
)
from whatworks.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _said(response: Any) -> list[str]:
    """The messages a redirect carries; the page it leads to shows (and so uses up) them."""
    said = [str(m) for m in get_messages(response.wsgi_request)]
    response.client.get(response["Location"])
    return said


def test_the_referral_page_handles_only_the_form_whose_button_was_pressed(
    as_verified: Any, client: Any, world: Any, scheme: Any, round_: Any
) -> None:
    _complete(client, scheme)
    referral = Referral.objects.get()
    coordinator = as_verified(world["officer"])
    url = reverse("checkins-referral", kwargs={"pk": referral.pk})
    empty = coordinator.post(url, {"decline": "1", "decline-note": ""})
    assert empty.status_code == 200
    assert empty.context["form"] is empty.context["decline"]
    assert not empty.context["accept"].is_bound
    assert b"Enter why the referral is declined" in empty.content
    declined = coordinator.post(url, {"decline": "1", "decline-note": "Moved away"})
    assert declined.status_code == 302 and declined["Location"] == scheme.get_absolute_url()
    assert _said(declined) == ["The referral is declined."]
    # Once decided, neither button does anything: the page is shown again, unchanged.
    again = coordinator.post(url, {"accept": "1", "accept-round": round_.pk})
    assert again.status_code == 200
    assert not again.context["accept"].is_bound and not again.context["decline"].is_bound
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED


def test_a_refused_referral_is_shown_on_the_check_page_and_the_draft_kept(
    client: Any, scheme: Any, monkeypatch: Any
) -> None:
    for step, data in ANSWERS.items():
        assert _step(client, scheme, step, data).status_code == 302

    def refuse(**_: Any) -> None:
        raise ValidationError({"consent": "Record how they gave consent"})

    monkeypatch.setattr(services, "referral_submit", refuse)
    url = reverse("checkins-refer-check", kwargs={"token": scheme.referral_token})
    refused = client.post(url)
    assert refused.status_code == 200
    assert refused.context["error"] == "Record how they gave consent"
    assert client.get(url).status_code == 200  # the draft is still there


def test_retention_decisions_and_periods_say_what_happened(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    review = DisposalReview.objects.create(
        scheme=scheme, resident=resident, record_type="closed_resident", due_on=date(2026, 1, 1)
    )
    client = as_verified(world["officer"])
    url = reverse("checkins-retention", kwargs={"pk": scheme.pk})
    kept = client.post(url, {"review": review.pk, "decision": "keep"})
    assert kept.status_code == 302 and kept["Location"] == url
    assert _said(kept) == ["The decision is recorded."]
    review.refresh_from_db()
    assert review.decision == "kept"
    DisposalReview.objects.filter(pk=review.pk).update(decided_at=None)
    resident.legal_hold = True
    resident.save(update_fields=["legal_hold"])
    held = client.post(url, {"review": review.pk, "decision": "dispose"})
    assert held.status_code == 302 and held["Location"] == url
    assert _said(held) == ["This record is under a legal hold"]
    saved = client.post(url, {"closed_resident": 400, "declined_referral": 180, "visit_note": 365})
    assert saved.status_code == 302 and _said(saved) == ["The retention periods are saved."]
    assert RetentionPolicy.objects.get(scheme=scheme, record_type="visit_note").keep_days == 365
    event = AuditEvent.objects.filter(action="checkins.retention.changed").get()
    assert event.actor == world["officer"] and event.detail["closed_resident"] == 400


def test_removing_a_question_and_a_practice_says_so(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    question = services.question_add(
        scheme=scheme, module=None, new_module="Falls", code="falls", text="Any falls?",
        kind="yes_no", options=[], actor=world["officer"],
    )  # fmt: skip
    removed = client.post(reverse("checkins-question-remove", kwargs={"pk": question.pk}))
    assert removed.status_code == 302
    assert removed["Location"] == reverse("checkins-rules", kwargs={"pk": scheme.pk})
    assert _said(removed) == ["The question is removed."]
    assert not Question.objects.filter(pk=question.pk).exists()
    practice = services.practice_address_save(
        scheme=scheme, ods_code="G81001", name="Beacon Surgery",
        email="beacon@example.nhs.uk", actor=world["officer"],
    )  # fmt: skip
    gone = client.post(reverse("checkins-practice-remove", kwargs={"pk": practice.pk}))
    assert gone["Location"] == reverse("checkins-practices", kwargs={"pk": scheme.pk})
    assert _said(gone) == ["Beacon Surgery is removed: concerns will not be emailed there."]
    assert not PracticeAddress.objects.exists()
