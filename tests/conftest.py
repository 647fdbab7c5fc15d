"""Shared fixtures. The personas are the ones every permission test speaks of:

anonymous; each role in organisation A (admin, officer, analyst, frontline, volunteer);
`outsider`, a member of organisation B; `moderator`; `staff`.
"""

from dataclasses import dataclass

import pytest

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from whatworks.core import messaging
from whatworks.organisations.models import Organisation, Role, User

PASSWORD = "correct horse battery"

PERSONAS = [
    "anonymous",
    "admin",
    "officer",
    "analyst",
    "frontline",
    "volunteer",
    "outsider",
    "moderator",
    "staff",
]


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    people: dict[str, User | None]

    def __getitem__(self, persona: str) -> User | None:
        return self.people[persona]


@pytest.fixture
def world(db) -> World:
    org_a = OrganisationFactory(name="Wealden District Council", slug="wealden")
    org_b = OrganisationFactory(name="London Borough of Lambeth", slug="lambeth")
    people: dict[str, User | None] = {"anonymous": None}
    for role in Role:
        people[role.value] = MembershipFactory(
            organisation=org_a, role=role, user__full_name=f"{role.label} of A"
        ).user
    people["outsider"] = MembershipFactory(organisation=org_b, role=Role.ADMIN).user
    people["moderator"] = UserFactory(is_moderator=True, full_name="Mo Moderator")
    people["staff"] = UserFactory(is_staff=True, is_superuser=True, full_name="Sam Staff")
    return World(org_a=org_a, org_b=org_b, people=people)


@pytest.fixture
def client_for(client):
    """client_for(user_or_None) -> the test client signed in as that person (or anonymous)."""

    def sign_in(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rolled-back test transactions send no signals, so nothing would invalidate entries.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _ideas_key_dir(settings, tmp_path_factory):
    # Each test's campaign keys in a directory of its own, never under the repository's var/.
    settings.IDEAS_KEY_DIR = tmp_path_factory.mktemp("ideas-keys")


@pytest.fixture(autouse=True)
def _outbox_backend_reset():
    yield
    messaging.use_backend(None)
