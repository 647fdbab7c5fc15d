"""Fixtures for the checkins tests: a scheme of organisation A whose coordinator is A's
officer and whose round is worked by A's frontline worker, with one resident on it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyotp
import pytest
from django.utils import timezone

from tests.conftest import World
from whatworks.checkins import services, twofactor
from whatworks.checkins.models import (
    ConsentMethod,
    NominatedContact,
    Resident,
    ResidentStatus,
    Round,
    Scheme,
    TotpDevice,
)


def make_scheme(w: World, name: str = "Call and Check Wealden", coordinator: Any = None) -> Scheme:
    return services.scheme_create(
        organisation=w.org_a,
        name=name,
        actor=coordinator or w["officer"],
        coordinator_phone="01273 123456",
    )


def make_round(scheme: Scheme, worker: Any, name: str = "Walk 12, Crowborough") -> Round:
    return services.round_create(
        scheme=scheme, name=name, kind="postal", worker=worker, actor=scheme.created_by
    )


def make_resident(
    round_: Round, given: str = "Edith", family: str = "Marsh", **extra: Any
) -> Resident:
    fields = {
        "scheme": round_.scheme,
        "round": round_,
        "status": ResidentStatus.ACTIVE,
        "given_name": given,
        "family_name": family,
        "date_of_birth": date(1936, 5, 2),
        "address_line_1": "3 Beacon Road",
        "town": "Crowborough",
        "postcode": "TN6 1AA",
        "visit_days": 127,
        "consent_given_on": date(2026, 1, 5),
        "consent_method": ConsentMethod.VERBAL,
        "gp_practice_email": "practice@example.nhs.uk",
        "gp_practice_name": "Beacon Surgery",
        **extra,
    }
    resident = Resident.objects.create(**fields)
    NominatedContact.objects.create(
        resident=resident,
        name="Ruth Marsh",
        relationship="daughter",
        phone="+447912345678",
        email="ruth@example.org",
        lives_locally=True,
    )
    return resident


def send_surveys(scheme: Any, on: date | None = None) -> dict[str, str]:
    """Start the scheme's peace-of-mind surveys and send those due `on` (today); returns each
    recipient's link token, read from the message as the contact would read it."""
    from whatworks.checkins import peace_of_mind
    from whatworks.core.models import Message

    if scheme.surveys_started_at is None:
        peace_of_mind.surveys_set(scheme=scheme, on=True, actor=None)
    before = set(Message.objects.values_list("pk", flat=True))
    peace_of_mind.surveys_send(on or timezone.localdate())
    sent = Message.objects.exclude(pk__in=before).filter(template="checkins_peace_of_mind")
    return {m.recipient: m.personalisation["link"].rstrip("/").rsplit("/", 1)[1] for m in sent}


def date_boxes(name: str, iso: str) -> dict[str, str]:
    """A date as a person types it into the GOV.UK date input's three boxes."""
    year, month, day = iso.split("-")
    return {f"{name}_0": str(int(day)), f"{name}_1": str(int(month)), f"{name}_2": year}


def confirm_device(user: Any) -> TotpDevice:
    device = TotpDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    return device


def verified_client(client: Any, user: Any) -> Any:
    """The test client signed in as `user` with the second factor done for this session."""
    client.logout()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if not TotpDevice.objects.filter(user=user).exists():
        confirm_device(user)
    session = client.session
    session[twofactor.SESSION_KEY] = user.pk
    session.save()
    return client


@pytest.fixture
def scheme(world: World) -> Scheme:
    return make_scheme(world)


@pytest.fixture
def round_(world: World, scheme: Scheme) -> Round:
    return make_round(scheme, world["frontline"])


@pytest.fixture
def resident(round_: Round) -> Resident:
    return make_resident(round_)


@pytest.fixture
def as_verified(client: Any) -> Any:
    def sign_in(user: Any) -> Any:
        return verified_client(client, user)

    return sign_in


def agree_at_first_contact(resident: Any, actor: Any) -> Resident:
    """The coordinator's first contact: they agree, with the baseline answered."""
    answers = {q.pk: q.options()[0] for q in services.baseline_questions(resident.scheme_id)}
    services.first_contact_record(
        resident=resident,
        actor=actor,
        status="agreed",
        contacted_on=timezone.localdate(),
        answers=answers,
    )
    resident.refresh_from_db()
    return resident
