"""Matrix entries for reaching people through the site (organisations.contact)."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix.support import LOGIN, MEMBERS_OF_A, Entry, expect
from whatworks.organisations.models import ContactMessage


def _officer(w: World) -> dict[str, Any]:
    return {"pk": w["officer"].pk}


def _message_to_officer(w: World) -> dict[str, Any]:
    message = ContactMessage.objects.create(
        sender=w["outsider"], recipient=w["officer"], body="Hello", sender_organisation=w.org_b
    )
    return {"pk": message.pk}


# Whoever may see the profile may open the page (it says when the person takes no messages).
SEEN_BY = {p: 200 for p in [*MEMBERS_OF_A, "outsider"]}

ENTRIES: dict[str, Entry] = {
    "contact-person": Entry(expect(404, anonymous=LOGIN, **SEEN_BY), _officer),
    # Only the recipient may report a message; to anyone else it does not exist.
    "contact-report": Entry(expect(404, anonymous=LOGIN, officer=200), _message_to_officer),
}
