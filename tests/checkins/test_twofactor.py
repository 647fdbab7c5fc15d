"""Two-factor sign-in: codes are checked, never replayed, and remembered per person."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.urls import reverse

from tests.checkins.conftest import confirm_device
from whatworks.checkins import twofactor

pytestmark = pytest.mark.django_db


def test_it_accepts_a_code_once(world: Any) -> None:
    device = confirm_device(world["officer"])
    now = time.time()
    code = pyotp.TOTP(device.secret).at(now)
    assert twofactor.check_code(device, code, at=now)
    assert not twofactor.check_code(device, code, at=now)  # a replay
    assert not twofactor.check_code(device, "123", at=now)


def test_it_confirms_a_device_with_its_first_code_and_verifies_the_session(
    client: Any, world: Any, scheme: Any
) -> None:
    client.force_login(world["officer"], backend="django.contrib.auth.backends.ModelBackend")
    target = reverse("checkins-scheme", kwargs={"pk": scheme.pk})
    setup = reverse("checkins-2fa-setup")
    client.get(f"{setup}?next={target}")
    device = world["officer"].checkin_totp
    assert device.confirmed_at is None
    wrong = client.post(setup, {"code": "000000", "next": target})
    assert b"Enter the 6-digit code" in wrong.content
    response = client.post(setup, {"code": pyotp.TOTP(device.secret).now(), "next": target})
    # Set up: the recovery codes are shown once, then on to where they were going.
    assert response.status_code == 200 and b"Your recovery codes" in response.content
    assert f'href="{target}"'.encode() in response.content
    assert client.get(target).status_code == 200


def test_it_asks_again_after_signing_in_again(client: Any, world: Any, scheme: Any) -> None:
    from tests.checkins.conftest import verified_client

    verified_client(client, world["officer"])
    target = reverse("checkins-scheme", kwargs={"pk": scheme.pk})
    assert client.get(target).status_code == 200
    client.logout()
    client.force_login(world["officer"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("checkins-2fa-verify")
    )


def test_it_does_not_redirect_off_site(client: Any, world: Any) -> None:
    device = confirm_device(world["officer"])
    client.force_login(world["officer"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("checkins-2fa-verify"),
        {"code": pyotp.TOTP(device.secret).now(), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("checkins-home")
