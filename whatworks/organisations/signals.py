"""Any change to organisations, memberships or local authorities invalidates cached lists."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from whatworks.core.cache import bump
from whatworks.organisations.models import LocalAuthority, Membership, Organisation


def _invalidate(sender: type, **kwargs: Any) -> None:
    bump("organisations")
    bump("initiatives")  # initiative lists show owners' names, council types and regions


for model in (Organisation, Membership, LocalAuthority):
    post_save.connect(_invalidate, sender=model, dispatch_uid=f"cache-{model.__name__}-save")
    post_delete.connect(_invalidate, sender=model, dispatch_uid=f"cache-{model.__name__}-delete")
