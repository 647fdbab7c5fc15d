"""Two-factor sign-in (TOTP) for the people who can see residents' records.

The project's sign-in page is unchanged: after it, anyone holding a role in a scheme is sent
to set up an authenticator app (once), then to type a code (once a session), before any page
of this app that shows residents. The session remembers who verified, so signing in as
someone else in the same browser starts again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import pyotp
import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import SafeString

from whatworks.checkins.models import SchemeRole, TotpDevice
from whatworks.core import ratelimit

SESSION_KEY = "checkins_2fa_user"
ISSUER = "What Works"
STEP_SECONDS = 30


def needs_two_factor(user: Any) -> bool:
    """Everyone with a role in a scheme can see some resident's record."""
    if "_checkin_needs_2fa" not in user.__dict__:
        user.__dict__["_checkin_needs_2fa"] = SchemeRole.objects.filter(user=user).exists()
    return bool(user.__dict__["_checkin_needs_2fa"])


def is_verified(request: HttpRequest) -> bool:
    return bool(
        request.user.is_authenticated and request.session.get(SESSION_KEY) == request.user.pk
    )


def mark_verified(request: HttpRequest) -> None:
    request.session.cycle_key()  # a new session id once the second factor is in
    request.session[SESSION_KEY] = request.user.pk


def confirmed_device(user: Any) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def pending_device(user: Any) -> TotpDevice:
    """The device being set up: a fresh secret until the first code confirms it."""
    device, _ = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    return device


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> SafeString:
    """The QR code as inline SVG (no external image, so the page keeps its strict CSP)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff")
    return SafeString(svg.replace("<svg ", '<svg role="img" aria-label="QR code to scan" ', 1))


def check_code(device: TotpDevice, code: str, at: float | None = None) -> bool:
    """True when `code` is valid now (one step of clock drift either way) and not yet used."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(device.secret)
    now = time.time() if at is None else at
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step <= device.last_step:
            continue  # a code, once accepted, cannot be replayed
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            # Conditional update: two requests racing with the same code cannot both win.
            won = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
                last_step=step,
                confirmed_at=device.confirmed_at or timezone.now(),
            )
            if won:
                device.last_step = step
                device.confirmed_at = device.confirmed_at or timezone.now()
                return True
    return False


# Wrong codes allowed per person in 15 minutes: with three valid codes among a million,
# guessing within this budget has odds of about 1 in 70,000 a day.
WRONG_CODES = ratelimit.Limit("two-factor", count=5, seconds=15 * 60)
WRONG_CODE = "Enter the 6-digit code your authenticator app shows now"
TOO_MANY = "Too many wrong codes. Wait 15 minutes, then enter the code your app shows then."


def attempt(device: TotpDevice, code: str) -> str:
    """Check a typed code under the limit: "" when it is right, else the error to show."""
    key = str(device.user_id)
    if ratelimit.over(WRONG_CODES, key):
        return TOO_MANY
    if check_code(device, code):
        return ""
    ratelimit.hit(WRONG_CODES, key)
    return WRONG_CODE


def two_factor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and, for anyone with a scheme role, a second factor in this session; and
    the response marked "no-store".

    People with no role go on to the view, whose access check answers 404: they see nothing.
    """

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_verified(request) and needs_two_factor(request.user):
            target = (
                "checkins-2fa-verify" if confirmed_device(request.user) else "checkins-2fa-setup"
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(target)}?{query}")
        response = view(request, *args, **kwargs)
        # Pages behind the second factor show residents: never kept by a browser's or a
        # proxy's cache (a shared computer's back button, a kiosk's history).
        add_never_cache_headers(response)
        return response

    return wrapped
