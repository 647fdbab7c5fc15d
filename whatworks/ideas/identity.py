"""Who is taking part, as the campaign may know it: a keyed hash, never a person.

A signed-in member is `user:<id>`; someone who came in with a personal join code is
`code:<id>` (the same person in every browser they join from, so joining again gives no
second vote); someone who came in with a poster code carries a random token in a signed
cookie (and may not vote: nothing tells them apart from themselves in a fresh browser).
Any of these is turned into keys with HMAC-SHA256 under the campaign's own key (keys.py),
which is not in the database: whoever reads the tables (an organisation admin, site staff,
a database reader) sees only the hashes and cannot turn them back into a person; once the
campaign closes the key is destroyed and the hashes replaced, so nobody can at all. The
purpose ("author" or "voter") is part of the message, so an anonymous idea cannot be linked
to its author's votes; the campaign is too (for campaigns from before per-campaign keys,
which share the old site-wide key).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from whatworks.ideas import keys

COOKIE_SALT = "whatworks.ideas.participant"
COOKIE_MAX_AGE = 60 * 60 * 24 * 60  # the longest campaign we expect; codes expire sooner


def cookie_name(campaign_id: int) -> str:
    return f"ideas_p{campaign_id}"


def keyed(purpose: str, campaign_id: int, subject: str, key: bytes | None = None) -> str:
    """The hash standing in for `subject`; raises keys.TakingPartClosed once the
    campaign's key is destroyed."""
    message = f"{purpose}|{campaign_id}|{subject}".encode()
    secret = key if key is not None else keys.campaign_key(campaign_id)
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Identity:
    """One person taking part in one campaign."""

    campaign_id: int
    subject: str  # "user:12" or "participant:<token>"; never stored
    user: Any = None  # the signed-in person, or None for a join-code participant
    name: str = ""  # the optional name a join-code participant gave
    code_id: int | None = None  # the join code a participant came in with
    may_vote: bool = True  # False for a poster code's participant
    key: bytes | None = field(default=None, repr=False, compare=False)  # if already read

    @cached_property
    def _key(self) -> bytes:
        # Read once per identity (a request), from the key file.
        return self.key if self.key is not None else keys.campaign_key(self.campaign_id)

    def _keyed(self, purpose: str) -> str:
        return keyed(purpose, self.campaign_id, self.subject, self._key)

    @property
    def author_key(self) -> str:
        return self._keyed("author")

    @property
    def named_author_key(self) -> str:
        # A separate key for what a participant signs with their name: sharing one key with
        # their anonymous ideas would let a reader of the tables put the name to those too.
        return self._keyed("author-named")

    @property
    def author_keys(self) -> tuple[str, str]:
        return (self.author_key, self.named_author_key)

    @property
    def voter_key(self) -> str:
        return self._keyed("voter")

    @property
    def person_key(self) -> str:
        return self._keyed("person")

    @property
    def is_participant(self) -> bool:
        return self.user is None


def for_user(campaign_id: int, user: Any, key: bytes | None = None) -> Identity:
    return Identity(campaign_id=campaign_id, subject=f"user:{user.pk}", user=user, key=key)


def participant_from_cookie(request: HttpRequest, campaign_id: int) -> Identity | None:
    """The join-code participant of this campaign in this browser, if any."""
    try:
        value = request.get_signed_cookie(
            cookie_name(campaign_id), salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
        )
    except (KeyError, signing.BadSignature):
        return None
    if not value:
        return None
    token, _, rest = value.partition("|")
    code, _, name = rest.partition("|")
    if not token or not code.isdigit():
        return None
    # The cookie is signed: only the join view can have written PERSONAL into it.
    subject = f"code:{code}" if token == PERSONAL else f"participant:{token}"
    return Identity(campaign_id=campaign_id, subject=subject, name=name, code_id=int(code))


PERSONAL = "personal"


def participant_cookie_value(code_id: int, name: str = "", *, personal: bool = False) -> str:
    """A participant: who they are (the personal code itself, or a random token for a
    poster code), the code they used and their optional name."""
    token = PERSONAL if personal else secrets.token_urlsafe(18)
    return f"{token}|{code_id}|{name.replace('|', ' ')[:100]}"


def set_participant_cookie(response: HttpResponse, campaign_id: int, value: str) -> None:
    response.set_signed_cookie(
        cookie_name(campaign_id),
        value,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG and getattr(settings, "SESSION_COOKIE_SECURE", False),
    )


def signed_participant_cookie(campaign_id: int, value: str) -> str:
    """The cookie's value as a browser holds it, signed as `set_signed_cookie` signs it (the
    benchmark pre-issues participants this way, as if they had used the join form)."""
    name = cookie_name(campaign_id)
    return signing.get_cookie_signer(salt=name + COOKIE_SALT).sign(value)
