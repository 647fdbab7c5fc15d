"""API keys: a machine calls with `Authorization: Bearer ww_...`, a key made on its
organisation's API keys page, and acts for that organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader

from whatworks.organisations.models import ApiKey


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


class OrganisationKeyAuth(APIKeyHeader):
    """`Authorization: Bearer ww_...` with a key made on the organisation's API keys page."""

    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKeyPrincipal | None:
        if not key or not key.startswith("Bearer "):
            return None
        api_key = ApiKey.authenticate(key.removeprefix("Bearer ").strip())
        if api_key is None:
            return None
        # Throttle the write: last-used to the minute is plenty.
        now = timezone.now()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        request.api_key = api_key  # type: ignore[attr-defined]
        principal = ApiKeyPrincipal(api_key)
        request.user = principal  # type: ignore[assignment]
        return principal
