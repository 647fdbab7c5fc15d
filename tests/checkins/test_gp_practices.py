"""GP practices named the scheme's way: by NHS ODS code, or from the scheme's own list (where
practices have no ODS code, as in Jersey). The referral asks accordingly, and a concern is
emailed only to the list's verified address."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.test_referral import ANSWERS, _step
from whatworks.checkins import services
from whatworks.checkins.forms import NOT_LISTED
from whatworks.checkins.models import PracticeAddress, Referral
from whatworks.core.models import AuditEvent, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_list(world: Any, scheme: Any) -> Any:
    """The scheme names practices from its own list, with two practices on it."""
    services.practice_naming_set(scheme=scheme, naming="own", actor=world["officer"])
    for name, email in (("Cleveland Clinic", "cleveland@example.je"), ("Lido", "lido@example.je")):
        services.practice_address_save(
            scheme=scheme, name=name, email=email, actor=world["officer"]
        )
    return scheme


def _refer(client: Any, scheme: Any, health: dict[str, str]) -> Any:
    for step, data in {**ANSWERS, "health": health}.items():
        assert _step(client, scheme, step, data).status_code == 302, step
    check = reverse("checkins-refer-check", kwargs={"token": scheme.referral_token})
    assert client.post(check).status_code == 302
    return Referral.objects.latest("pk").resident


def test_the_referral_offers_the_scheme_s_list_by_name_and_no_ods_code(
    client: Any, own_list: Any
) -> None:
    url = reverse(
        "checkins-refer-step", kwargs={"token": own_list.referral_token, "step": "health"}
    )
    page = client.get(url).content.decode()
    assert "Cleveland Clinic" in page and "Not listed, or not known" in page
    assert "ODS code" not in page and "GP practice email address" not in page
    refused = _step(client, own_list, "health", {"gp_practice_name": "Somewhere else"})
    assert "Select their GP practice from the list" in refused.content.decode()

    listed = _refer(client, own_list, {"gp_practice_name": "Cleveland Clinic"})
    assert (listed.gp_practice_name, listed.gp_practice_ods) == ("Cleveland Clinic", "")
    typed = _refer(
        client,
        own_list,
        {"gp_practice_name": NOT_LISTED, "gp_practice_other": " St Brelade Practice "},
    )
    assert (typed.gp_practice_name, typed.gp_practice_email) == ("St Brelade Practice", "")


def test_a_concern_is_emailed_to_the_listed_practice_and_not_to_one_only_typed(
    client: Any, own_list: Any, round_: Any
) -> None:
    listed = _refer(client, own_list, {"gp_practice_name": "Lido"})
    typed = _refer(client, own_list, {"gp_practice_name": NOT_LISTED, "gp_practice_other": "X"})
    for person in (listed, typed):
        person.status, person.round = "active", round_
        person.save()
        services.visit_record(
            round_=round_,
            worker=round_.worker,
            client_uuid=uuid.uuid4(),
            resident_id=person.pk,
            visited_on=timezone.localdate(),
            outcome="concern",
        )
    assert list(
        Message.objects.filter(template="checkins_gp").values_list("recipient", flat=True)
    ) == ["lido@example.je"]


def test_the_coordinator_keeps_the_list_by_name_and_chooses_how_practices_are_named(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    page = reverse("checkins-practices", kwargs={"pk": scheme.pk})
    naming = reverse("checkins-practice-naming", kwargs={"pk": scheme.pk})
    assert "ODS code" in client.get(page).content.decode()  # the default
    refused = client.post(naming, {"gp_practices": "by-postcode"}).content.decode()
    assert "Select a valid choice" not in refused  # the error says what to do
    assert "Select how the referral asks for the GP practice" in refused
    assert client.post(naming, {"gp_practices": "own"}).status_code == 302
    scheme.refresh_from_db()
    assert scheme.gp_practices == "own"
    assert AuditEvent.objects.filter(action="checkins.practices.naming").count() == 1

    assert 'name="ods_code"' not in client.get(page).content.decode()
    for email in ("old@example.je", "new@example.je"):  # the same name again corrects it
        client.post(page, {"name": "Cleveland Clinic", "email": email})
    assert list(PracticeAddress.objects.values_list("name", "ods_code", "email")) == [
        ("Cleveland Clinic", "", "new@example.je")
    ]
    empty = client.post(page, {"name": " ", "email": "x@example.je"}).content.decode()
    assert "Enter its name" in empty
