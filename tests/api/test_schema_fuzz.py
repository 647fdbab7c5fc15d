"""schemathesis over /api/openapi.json: no 5xx, every response matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

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


# The writes, with a key that holds every scope: generated bodies and ids must give 2xx or a
# documented problem (401/403/404/409/422), never a 5xx, and every answer must match the schema.
# The key's organisation owns a metric, a draft and a started initiative and a trial, made
# first so that small generated ids (which hypothesis tries early) reach real records.
writes = schema.include(method=["POST", "PATCH"])


@pytest.fixture
def write_key(db):
    from tests.factories import MembershipFactory
    from tests.trials.test_app_fixtures import initiative_for, trial_for
    from whatworks.measures import services as measures
    from whatworks.organisations import services
    from whatworks.organisations.models import Role

    admin = MembershipFactory(role=Role.ADMIN)
    organisation = admin.organisation
    people = {"officer": admin.user, "analyst": admin.user}
    world = type("W", (), {"org_a": organisation, "__getitem__": lambda self, k: people[k]})()
    measures.metric_create(
        organisation=organisation,
        actor=admin.user,
        name="Visits",
        kind="mean",
        unit="visits",
        direction="higher",
        definition="Visits a week",
        visibility="public",
    )
    trial_for(world, initiative_for(world))
    initiative_for(world, started=False)
    _, raw = services.api_key_create(
        organisation=organisation, name="Fuzz", scope="write", actor=admin.user
    )
    return raw


@pytest.mark.django_db
@writes.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_writes_answer_every_generated_request_with_a_write_key(case, write_key) -> None:
    # Not judged here: whether schema-valid data is accepted (a write refuses much that the
    # schema allows, by design: a future period, another organisation's id, a draft-only
    # change; each with its documented 404/409/422 problem) nor whether every schema-invalid
    # body is refused (pydantic's lax parsing takes 0 as a date or false as 0). What is:
    # no 5xx, documented status codes and content types, and bodies matching the schema.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {write_key}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )


@pytest.mark.django_db
def test_a_body_too_large_is_refused_with_a_413_problem(client, write_key, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/initiatives",
        data='{"title": "' + "x" * 2000 + '"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {write_key}",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "Send at most" in response.json()["detail"]
