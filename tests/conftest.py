"""Shared fixtures. The personas are the ones every permission test speaks of:

anonymous; each role in organisation A (admin, officer, analyst, frontline, volunteer);
`outsider`, a member of organisation B; `moderator`; `staff`.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import _test_database as test_database
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from whatworks.core import messaging
from whatworks.organisations.models import Organisation, Role, User

PASSWORD = "correct horse battery"

TESTS = Path(__file__).resolve().parent
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
# Modules whose tests never reach the suite's database: the statistics library (no Django),
# the benchmark smoke tests and the subprocess tests of settings and consumers (each on a
# SQLite file of its own, whatever DATABASE_URL says). The PostgreSQL pass would only repeat
# them; it still runs any test in them that does use the database.
DATABASE_INDEPENDENT = (
    "stats/",
    "bench/",
    "core/test_consumer.py",
    "core/test_job_consumer_killed.py",
    "core/test_health_and_settings.py",
)
USES_DATABASE = {"db", "transactional_db", "django_db_setup", "live_server", "world"}


def uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(fixtures & USES_DATABASE) or item.get_closest_marker("django_db") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, skip what the SQLite pass has already run and no database changes."""
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="does not use the suite's database: the SQLite pass runs it")
    for item in items:
        module = item.path.relative_to(TESTS).as_posix()
        if module.startswith(DATABASE_INDEPENDENT) and not uses_database(item):
            item.add_marker(skip)


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


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's, but starting from a migrated copy (tests/_test_database.py)."""
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})
    test_database.prepare(database)
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set(),
            keepdb=True,  # the copy is there: Django's migrate only checks it
        )  # fmt: skip
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0, keepdb=False)
    test_database.remove(database)


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
