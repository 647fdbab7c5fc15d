"""Keys for API tests: `key_for(org, *scopes)` gives the raw key to send."""

from __future__ import annotations

from typing import Any

from whatworks.organisations import services
from whatworks.organisations.models import Organisation, User


def key_for(organisation: Organisation, *scopes: str, name: str = "Nightly import") -> str:
    admin = User.objects.filter(
        memberships__organisation=organisation, memberships__role="admin"
    ).first()
    _, raw = services.api_key_create(
        organisation=organisation, name=name, scope=list(scopes), actor=admin
    )
    return raw


def bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
