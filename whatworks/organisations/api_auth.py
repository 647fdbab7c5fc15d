"""API keys: a machine calls with `Authorization: Bearer ww_...`, a key made on its
organisation's API keys page, and acts for that organisation.

A key holds scopes (`ApiScope`): reads need `read`; each write operation names the scope it
needs with `key_with(scope)`, and takes only keys (a browser session cannot write through
the API). A key without the scope is refused with a 403 problem naming it. Every call with a
key counts against the key's own rate limit. Writes are audited by the services they call;
`core.audit` names the key (`request.api_key`) on each event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Status
from ninja.security import APIKeyHeader

from whatworks.core import ratelimit
from whatworks.core.api import SCOPES_KEY, ApiProblem
from whatworks.organisations.models import (
    ApiIdempotency,
    ApiKey,
    ApiScope,
    Organisation,
    User,
)


def _requests_a_minute() -> int:
    return int(settings.API_KEY_REQUESTS_PER_MINUTE)


#: Calls a minute per key, counted in the shared cache (`core.ratelimit`).
API_KEY_LIMIT = ratelimit.Limit("api-key", count=_requests_a_minute, seconds=60)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class ApiKeyPrincipal:
    """Stands in for a user when a machine calls with an organisation's API key."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_moderator = False
    pk = None

    def __init__(self, key: ApiKey) -> None:
        self.key = key
        self._member_organisation_ids = frozenset({key.organisation_id})

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


def missing_scope(key: ApiKey, scope: str) -> ApiProblem:
    return ApiProblem(
        403,
        f"This API key does not have the {scope} scope",
        f"The key '{key.name}' cannot do this: it needs the {scope} scope. An admin of "
        f"{key.organisation.name} can make a key that has it, on the organisation's API keys "
        "page.",
    )


class OrganisationKeyAuth(APIKeyHeader):
    """`Authorization: Bearer ww_...` with a key made on the organisation's API keys page.

    `scope` is what the operation needs from the key (`read` for reads)."""

    param_name = "Authorization"
    openapi_description = (
        "`Bearer ww_...`: a key from the organisation's API keys page. A key holds scopes: "
        "`read` (every read), `measures:write` (post figures to the organisation's metrics), "
        "`trials:write` (upload outcomes to its trials whose plan is locked) and "
        "`register:write` (create and update its draft initiatives, record results). Each "
        "operation lists the scope it needs; a key without it gets 403. Each key may make "
        "a limited number of requests a minute (429 with Retry-After beyond it)."
    )

    def __init__(self, scope: str = ApiScope.READ.value) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKeyPrincipal | None:
        if not key or not key.startswith("Bearer "):
            return None
        api_key = ApiKey.authenticate(key.removeprefix("Bearer ").strip())
        if api_key is None:
            return None
        if ratelimit.hit(API_KEY_LIMIT, str(api_key.pk)):
            raise ApiProblem(
                429,
                "Too many requests with this API key",
                f"A key may make {API_KEY_LIMIT.allowed:,} requests a minute. Wait a minute "
                "and try again.",
                headers={"Retry-After": "60"},
            )
        if not api_key.has_scope(self.scope):
            raise missing_scope(api_key, self.scope)
        # Throttle the write: last-used to the minute is plenty.
        now = timezone.now()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        request.api_key = api_key  # type: ignore[attr-defined]
        principal = ApiKeyPrincipal(api_key)
        request.user = principal  # type: ignore[assignment]
        return principal


def key_with(scope: str) -> dict[str, Any]:
    """Route options for an operation that needs a key holding `scope`:
    `@router.post("/...", **key_with("measures:write"))`."""
    return {"auth": [OrganisationKeyAuth(scope)], "openapi_extra": {SCOPES_KEY: [scope]}}


def key_organisation(request: HttpRequest) -> Organisation:
    """The organisation the calling key acts for (operations made with `key_with`)."""
    return request.api_key.organisation  # type: ignore[attr-defined]


