"""Who pays for visits: each payer's rate, each person's payer, visits costed to whoever
paid when they were made, and the cost per visit per payer among the scheme's figures."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import make_resident
from whatworks.checkins import funding, outcomes, services
from whatworks.checkins.models import PayerRate, Visit
from whatworks.core.models import AuditEvent
from whatworks.measures.models import Observation

pytestmark = pytest.mark.django_db


def _visit(round_: Any, resident: Any, on: date) -> Visit:
    visit, _ = services.visit_record(
        round_=round_, worker=round_.worker, client_uuid=uuid.uuid4(),
        resident_id=resident.pk, visited_on=on, outcome="well",
    )  # fmt: skip
    return visit


def test_rates_are_checked_named_by_payer_and_an_empty_one_is_the_schemes(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-funding", kwargs={"pk": scheme.pk})
    bad = client.post(
        url, {"rate_council": "-1", "rate_health": "lots", "rate_relative": "6.755"}
    ).content.decode()
    assert "The council or States: cost per visit must be £0 or more" in bad
    assert "The health service: cost per visit must be an amount in pounds, like 6.75" in bad
    assert "A relative or the person, privately: cost per visit must be in pounds and pence" in bad
    assert not PayerRate.objects.exists()

    client.post(url, {"rate_council": "", "rate_health": "", "rate_relative": "9.50"})
    assert funding.rates(scheme) == {
        "": Decimal("6.75"),
        "council": Decimal("6.75"),
        "health": Decimal("6.75"),
        "relative": Decimal("9.50"),
    }
    client.post(url, {"rate_relative": ""})
    assert not PayerRate.objects.exists()


def test_a_visit_is_costed_to_whoever_paid_when_it_was_made(
    as_verified: Any, world: Any, round_: Any, resident: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-resident-payer", kwargs={"pk": resident.pk})
    assert "Select who pays for the visits" in client.post(url, {}).content.decode()
    client.post(url, {"payer": "council"})
    resident.refresh_from_db()
    assert resident.payer == "council"
    event = AuditEvent.objects.get(action="checkins.resident.payer_set")
    assert event.personal_data and event.detail == {"payer": "council"}
    today = timezone.localdate()
    first = _visit(round_, resident, today)
    client.post(url, {"payer": "relative"})
    second = _visit(round_, resident, today)
    first.refresh_from_db()
    assert (first.payer, second.payer) == ("council", "relative")
    page = client.get(resident.get_absolute_url()).content.decode()
    assert "Who pays: A relative or the person, privately." in page


def test_this_months_costs_per_payer_add_up(world: Any, scheme: Any, round_: Any) -> None:
    PayerRate.objects.create(scheme=scheme, payer="relative", cost_per_visit=Decimal("9.00"))
    states, family, unknown = (
        make_resident(round_, "Edith", "Marsh"),
        make_resident(round_, "Albert", "Cole"),
        make_resident(round_, "Rose", "Le Cornu"),
    )
    states.payer, family.payer = "council", "relative"
    states.save(), family.save()
    today = timezone.localdate()
    for person, times in ((states, 2), (family, 1), (unknown, 1)):
        for _ in range(times):
            _visit(round_, person, today)
    rows = {r.label: (r.people, r.visits, r.rate, r.cost) for r in funding.costs(scheme, today)}
    assert rows == {
        "The council or States": (1, 2, Decimal("6.75"), Decimal("13.50")),
        "The health service": (0, 0, Decimal("6.75"), Decimal("0")),
        "A relative or the person, privately": (1, 1, Decimal("9.00"), Decimal("9.00")),
        "Not recorded": (1, 1, Decimal("6.75"), Decimal("6.75")),
    }


def test_the_months_cost_per_visit_weighs_each_payers_rate(
    world: Any, scheme: Any, round_: Any
) -> None:
    PayerRate.objects.create(scheme=scheme, payer="relative", cost_per_visit=Decimal("9.00"))
    states, family = make_resident(round_, "Edith", "Marsh"), make_resident(round_, "Al", "Cole")
    states.payer, family.payer = "council", "relative"
    states.save(), family.save()
    march = date(2026, 3, 10)  # older than a worker may record: as the visits were then
    for person in (states, states, family):
        Visit.objects.create(
            resident=person, round=round_, visited_on=march, outcome="well", payer=person.payer
        )
    outcomes.outcomes_refresh(scheme)

    def figure(what: str) -> tuple[float, float | None, float | None]:
        o = Observation.objects.get(
            metric__name=f"{scheme.name}: {what}", period_start=date(2026, 3, 1)
        )
        return (o.value, o.numerator, o.denominator)

    # (2 x £6.75 + 1 x £9.00) / 3 visits = £7.50.
    assert figure("cost per visit") == (7.5, 22.5, 3.0)
    assert figure(outcomes.paid_by("relative")) == (9.0, 9.0, 1.0)
    assert figure(outcomes.paid_by("council")) == (6.75, 13.5, 2.0)
    assert not Observation.objects.filter(
        metric__name=f"{scheme.name}: {outcomes.paid_by('health')}"
    ).exists()
