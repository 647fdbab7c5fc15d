"""Write to the append-only audit log. Services call `record`; personal-data views call it too.

Minimum necessary: an entry names its object by reference. A model whose `str()` would carry
personal data (a resident's name, a task's text) gives an `audit_label` ("resident 12"),
which is what the log keeps; detail holds ids and codes, never text about a person.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from whatworks.core.middleware import current_request
from whatworks.core.models import AuditEvent
from whatworks.core.network import client_address


def _client_ip(request: HttpRequest) -> str | None:
    return client_address(request) or None


def label(obj: models.Model) -> str:
    """How the log names an object: its `audit_label` if it has one, else its text."""
    return str(getattr(obj, "audit_label", None) or obj)


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    organisation: Any = None,
    detail: dict[str, Any] | None = None,
    personal_data: bool = False,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event. `actor` defaults to the signed-in person of the current request."""
    request = request or current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        # A machine calling with an API key is no person: the key is named instead (below).
        is_person = user is not None and user.is_authenticated and user.pk is not None
        actor = user if is_person else None
    api_key = getattr(request, "api_key", None) if request is not None else None
    if organisation is None and api_key is not None:
        organisation = api_key.organisation
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(f"{actor.full_name} <{actor.email}>" if actor else "")[:200]
        or ("API key" if api_key else "system"),
        api_key_label=str(api_key)[:200] if api_key else "",
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=label(obj)[:200] if obj is not None else "",
        personal_data=personal_data,
        detail=detail or {},
        ip_address=_client_ip(request) if request else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300] if request else "",
        request_id=getattr(request, "request_id", "") if request else "",
        path=request.path[:300] if request else "",
    )
