"""Referral: the public question pages, their check-answers page, and what may be accepted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import agree_at_first_contact, date_boxes
from whatworks.checkins import services
from whatworks.checkins.models import Referral, Resident
from whatworks.checkins.views_referral import REFERRALS_PER_HOUR

pytestmark = pytest.mark.django_db

ANSWERS = {
    "referrer": {"referrer_kind": "gp", "referrer_name": "Dr Okafor", "reason": "Lives alone"},
    "person": {
        "given_name": "Edith",
        "family_name": "Marsh",
        **date_boxes("date_of_birth", "1936-05-02"),
        "address_line_1": "3 Beacon Road",
        "postcode": "tn61aa",
        "nhs_number": "9434765919",
    },
    "consent": {
        "consent": "on",
        **date_boxes("consent_given_on", "2026-01-05"),
        "consent_method": "verbal",
    },
    "contact": {
        "contact_name": "Ruth Marsh",
        "contact_relationship": "daughter",
        "contact_phone": "07912 345678",
        "contact_lives_locally": "on",
    },
    "health": {"gp_practice_ods": "G81001"},
}


def _step(client: Any, scheme: Any, step: str, data: dict[str, str]) -> Any:
    url = reverse("checkins-refer-step", kwargs={"token": scheme.referral_token, "step": step})
    return client.post(url, data)


def _complete(client: Any, scheme: Any) -> Any:
    for step, data in ANSWERS.items():
        response = _step(client, scheme, step, data)
        assert response.status_code == 302, response.content
    return client.post(reverse("checkins-refer-check", kwargs={"token": scheme.referral_token}))


def test_it_takes_a_referral_from_someone_without_an_account(client: Any, scheme: Any) -> None:
    response = _complete(client, scheme)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == "waiting" and referral.referrer_kind == "gp"
    resident = referral.resident
    assert (resident.postcode, resident.nhs_number, resident.gp_practice_ods) == (
        "TN6 1AA",
        "9434765919",
        "G81001",
    )
    assert resident.contacts.get().phone == "+447912345678"
    # The draft is gone: the check-answers page now starts again.
    again = client.get(reverse("checkins-refer-check", kwargs={"token": scheme.referral_token}))
    assert again.status_code == 302 and again["Location"].endswith("/referrer/")


def test_it_names_the_bad_fields_on_a_question_page(client: Any, scheme: Any) -> None:
    bad = {**ANSWERS["person"], "postcode": "nowhere", "nhs_number": "9434765918", "phone": "123"}
    response = _step(client, scheme, "person", bad)
    assert response.status_code == 200
    summary = response.content.decode()
    assert 'href="#id_postcode"' in summary and "Enter a real postcode" in summary
    assert "Enter a valid NHS number" in summary
    assert "phone number in the correct format" in summary
    assert Resident.objects.count() == 0


def test_it_refuses_a_referral_without_consent_or_a_local_contact(client: Any, scheme: Any) -> None:
    assert (
        _step(client, scheme, "consent", date_boxes("consent_given_on", "2026-01-05")).status_code
        == 200
    )
    local = _step(client, scheme, "contact", {**ANSWERS["contact"], "contact_lives_locally": ""})
    assert b"At least one nominated contact must live locally" in local.content
    data = {
        "referrer_kind": "gp",
        "referrer_name": "X",
        "reason": "Y",
        "given_name": "A",
        "family_name": "B",
        "date_of_birth": "1930-01-01",
        "address_line_1": "1 Road",
        "postcode": "TN6 1AA",
        "consent_given_on": "2026-01-01",
        "contacts": [],
    }
    with pytest.raises(ValidationError) as error:
        services.referral_submit(scheme=scheme, data=data)
    assert {"consent", "contact_name"} <= set(error.value.message_dict)
    assert Resident.objects.count() == 0


def test_it_flags_a_possible_duplicate_to_the_coordinator(
    client: Any, scheme: Any, resident: Any
) -> None:
    _complete(client, scheme)
    assert Referral.objects.get().possible_duplicate_of == resident


def test_it_limits_referrals_from_one_address(client: Any, scheme: Any) -> None:
    cache.clear()
    for _ in range(REFERRALS_PER_HOUR):
        assert _complete(client, scheme).status_code == 302
    assert _complete(client, scheme).status_code == 429
    assert Referral.objects.count() == REFERRALS_PER_HOUR


def test_it_answers_404_for_an_unknown_link(client: Any, scheme: Any) -> None:
    assert client.get(reverse("checkins-refer-start", kwargs={"token": "guess"})).status_code == 404


def test_it_accepts_only_with_consent_and_places_on_a_round(
    world: Any, client: Any, scheme: Any, round_: Any
) -> None:
    _complete(client, scheme)
    referral = Referral.objects.get()
    with pytest.raises(ValidationError):
        services.referral_accept(
            referral=referral,
            actor=world["officer"],
            round_=round_,
            visit_days=[0, 1, 2, 3, 4, 5, 6],
            visit_order=1,
        )
    Resident.objects.filter(pk=referral.resident_id).update(
        consent_withdrawn_on=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="consent"):
        services.referral_accept(
            referral=referral,
            actor=world["officer"],
            round_=round_,
            visit_days=[0, 2],
            visit_order=1,
        )
    Resident.objects.filter(pk=referral.resident_id).update(consent_withdrawn_on=None)
    resident = services.referral_accept(
        referral=referral,
        actor=world["officer"],
        round_=round_,
        visit_days=[0, 2, 4],
        visit_order=3,
    )
    # Accepted, but on no round until they agree at first contact.
    assert resident.status == "contacting" and resident.round is None
    resident = agree_at_first_contact(resident, world["officer"])
    assert resident.status == "active" and resident.round == round_
    assert resident.visit_day_names == ["Monday", "Wednesday", "Friday"]


def test_a_scheme_asks_only_for_its_own_health_identifier(
    client: Any, world: Any, scheme: Any
) -> None:
    from whatworks.checkins.models import Scheme

    Scheme.objects.filter(pk=scheme.pk).update(
        health_identifier="local", local_identifier_label="Jersey health number"
    )
    scheme.refresh_from_db()
    url = reverse("checkins-refer-step", kwargs={"token": scheme.referral_token, "step": "person"})
    page = client.get(url).content.decode()
    assert "Jersey health number" in page and "NHS number" not in page
    # A referral carrying an NHS number is refused, naming it, and nothing is stored.
    data = {
        "referrer_kind": "gp",
        "referrer_name": "Dr Le Brocq",
        "reason": "Lives alone",
        "given_name": "Marie",
        "family_name": "Le Cornu",
        "date_of_birth": "1934-03-01",
        "address_line_1": "2 Rue des Pres",
        "postcode": "JE2 3AB",
        "nhs_number": "943 476 5919",
        "consent": True,
        "consent_given_on": "2026-01-04",
        "contacts": [{"name": "Anne", "relationship": "niece", "lives_locally": True}],
    }
    with pytest.raises(ValidationError) as refused:
        services.referral_submit(scheme=scheme, data=data)
    assert refused.value.message_dict["nhs_number"] == [
        "Call and Check Wealden does not use NHS numbers: leave it out"
    ]
    assert not Referral.objects.exists()
    data.pop("nhs_number")
    referral = services.referral_submit(scheme=scheme, data={**data, "local_identifier": "je 123"})
    assert referral.resident.local_identifier == "JE 123"


def test_the_public_pages_carry_the_schemes_name_and_no_site_navigation(
    client: Any, scheme: Any
) -> None:
    page = client.get(
        reverse("checkins-refer-start", kwargs={"token": scheme.referral_token})
    ).content.decode()
    assert 'class="govuk-service-navigation__link">Call and Check Wealden</a>' in page
    assert "govuk-service-navigation__list" not in page  # no Initiatives, Forum, Sign in...
    assert ">Sign in<" not in page
