"""Persona by visibility: the one rule holds in lists, detail pages, search and the API."""

import pytest

from tests.conftest import PERSONAS
from whatworks.core.search import search
from whatworks.core.visibility import Visibility
from whatworks.organisations.models import User

MEMBERS_OF_A = {"admin", "officer", "analyst", "frontline", "volunteer"}
MEMBERS = MEMBERS_OF_A | {"outsider"}

# Who may see a profile owned by an officer of organisation A, at each visibility.
SEES = {
    Visibility.PUBLIC: set(PERSONAS),
    Visibility.PEERS: MEMBERS,  # peers are members of an organisation, not just signed in
    Visibility.PRIVATE: MEMBERS_OF_A,
}


@pytest.mark.parametrize("visibility", list(Visibility))
def test_it_shows_a_profile_exactly_to_those_the_visibility_allows(
    world, client_for, visibility
) -> None:
    subject = world["volunteer"]
    subject.full_name = "Zebedee Quillfeather"
    subject.visibility = visibility
    subject.save()
    failures = []
    for persona in PERSONAS:
        viewer = world[persona]
        allowed = persona in SEES[visibility]
        channels = {
            "queryset": User.objects.visible_to(viewer).filter(pk=subject.pk).exists(),
            "object": subject.is_visible_to(viewer),
            "search": subject in search(User.objects.visible_to(viewer), "Quillfeather"),
        }
        client = client_for(viewer)
        channels["page"] = client.get(f"/people/{subject.pk}/").status_code == 200
        channels["api"] = client.get(f"/api/people/{subject.pk}").status_code == 200
        listed = client.get("/api/people").json()["items"]
        channels["api list"] = any(p["id"] == subject.pk for p in listed)
        for channel, seen in channels.items():
            if seen != allowed:
                failures.append(f"{visibility} / {persona} / {channel}: seen={seen}")
    assert not failures, "\n".join(failures)


def test_it_treats_a_signed_in_person_without_membership_as_the_public(world) -> None:
    lonely = world["moderator"]
    assert not User.objects.visible_to(lonely).filter(visibility=Visibility.PEERS).exists()
