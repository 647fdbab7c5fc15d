"""Reads shared by the views and the API. Access helpers fetch and check in one call."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse

from whatworks.organisations.models import (
    ApiKey,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)


def organisation_list(*, kind: str = "", query: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.active().select_related("local_authority")
    if kind in OrganisationKind.values:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(local_authority__gss_code__iexact=query))
    # A correlated subquery, not a JOIN with GROUP BY: with the name index and LIMIT it runs
    # only for the rows on the page, and count() drops it altogether.
    members = (
        Membership.objects.filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(member_count=Coalesce(Subquery(members), 0)).order_by("name")


def organisation_page(*, kind: str, query: str, number: Any, per_page: int) -> Page:
    """One page of the organisation list as plain rows (values, not model instances)."""
    values = organisation_list(kind=kind, query=query).values(  # type: ignore[misc]
        "name", "slug", "kind", "member_count", "local_authority__gss_code", "local_authority__code"
    )
    paginator = Paginator(values, per_page)
    number = paginator.get_page(number).number  # clamps bad or out-of-range page numbers
    prefix = reverse("organisation-list")
    kinds = dict(OrganisationKind.choices)

    def rows() -> list[dict[str, Any]]:
        start = (number - 1) * per_page
        return [
            {
                "name": o["name"],
                "url": f"{prefix}{o['slug']}/",
                "kind": kinds.get(o["kind"], o["kind"]),
                "code": o["local_authority__gss_code"] or o["local_authority__code"] or "",
                "members": o["member_count"],
            }
            for o in values[start : start + per_page]
        ]

    return Page(rows(), number, paginator)


def access_organisation(user: Any, slug: str, perm: str | None = None) -> Organisation:
    """The active organisation with this slug, if `user` holds `perm` on it (404 / 403)."""
    organisation = (
        Organisation.objects.active().select_related("local_authority").filter(slug=slug).first()
    )
    if organisation is None:
        raise Http404("No such organisation.")
    if perm is not None and not user.has_perm(perm, organisation):
        raise PermissionDenied
    return organisation


def people_visible_to(user: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True).visible_to(user)


def access_person(user: Any, pk: int) -> User:
    """A person whose profile `user` may see; 404 otherwise, so existence is not revealed."""
    person = people_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    return person


def organisation_members(organisation: Organisation, viewer: Any) -> QuerySet[Membership]:
    """Members of an organisation whose profiles the viewer may see."""
    visible = people_visible_to(viewer).values("pk")
    return (
        organisation.memberships.filter(user__in=visible)
        .select_related("user")
        .order_by("user__full_name")
    )


def person_memberships(person: User) -> QuerySet[Membership]:
    return person.memberships.filter(organisation__is_active=True).select_related("organisation")


def access_membership(organisation: Organisation, membership_id: int) -> Membership:
    membership = (
        organisation.memberships.select_related("user", "organisation")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def access_invitation(organisation: Organisation, invitation_id: int) -> Invitation:
    invitation = organisation.invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def access_api_key(organisation: Organisation, key_id: int) -> ApiKey:
    key = organisation.api_keys.filter(pk=key_id).first()
    if key is None:
        raise Http404("No such API key.")
    return key


def member_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.active().filter(memberships__user=user.pk).order_by("name")
