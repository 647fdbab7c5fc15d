"""What of an initiative is searchable. Visibility is applied by the caller's queryset.

The owner's name is searchable ("Wealden" finds Wealden's records) unless the record is
pseudonymous: then its owner must not be found by name, so the name is not indexed.
"""

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_save

from whatworks.core import search
from whatworks.initiatives.models import Initiative, owner_label
from whatworks.organisations.models import Organisation


def _body(i: Initiative) -> str:
    return "\n".join(
        [
            i.summary,
            i.problem,
            i.what_was_done,
            i.lessons,
            i.do_differently,
            i.get_service_area_display(),
            i.get_failure_cause_display() if i.failure_cause else "",
            "" if i.pseudonymous else i.organisation.name,
        ]
    )


search.register(Initiative, title="title", body=_body)


def _owner_renamed(sender: type, instance: Organisation, **kwargs: Any) -> None:
    # The owner's name is in its records' index entries: keep them in step.
    for initiative in instance.initiatives.filter(pseudonymous=False).select_related(
        "organisation"
    ):
        search.index_object(initiative)


post_save.connect(_owner_renamed, sender=Organisation, dispatch_uid="initiatives-owner-name")


def _records(user: Any, text: str) -> QuerySet[Initiative]:
    from whatworks.initiatives.selectors import initiatives_visible_to

    visible = initiatives_visible_to(user)
    return search.ranked(visible, text).order_by("-search_rank", "-updated_at", "-id")


def _hit(initiative: Initiative, user: Any) -> search.Hit:
    meta = [owner_label(initiative, user), initiative.get_status_display()]
    if initiative.verdict:
        meta.append(initiative.get_verdict_display())
    return search.Hit(
        initiative.title, initiative.get_absolute_url(), initiative.summary[:240], " · ".join(meta)
    )


search.kinds.register(
    search.Kind(slug="records", label="Records", find=_records, hit=_hit, order=10)
)
