"""Links to reach people through the site (organisations.contact): from a record to the
person who registered it, and the consent check that makes champions reachable."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from whatworks.core.visibility import member_organisation_ids
from whatworks.forum.models import Champion
from whatworks.initiatives.panels import Panel


def is_champion(person: Any) -> bool:
    return Champion.objects.filter(user_id=person.pk, organisation__is_active=True).exists()


def contact_owner_action(initiative: Any, user: Any) -> Panel | None:
    """'Contact the person who registered this record', for members outside the owner, when
    that person accepts messages. Never for a pseudonymous record: it would name its owner."""
    from whatworks.organisations.contact import accepts_contact
    from whatworks.organisations.selectors import people_visible_to

    if not getattr(user, "is_authenticated", False):
        return None
    mine = member_organisation_ids(user)
    owner_id = initiative.created_by_id
    if not mine or owner_id is None or owner_id == user.pk:
        return None
    if initiative.pseudonymous and initiative.organisation_id not in mine:
        return None
    # One query: the owner if this reader may see them, with whether they are a champion.
    owner = (
        people_visible_to(user)
        .filter(pk=owner_id)
        .annotate(champion=Exists(Champion.objects.filter(user=OuterRef("pk"))))
        .first()
    )
    if owner is None or not accepts_contact(owner, champion=owner.champion):
        return None
    url = reverse("contact-person", kwargs={"pk": owner.pk})
    return Panel(
        template="forum/_contact_owner.html",
        context={"owner": owner, "url": f"{url}?about={initiative.get_absolute_url()}"},
    )
