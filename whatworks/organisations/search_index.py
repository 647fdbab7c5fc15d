"""What of organisations and people is searchable; the caller's queryset applies visibility."""

from typing import Any

from django.db.models import QuerySet

from whatworks.core import search
from whatworks.organisations.models import Organisation, User

search.register(
    Organisation,
    title="name",
    body=lambda o: "\n".join(
        [
            o.get_kind_display(),
            o.description,
            o.local_authority.official_name if o.local_authority_id else "",
            o.local_authority.gss_code if o.local_authority_id else "",
        ]
    ),
)
search.register(
    User,
    title="full_name",
    body=["job_title", "bio"],
    should_index=lambda u: u.is_active,
)


def _organisations(user: Any, text: str) -> QuerySet[Organisation]:
    return search.ranked(Organisation.objects.active(), text).order_by("-search_rank", "pk")


def _people(user: Any, text: str) -> QuerySet[User]:
    from whatworks.organisations.selectors import people_visible_to

    return search.ranked(people_visible_to(user), text).order_by("-search_rank", "pk")


search.kinds.register(
    search.Kind(
        slug="organisations",
        label="Organisations",
        find=_organisations,
        hit=lambda o, user: search.Hit(
            o.name, o.get_absolute_url(), o.description[:200], o.get_kind_display()
        ),
        order=50,
    )
)
search.kinds.register(
    search.Kind(
        slug="people",
        label="People",
        find=_people,
        hit=lambda p, user: search.Hit(p.full_name, p.get_absolute_url(), "", p.job_title),
        order=60,
    )
)
