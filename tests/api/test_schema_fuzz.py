"""schemathesis over /api/openapi.json: no 5xx, every response matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # schemathesis calls the WSGI app directly, which fires request_finished and would close
    # the test's database connection (and its transaction) on PostgreSQL.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def some_data(db):
    from tests.factories import MembershipFactory

    MembershipFactory.create_batch(3)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_it_answers_every_generated_request_within_the_schema(case, some_data) -> None:
    case.call_and_validate()