def key_person(request: HttpRequest) -> User:
    """The person who answers for what a key writes where a record must name one (who
    registered an initiative, who recorded a result): the admin who made the key. The audit
    log names the key beside them. A key whose maker has left cannot write such records."""
    api_key: ApiKey = request.api_key  # type: ignore[attr-defined]
    maker = api_key.created_by
    if maker is None or not maker.is_active:
        raise ApiProblem(
            409,
            "The person who made this API key has left",
            f"This record needs someone at {api_key.organisation.name} to answer for it: an "
            "admin can make a new key, and will answer for what it writes.",
        )
    return maker


# --------------------------------------------------------------------------------------------
# Idempotency
# --------------------------------------------------------------------------------------------


def _request_hash(request: HttpRequest) -> str:
    """What makes two requests the same: method, path and body. A multipart body is taken
    by its fields and files, not its bytes: each sending picks a new boundary."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    if request.content_type != "multipart/form-data":
        digest.update(request.body)
        return digest.hexdigest()
    for name in sorted(request.POST):
        for value in request.POST.getlist(name):
            digest.update(f"field {len(name)}:{name} {len(value)}:{value}\n".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"file {len(name)}:{name} {upload.name} {upload.size}\n".encode())
            upload.seek(0)
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _idempotency_key(request: HttpRequest) -> str | None:
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    value = value.strip()
    if not 1 <= len(value) <= 255 or not value.isprintable():
        raise ApiProblem(
            422,
            "The Idempotency-Key header is not valid",
            errors=[
                {
                    "field": IDEMPOTENCY_HEADER,
                    "message": "Send from 1 to 255 printable characters, such as a UUID",
                }
            ],
        )
    return value


def _stored(api_key: ApiKey, value: str) -> ApiIdempotency | None:
    since = timezone.now() - timedelta(hours=ApiIdempotency.LIFETIME_HOURS)
    return ApiIdempotency.objects.filter(
        api_key=api_key, idempotency_key=value, created_at__gt=since
    ).first()


def _replay(stored: ApiIdempotency, digest: str) -> tuple[int, Any]:
    if stored.request_hash != digest:
        raise ApiProblem(
            422,
            "This Idempotency-Key was used for a different request",
            "A key stands for one request: send this one with a new Idempotency-Key.",
            errors=[{"field": IDEMPOTENCY_HEADER, "message": "Use a new key for a new request"}],
        )
    return stored.status, stored.body


def idempotent(
    request: HttpRequest, response: HttpResponse, status: int, write: Callable[[], Any]
) -> Status[Any]:
    """Run `write` (which answers `status` and a JSON-able body), once per Idempotency-Key.

    Without the header the write just runs. With it, the same key and the same request (method,
    path and body) within a day get the first successful answer again, without writing; the
    same key with a different request is refused with 422. Problems are not kept: a request
    that failed can be corrected and sent again with the same key. A replayed answer has the
    header `Idempotent-Replayed: true` (on `response`, the operation's temporal response).
    """
    value = _idempotency_key(request)
    if value is None:
        return Status(status, write())
    api_key: ApiKey = request.api_key  # type: ignore[attr-defined]
    digest = _request_hash(request)
    stored = _stored(api_key, value)
    if stored is not None:
        response[REPLAYED_HEADER] = "true"
        return Status(*_replay(stored, digest))
    try:
        with transaction.atomic():
            body = json.loads(json.dumps(write(), cls=DjangoJSONEncoder))
            ApiIdempotency.objects.create(
                api_key=api_key,
                idempotency_key=value,
                request_hash=digest,
                status=status,
                body=body,
            )
    except IntegrityError:
        # The same key sent twice at once: the other request wrote first, and this one
        # (rolled back whole) answers as a retry would.
        stored = _stored(api_key, value)
        if stored is None:
            raise
        response[REPLAYED_HEADER] = "true"
        return Status(*_replay(stored, digest))
    # Old answers go as new ones come: a day is plenty for a retry.
    ApiIdempotency.objects.filter(
        api_key=api_key,
        created_at__lt=timezone.now() - timedelta(hours=ApiIdempotency.LIFETIME_HOURS),
    ).delete()
    return Status(status, body)
