"""schemathesis over /api/openapi.json: no 5xx, every response matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


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
