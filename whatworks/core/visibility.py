"""Who may see a shareable record: one rule used by lists, detail pages, search and the API.

A record is private to its organisation, shared with peers (signed-in members of any
organisation on the platform: councils and their partners), or public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    # core sits below organisations (docs/architecture.md): it knows people only as
    # Django's user and reaches memberships through the app registry.
    User = AbstractBaseUser


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private to the organisation"
    PEERS = "peers", "Shared with peers"
    PUBLIC = "public", "Public"


def membership_roles(user: User | AnonymousUser | None) -> dict[int, tuple[str, bool]]:
    """{organisation id: (role, organisation is active)} for each of the user's memberships:
    one query, cached on the user object for the request (every permission check and
    visibility filter on a page reads it)."""
    if user is None or not user.is_authenticated or getattr(user, "pk", None) is None:
        return {}
    cached = getattr(user, "_membership_roles", None)
    if cached is None:
        membership = apps.get_model("organisations", "Membership")
        cached = {
            organisation_id: (role, active)
            for organisation_id, role, active in membership.objects.filter(
                user_id=user.pk
            ).values_list("organisation_id", "role", "organisation__is_active")
        }
        setattr(user, "_membership_roles", cached)  # noqa: B010 (a per-request cache)
    return cached


def member_organisation_ids(user: User | AnonymousUser | None) -> frozenset[int]:
    """Ids of the organisations the user is an active member of (cached on the user; an API
    key's principal and the digest's batch load set the cache themselves)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_member_organisation_ids", None)
    if cached is None:
        cached = frozenset(org for org, (_r, active) in membership_roles(user).items() if active)
        setattr(user, "_member_organisation_ids", cached)  # noqa: B010 (a per-request cache)
    return cached


class VisibleQuerySet(models.QuerySet):
    """QuerySet of shareable records. Subclasses say how a record is owned."""

    def owned_by(self, organisation_ids: frozenset[int]) -> Q:
        return Q(organisation_id__in=organisation_ids)

    def visible_to(self, user: User | AnonymousUser | None) -> Self:
        return self.filter(self.visible_condition(member_organisation_ids(user)))

    def visible_condition(self, org_ids: frozenset[int], shared: Q | None = None) -> Q:
        """Public records; for members of an organisation (only they count as peers), also
        those shared with peers and every record their organisations own. ``shared`` narrows
        what is seen of others' records (an embargo, say)."""
        levels = [Visibility.PUBLIC, Visibility.PEERS] if org_ids else [Visibility.PUBLIC]
        condition = Q(visibility__in=levels)
        if shared is not None:
            condition &= shared
        return condition | self.owned_by(org_ids) if org_ids else condition


class Shareable(models.Model):
    """Abstract base for records with a visibility; subclasses define `owner_ids()`."""

    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )

    class Meta:
        abstract = True

    def owner_organisation_ids(self) -> frozenset[int]:
        raise NotImplementedError

    def is_visible_to(self, user: Any) -> bool:
        if self.visibility == Visibility.PUBLIC:
            return True
        org_ids = member_organisation_ids(user)
        if not org_ids:
            return False
        if self.visibility == Visibility.PEERS:
            return True
        return bool(org_ids & self.owner_organisation_ids())
