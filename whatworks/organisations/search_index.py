"""What of organisations and people is searchable; the caller's queryset applies visibility."""

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
