"""Outcomes as evidence (aggregates only), partners' view, export and erasure."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import erasure, outcomes, services
from whatworks.checkins.models import Answer, Escalation, Question, Resident, Visit
from whatworks.measures.models import Observation

pytestmark = pytest.mark.django_db


def _visit(
    resident: Any, outcome: str = "well", day: date | None = None, answers: dict | None = None
) -> Visit:
    visit, _ = services.visit_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=day or timezone.localdate(),
        outcome=outcome,
        answers=answers or {},
    )
    return visit


def _ucla(resident: Any, score: list[str]) -> dict[str, str]:
    questions = Question.objects.filter(
        module__scheme=resident.scheme, code__startswith="ucla_"
    ).order_by("code")
    return {str(q.pk): value for q, value in zip(questions, score, strict=True)}


def _initiative(world: Any, visibility: str = "peers") -> Any:
    from whatworks.initiatives import services as register

    return register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Call and Check",
        summary="Welfare visits",
        service_area="adult_care",
        visibility=visibility,
        collaborations=["sectors"],
    )


def test_it_writes_the_schemes_outcomes_to_measures(world: Any, scheme: Any, resident: Any) -> None:
    today = timezone.localdate()
    _visit(
        resident,
        answers=_ucla(resident, ["Often", "Often", "Often"]),
        day=today - timedelta(days=1),
    )  # 9
    _visit(
        resident, "concern", answers=_ucla(resident, ["Some of the time", "Hardly ever", "Often"])
    )  # 6
    escalation = Escalation.objects.get()
    services.escalation_close(escalation=escalation, actor=world["officer"], note="Done")
    outcomes.outcomes_refresh(scheme)
    month = date(today.year, today.month, 1)
    figures = {
        o.metric.name.split(": ", 1)[1]: o
        for o in Observation.objects.filter(period_start=month).select_related("metric")
    }
    assert figures["visits delivered"].value == 2
    assert figures["concerns raised"].value == 1
    assert figures["UCLA-3 change from baseline"].value == -3
    assert figures["cost per visit"].value == pytest.approx(6.75)
    assert figures["days to close a concern"].denominator == 1


def test_it_shows_aggregates_on_the_initiative_to_those_who_may_see_them(
    client_for: Any, world: Any, scheme: Any, resident: Any
) -> None:
    initiative = _initiative(world)
    scheme.initiative = initiative
    scheme.save()
    _visit(resident, "concern")
    outcomes.outcomes_refresh(scheme)
    panel = outcomes.initiative_panel(initiative, world["outsider"])
    assert panel is not None
    text = str(panel.context["rows"])
    assert "visits delivered" in text and "Edith" not in text
    assert outcomes.initiative_panel(initiative, AnonymousUser()) is None  # peers-only metrics
    page = client_for(world["outsider"]).get(initiative.get_absolute_url())
    assert b"Welfare check-in outcomes" in page.content and b"Edith" not in page.content


def test_it_shows_a_partner_only_what_the_agreement_allows(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    from tests.checkins.conftest import make_resident

    quiet = make_resident(resident.round, "Albert", "Cole")
    partner = world["outsider"]
    services.agreement_record(
        scheme=scheme,
        parties=[world.org_b],
        purpose="Welfare checks",
        lawful_basis="6(1)(e)",
        start_date=timezone.localdate() - timedelta(days=1),
        review_date=timezone.localdate() + timedelta(days=365),
        partner_scope="concerns",
        actor=world["officer"],
    )
    services.scheme_role_add(
        scheme=scheme,
        user=partner,
        role="partner",
        actor=world["officer"],
        organisation=world.org_b,
    )
    _visit(resident, "concern")
    client = as_verified(partner)
    assert client.get(reverse("checkins-resident", kwargs={"pk": resident.pk})).status_code == 200
    assert client.get(reverse("checkins-resident", kwargs={"pk": quiet.pk})).status_code == 404
    listing = client.get(reverse("checkins-residents", kwargs={"pk": scheme.pk}))
    assert b"Edith Marsh" in listing.content and b"Albert Cole" not in listing.content
    assert (
        client.get(reverse("checkins-resident-export", kwargs={"pk": resident.pk})).status_code
        == 403
    )
    # Once the agreement lapses, the partner sees nothing.
    scheme.agreements.update(review_date=timezone.localdate() - timedelta(days=1))
    assert client.get(reverse("checkins-resident", kwargs={"pk": resident.pk})).status_code == 404


def test_it_refuses_a_partner_role_without_an_agreement(world: Any, scheme: Any) -> None:
    with pytest.raises(ValidationError):
        services.scheme_role_add(
            scheme=scheme,
            user=world["outsider"],
            role="partner",
            actor=world["officer"],
            organisation=world.org_b,
        )


def test_it_erases_a_person_but_keeps_the_counts(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    _visit(resident, "concern", answers=_ucla(resident, ["Often", "Often", "Often"]))
    how = Question.objects.get(module__scheme=scheme, code="need_anything")
    _visit(resident, answers={str(how.pk): "Shopping on Tuesday"})
    client = as_verified(world["officer"])
    url = reverse("checkins-resident-erase", kwargs={"pk": resident.pk})
    assert b"Select why the record is erased" in client.post(url, {"reason": ""}).content
    assert client.post(url, {"reason": "requested"}).status_code == 302
    resident = Resident.objects.get(pk=resident.pk)
    assert (
        resident.status == "erased" and resident.postcode == "" and resident.contacts.count() == 0
    )
    assert Visit.objects.filter(resident=resident).count() == 2
    assert not Answer.objects.filter(value__contains="Shopping").exists()
    assert Answer.objects.filter(question__code__startswith="ucla_").count() == 3
    assert "Edith" not in Escalation.objects.get().summary
    outcomes.outcomes_refresh(scheme)
    month = timezone.localdate().replace(day=1)
    assert (
        Observation.objects.get(metric__name__endswith="visits delivered", period_start=month).value
        == 2
    )


def test_it_keeps_a_record_under_legal_hold(world: Any, resident: Any) -> None:
    Resident.objects.filter(pk=resident.pk).update(legal_hold=True)
    resident.refresh_from_db()
    with pytest.raises(ValidationError, match="legal hold"):
        erasure.resident_erase(resident=resident, actor=world["officer"], reason="requested")


def test_it_withdraws_consent_and_stops_visits(as_verified: Any, world: Any, resident: Any) -> None:
    from whatworks.checkins import schedule

    client = as_verified(world["officer"])
    client.post(reverse("checkins-consent-withdraw", kwargs={"pk": resident.pk}))
    resident.refresh_from_db()
    assert resident.consent_withdrawn_on == timezone.localdate() and resident.status == "closed"
    assert schedule.lists_generate(timezone.localdate()) == 0
