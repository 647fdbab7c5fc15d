"""First contact and baseline: accepting a referral opens a first-contact task; the person
joins the round only after agreeing; the UCLA-3 baseline is taken then and is what the
outcomes measure change from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.checkins.test_referral import _complete
from whatworks.checkins import selectors, services
from whatworks.checkins.models import Answer, FirstContact, Referral, Resident, Visit

pytestmark = pytest.mark.django_db


def _accepted(client: Any, world: Any, scheme: Any, round_: Any) -> Resident:
    _complete(client, scheme)
    return services.referral_accept(
        referral=Referral.objects.get(),
        actor=world["officer"],
        round_=round_,
        visit_days=list(range(6)),
        visit_order=1,
    )


def _ucla(scheme: Any) -> dict[str, Any]:
    return {q.code: q for q in services.baseline_questions(scheme.pk)}


def test_accepting_opens_a_first_contact_and_keeps_them_off_the_round(
    client: Any, world: Any, scheme: Any, round_: Any
) -> None:
    resident = _accepted(client, world, scheme, round_)
    contact = FirstContact.objects.get(resident=resident)
    assert contact.status == "waiting" and contact.round == round_
    assert resident.round is None and resident.status == "contacting"
    assert selectors.todays_list(round_, timezone.localdate()) == []
    assert [c.resident_id for c in selectors.dashboard(scheme).first_contacts] == [resident.pk]


def test_contacted_then_agreed_with_the_baseline_joins_the_round(
    as_verified: Any, client: Any, world: Any, scheme: Any, round_: Any
) -> None:
    resident = _accepted(client, world, scheme, round_)
    coordinator = as_verified(world["officer"])
    url = reverse("checkins-first-contact", args=[resident.pk])
    page = coordinator.get(url).content.decode()
    assert "ask the baseline questions that appear" in page
    # They sit under "They agreed to visits", shown when it is chosen.
    assert page.index("They agreed to visits") < page.index("How often do you feel that you lack")
    assert page.index("How often do you feel that you lack") < page.index("We spoke, but")
    today = timezone.localdate()
    date = {
        "contacted_on_0": today.day,
        "contacted_on_1": today.month,
        "contacted_on_2": today.year,
    }
    spoke = coordinator.post(url, {"status": "contacted", **date})
    assert spoke.status_code == 302
    contact = FirstContact.objects.get(resident=resident)
    assert contact.status == "contacted" and contact.contacted_by == world["officer"]
    # Agreed, without the baseline: refused, naming the question; nothing changes.
    missing = coordinator.post(url, {"status": "agreed", **date}).content.decode()
    assert "Select an answer to" in missing and "govuk-error-summary" in missing
    resident.refresh_from_db()
    assert resident.status == "contacting" and not Visit.objects.exists()
    answers = {f"answer_{q.pk}": "Often" for q in _ucla(scheme).values()}
    agreed = coordinator.post(url, {"status": "agreed", **date, **answers})
    assert agreed.status_code == 302
    resident.refresh_from_db()
    assert resident.status == "active" and resident.round == round_
    assert resident.periodic_last_asked == today  # not asked again at the first visit
    baseline = Visit.objects.get(resident=resident)
    assert baseline.outcome == "first_contact" and baseline.round is None
    assert set(Answer.objects.filter(visit=baseline).values_list("value", flat=True)) == {"Often"}
    assert [e.resident.pk for e in selectors.todays_list(round_, today)] == [resident.pk]
    assert coordinator.get(url).status_code == 404  # recorded: nothing more to record


def test_declined_at_first_contact_closes_the_referral(
    client: Any, world: Any, scheme: Any, round_: Any
) -> None:
    resident = _accepted(client, world, scheme, round_)
    services.first_contact_record(
        resident=resident,
        actor=world["officer"],
        status="declined",
        contacted_on=timezone.localdate(),
    )
    resident.refresh_from_db()
    assert resident.status == "declined" and resident.round is None
    with pytest.raises(ValidationError, match="already recorded"):
        services.first_contact_record(
            resident=resident,
            actor=world["officer"],
            status="agreed",
            contacted_on=timezone.localdate(),
        )


def test_a_contact_date_in_the_future_is_refused(
    client: Any, world: Any, scheme: Any, round_: Any
) -> None:
    resident = _accepted(client, world, scheme, round_)
    with pytest.raises(ValidationError, match="today or in the past"):
        services.first_contact_record(
            resident=resident,
            actor=world["officer"],
            status="contacted",
            contacted_on=timezone.localdate() + timedelta(days=1),
        )


def test_workers_cannot_record_a_first_contact_as_a_visit(resident: Any) -> None:
    import uuid

    with pytest.raises(ValidationError, match="Select what happened"):
        services.visit_record(
            round_=resident.round,
            worker=resident.round.worker,
            client_uuid=uuid.uuid4(),
            resident_id=resident.pk,
            visited_on=timezone.localdate(),
            outcome="first_contact",
        )
