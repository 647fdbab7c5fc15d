"""Two-factor done properly: scripted guessing is stopped (per 15 minutes and per day), the
lockout alerts the organisation's admins through the outbox, and recovery codes are hashed
and work once."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.checkins.conftest import confirm_device
from whatworks.checkins import twofactor
from whatworks.checkins.models import RecoveryCode
from whatworks.core import ratelimit
from whatworks.core.models import AuditEvent, Message

pytestmark = pytest.mark.django_db


def _signed_in(client: Any, user: Any) -> Any:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _wrong(code: str) -> str:
    """A 6-digit code that is not `code`."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def test_scripted_guessing_is_stopped_and_the_admins_are_told(
    client: Any, world: Any, scheme: Any
) -> None:
    officer = world["officer"]
    device = confirm_device(officer)
    verify = reverse("checkins-2fa-verify")
    _signed_in(client, officer)
    checked = []
    original = twofactor.check_code

    def counting(device_: Any, code: str, at: float | None = None) -> bool:
        checked.append(code)
        return original(device_, code, at)

    twofactor.check_code = counting  # type: ignore[assignment]
    try:
        answers = [
            client.post(verify, {"code": f"{guess:06d}"}).content.decode() for guess in range(100)
        ]
        # After 5 wrong codes nothing more is checked, not even the right code.
        right = client.post(verify, {"code": pyotp.TOTP(device.secret).now()})
    finally:
        twofactor.check_code = original  # type: ignore[assignment]
    assert len(checked) == 5
    assert "Too many wrong codes" in answers[5] and "Too many wrong codes" in answers[-1]
    assert right.status_code == 200 and b"Too many wrong codes" in right.content
    assert client.session.get(twofactor.SESSION_KEY) is None
    # One alert, to the organisation's admin, naming the account and nobody else.
    [alert] = Message.objects.filter(template="checkins_2fa_locked")
    assert alert.recipient == world["admin"].email
    assert alert.personalisation["person"] == officer.email
    assert AuditEvent.objects.filter(action="checkins.two_factor.locked").count() == 1


def test_guessing_across_windows_is_capped_for_the_day(world: Any, scheme: Any) -> None:
    officer = world["officer"]
    device = confirm_device(officer)
    key = str(officer.pk)
    right = pyotp.TOTP(device.secret).now()
    refused = []
    for _window in range(5):  # five 15-minute windows, 5 guesses each
        ratelimit.clear(twofactor.WRONG_CODES, key)
        refused += [twofactor.attempt(device, _wrong(right)) for _ in range(5)]
    # Each window's 5th wrong code locks it for 15 minutes; the 15th of the day, for the day.
    assert twofactor.TOO_MANY_TODAY not in refused[:14]
    assert set(refused[14:]) == {twofactor.TOO_MANY_TODAY}
    ratelimit.clear(twofactor.WRONG_CODES, key)
    assert twofactor.attempt(device, right) == twofactor.TOO_MANY_TODAY
    assert Message.objects.filter(template="checkins_2fa_locked").count() >= 1


def test_recovery_codes_are_hashed_and_work_once(client: Any, world: Any, scheme: Any) -> None:
    officer = world["officer"]
    confirm_device(officer)
    codes = twofactor.recovery_codes_issue(officer)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=officer).values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    verify = reverse("checkins-2fa-verify")
    target = reverse("checkins-scheme", kwargs={"pk": scheme.pk})
    _signed_in(client, officer)
    used = client.post(verify, {"recovery": codes[0].upper(), "next": target})
    assert used.status_code == 302 and used["Location"] == target
    assert twofactor.recovery_codes_left(officer) == 9
    _signed_in(client, officer)  # a new sign-in asks again
    again = client.post(verify, {"recovery": codes[0], "next": target})
    assert again.status_code == 200 and b"Enter the 6-digit code" in again.content
    # New codes replace the old ones.
    new = twofactor.recovery_codes_issue(officer)
    assert not twofactor.recovery_code_use(officer, codes[1])
    assert twofactor.recovery_code_use(officer, new[1])


def test_the_recovery_codes_page_makes_new_codes(as_verified: Any, world: Any, scheme: Any) -> None:
    client = as_verified(world["officer"])
    twofactor.recovery_codes_issue(world["officer"])
    url = reverse("checkins-2fa-recovery")
    page = client.get(url)
    assert b"You have 10 unused recovery codes" in page.content
    made = client.post(url)
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", made.content.decode())
    assert len(codes) == 10 and "no-store" in made["Cache-Control"]


def test_the_demo_code_command_prints_a_demo_accounts_code(settings: Any, world: Any) -> None:
    from io import StringIO

    from tests.factories import UserFactory

    demo = UserFactory(email="postie@jerseypost.demo")
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_code", "postie@jerseypost.demo", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert pyotp.TOTP(demo.checkin_totp.secret).verify(code, valid_window=1)
    with pytest.raises(CommandError, match="only shown for demo accounts"):
        call_command("demo_code", world["officer"].email)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only shown when DEBUG is on"):
        call_command("demo_code", "postie@jerseypost.demo")
