"""One rate limiter (whatworks.core.ratelimit) on one client address (whatworks.core.network),
serving join codes, referrals, password resets, two-factor codes and sign-in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.checkins.conftest import confirm_device, make_scheme
from tests.checkins.test_referral import ANSWERS
from tests.ideas.support import campaign_for
from whatworks.checkins.models import Referral
from whatworks.core import ratelimit
from whatworks.core.models import Message
from whatworks.ideas import services as ideas_services

PROXY = "10.0.0.5"
REPO = Path(__file__).resolve().parents[2]


def test_it_counts_attempts_per_key_within_a_window(monkeypatch):
    limit = ratelimit.Limit("test", count=3, seconds=60)
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert [ratelimit.hit(limit, "a") for _ in range(4)] == [False, False, False, True]
    assert ratelimit.over(limit, "a")
    assert not ratelimit.hit(limit, "b")  # another key has its own count
    now[0] += 60  # the next window starts afresh
    assert not ratelimit.over(limit, "a")
    assert not ratelimit.hit(limit, "a")


def test_it_reads_a_setting_each_time(settings):
    limit = ratelimit.Limit("test-setting", count=lambda: settings.IDEAS_JOIN_ATTEMPTS, seconds=60)
    settings.IDEAS_JOIN_ATTEMPTS = 1
    assert not ratelimit.hit(limit, "a")
    assert ratelimit.hit(limit, "a")


def test_it_keeps_keys_out_of_the_cache_in_the_clear():
    from django.core.cache import cache

    ratelimit.hit(ratelimit.Limit("test", count=3, seconds=60), "person@example.org")
    keys = list(cache._cache.keys())  # local memory in tests
    assert keys and not any("person@example.org" in key for key in keys)


def test_it_has_no_other_counter_in_the_cache():
    """One mechanism: no hand-written counter in the cache anywhere else in the project."""
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "whatworks").rglob("*.py")
        if path.name != "ratelimit.py" and re.search(r"cache\.incr\(", path.read_text())
    ]
    assert offenders == []


def _via_proxy(client: Any, address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


# --- Behind a proxy each client has its own bucket (the reproduction: one bucket for all)


@pytest.mark.django_db
def test_it_limits_join_codes_per_client_behind_the_proxy(world, client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.IDEAS_JOIN_ATTEMPTS = 3
    campaign = campaign_for(world)
    code = ideas_services.join_code_create(campaign=campaign, label="", actor=world["admin"])
    url = reverse("ideas-join")
    for _ in range(3):
        client.post(url, {"code": "WRONGCODE1"}, **_via_proxy(client, "198.51.100.1"))
    over = client.post(url, {"code": code.code}, **_via_proxy(client, "198.51.100.1"))
    assert over.status_code == 429
    # A colleague elsewhere, through the same proxy, is not locked out with them.
    other = client.post(url, {"code": code.code}, **_via_proxy(client, "198.51.100.2"))
    assert other.status_code == 302


@pytest.mark.django_db
def test_it_limits_referrals_per_client_behind_the_proxy(world, client, settings, monkeypatch):
    from whatworks.checkins import views_referral

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    monkeypatch.setattr(
        views_referral,
        "REFERRAL_LIMIT",
        ratelimit.Limit("checkins-referrals", count=2, seconds=3600),
    )
    scheme = make_scheme(world)

    def refer(address: str) -> int:
        for step, data in ANSWERS.items():
            url = reverse(
                "checkins-refer-step", kwargs={"token": scheme.referral_token, "step": step}
            )
            client.post(url, data, **_via_proxy(client, address))
        check = reverse("checkins-refer-check", kwargs={"token": scheme.referral_token})
        return client.post(check, **_via_proxy(client, address)).status_code

    assert [refer("198.51.100.1") for _ in range(3)] == [302, 302, 429]
    assert refer("198.51.100.2") == 302
    assert Referral.objects.count() == 3


@pytest.mark.django_db
def test_it_locks_out_sign_in_per_client_behind_the_proxy(world, client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    email = world["officer"].email
    url = reverse("sign-in")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": email, "password": "wrong"}, **_via_proxy(client, "1.1.1.1"))
    locked = client.post(
        url,
        {"username": email, "password": "correct horse battery"},
        **_via_proxy(client, "1.1.1.1"),
    )
    assert locked.status_code == 429
    fine = client.post(
        url,
        {"username": email, "password": "correct horse battery"},
        **_via_proxy(client, "2.2.2.2"),
    )
    assert fine.status_code == 302


# --- Sign-in: password spraying across usernames


@pytest.mark.django_db
def test_it_limits_failed_sign_ins_per_address_across_usernames(world, client, settings):
    """The reproduction: a lockout per username and address let one password be tried
    against every account."""
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 4
    url = reverse("sign-in")
    for persona in ["admin", "officer", "analyst", "frontline"]:  # each account tried once
        response = client.post(url, {"username": world[persona].email, "password": "Summer2025!"})
        assert "Enter a correct email address and password" in response.content.decode()
    response = client.post(
        url, {"username": world["volunteer"].email, "password": "correct horse battery"}
    )
    assert response.status_code == 200
    assert "Too many failed sign-ins from this connection" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- Password reset


@pytest.mark.django_db
def test_it_sends_at_most_three_reset_links_an_hour_to_one_address(world, client):
    """The reproduction: 15 reset emails to one address in seconds."""
    email = world["officer"].email
    for _ in range(15):
        response = client.post(reverse("password-reset"), {"email": email})
        assert response.status_code in (302, 429)
    sent = Message.objects.filter(template="password_reset", recipient=email).count()
    assert sent == 3


@pytest.mark.django_db
def test_it_limits_reset_requests_per_client_address(world, client):
    for i in range(10):
        response = client.post(reverse("password-reset"), {"email": f"nobody{i}@example.org"})
        assert response.status_code == 302
    response = client.post(reverse("password-reset"), {"email": world["officer"].email})
    assert response.status_code == 429
    assert "Too many password resets" in response.content.decode()
    assert not Message.objects.filter(recipient=world["officer"].email).exists()


# --- Two-factor codes


@pytest.mark.django_db
def test_it_limits_wrong_two_factor_codes(world, client):
    import pyotp

    from whatworks.checkins.models import SchemeRole

    scheme = make_scheme(world)
    assert SchemeRole.objects.filter(scheme=scheme, user=world["officer"]).exists()
    device = confirm_device(world["officer"])
    client.force_login(world["officer"], backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("checkins-2fa-verify")
    for _ in range(4):
        response = client.post(url, {"code": "000000"})
        assert "Enter the 6-digit code" in response.content.decode()
    # The fifth wrong code locks it, and the person is told at once.
    response = client.post(url, {"code": "000000"})
    assert "Too many wrong codes" in response.content.decode()
    right = pyotp.TOTP(device.secret).now()
    response = client.post(url, {"code": right})
    assert response.status_code == 200
    # Even the right code is refused until the window passes.
    assert "Too many wrong codes" in response.content.decode()
