"""Two-factor sign-in (TOTP) for the people who can see residents' records.

The project's sign-in page is unchanged: after it, anyone holding a role in a scheme is sent
to set up an authenticator app (once), then to type a code (once a session), before any page
of this app that shows residents. The session remembers who verified, so signing in as
someone else in the same browser starts again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import pyotp
import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import SafeString

from whatworks.checkins.models import RecoveryCode, SchemeRole, TotpDevice
from whatworks.core import audit, ratelimit
from whatworks.core.messaging import message_queue

log = logging.getLogger(__name__)

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


# Wrong codes allowed per person: 5 in 15 minutes, and 15 in a day. With three valid codes
# among a million at any moment, a script that keeps guessing gets 15 tries a day: odds of
# about 1 in 22,000 a day. Recovery codes (50 random bits) count against the same limits.
WRONG_CODES = ratelimit.Limit("two-factor", count=5, seconds=15 * 60)
WRONG_CODES_DAY = ratelimit.Limit("two-factor-day", count=15, seconds=24 * 60 * 60)
WRONG_CODE = "Enter the 6-digit code your authenticator app shows now"
TOO_MANY = "Too many wrong codes. Wait 15 minutes, then enter the code your app shows then."
TOO_MANY_TODAY = (
    "Too many wrong codes today. Try again tomorrow, or ask your scheme's coordinator or your "
    "organisation's admin for help."
)


def _locked(key: str) -> str:
    if ratelimit.over(WRONG_CODES_DAY, key):
        return TOO_MANY_TODAY
    if ratelimit.over(WRONG_CODES, key):
        return TOO_MANY
    return ""


def attempt(device: TotpDevice, code: str) -> str:
    """Check a typed code (or a recovery code) under the limits: "" when it is right, else the
    error to show. The attempt that locks the account alerts the organisation's admins."""
    key = str(device.user_id)
    locked = _locked(key)
    if locked:
        return locked
    if check_code(device, code) or recovery_code_use(device.user, code):
        return ""
    ratelimit.hit(WRONG_CODES, key)
    ratelimit.hit(WRONG_CODES_DAY, key)
    locked = _locked(key)
    if locked:
        lockout_alert(device.user, daily=locked == TOO_MANY_TODAY)
        return locked
    return WRONG_CODE


def _admin_emails(user: Any) -> tuple[Any, list[str]]:
    """The organisation that runs the person's first scheme, and its admins' addresses."""
    from whatworks.organisations.models import Membership, Role

    role = SchemeRole.objects.filter(user=user).select_related("scheme__organisation").first()
    if role is None:
        return None, []
    organisation = role.scheme.organisation
    emails = list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
    return organisation, emails


@transaction.atomic
def lockout_alert(user: Any, *, daily: bool) -> None:
    """Tell the organisation's admins (through the outbox) that someone's second step was
    locked after wrong codes: someone may hold their password."""
    organisation, emails = _admin_emails(user)
    for email in emails:
        message_queue(
            channel="email",
            recipient=email,
            template="checkins_2fa_locked",
            personalisation={
                "person": user.email,
                "organisation": organisation.name if organisation else "",
                "daily": daily,
            },
        )
    audit.record(
        "checkins.two_factor.locked",
        obj=user,
        organisation=organisation,
        detail={"daily": daily, "admins_told": len(emails)},
    )
    log.warning("Two-factor locked for user %s after wrong codes", user.pk)


# --- Recovery codes -----------------------------------------------------------------------

RECOVERY_CODES = 10


def _recovery_hash(code: str) -> str:
    """A keyed hash: the codes are random (50 bits), so a fast hash with the site's key is
    enough, and a copy of the table alone gives nothing away."""
    normal = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hmac.new(
        settings.SECRET_KEY.encode(), f"checkins-recovery:{normal}".encode(), hashlib.sha256
    ).hexdigest()


def _looks_like_recovery(code: str) -> bool:
    normal = "".join(ch for ch in (code or "") if ch.isalnum())
    return len(normal) == 10 and not normal.isdigit()


@transaction.atomic
def recovery_codes_issue(user: Any) -> list[str]:
    """New recovery codes (shown once); any earlier ones stop working."""
    RecoveryCode.objects.filter(user=user).delete()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
    codes = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_hash(code)) for code in codes
    )
    audit.record("checkins.two_factor.recovery_codes_issued", obj=user)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_code_use(user: Any, code: str) -> bool:
    """True when `code` is one of the person's unused recovery codes; it is then used up."""
    if not _looks_like_recovery(code):
        return False
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_recovery_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())  # conditional: two racing requests cannot both use it
    if used:
        audit.record("checkins.two_factor.recovery_code_used", obj=user)
    return bool(used)


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def demo_code(email: str) -> str:
    """The current code of a demo account (DEBUG only), confirming its authenticator if it
    has none, so a demo sign-in needs no phone."""
    from whatworks.organisations.models import User

    if not settings.DEBUG:
        raise PermissionError("Demo codes are only shown when DEBUG is on.")
    if not email.lower().endswith(".demo"):
        raise PermissionError("Codes are only shown for demo accounts (an address ending .demo).")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise LookupError(f"No demo account {email}: `make run` creates it.")
    device, _ = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32(), "confirmed_at": timezone.now()}
    )
    if device.confirmed_at is None:
        TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
    return str(pyotp.TOTP(device.secret).now())


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
