"""What of an initiative is searchable. Visibility is applied by the caller's queryset."""

from whatworks.core import search
from whatworks.initiatives.models import Initiative

search.register(
    Initiative,
    title="title",
    body=lambda i: "\n".join(
        [
            i.summary,
            i.problem,
            i.what_was_done,
            i.lessons,
            i.do_differently,
            i.get_service_area_display(),
            i.get_failure_cause_display() if i.failure_cause else "",
        ]
    ),
)
