"""Scoped API keys: what each scope lets a key do, the admin's page that chooses them, the
old read/write choice carried over, and the per-key rate limit."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api.support import bearer, key_for
from whatworks.core.models import AuditEvent
from whatworks.organisations import services
from whatworks.organisations.models import ApiKey


def test_a_key_without_read_is_refused_reads_with_a_problem_naming_the_scope(client, world):
    raw = key_for(world.org_a, "measures:write")
    response = client.get("/api/metrics", **bearer(raw))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 403
    assert "read" in body["title"]


def test_a_read_key_reads(client, world):
    raw = key_for(world.org_a, "read")
    assert client.get("/api/metrics", **bearer(raw)).status_code == 200


def test_the_old_write_choice_means_read_and_every_write_scope(world):
    key, _ = services.api_key_create(
        organisation=world.org_a, name="Old", scope="write", actor=world["admin"]
    )
    assert key.scopes == ["read", "measures:write", "trials:write", "register:write"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_write_keys_into_every_write_scope():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("organisations", "0002_local_authority_area")]
    after = [("organisations", "0003_i17b_api_key_scopes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    org = old.get_model("organisations", "Organisation").objects.create(name="Old", slug="old")
    Key = old.get_model("organisations", "ApiKey")
    Key.objects.create(organisation=org, name="W", scope="write", lookup="w1", secret_hash="x")
    Key.objects.create(organisation=org, name="R", scope="read", lookup="r1", secret_hash="x")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("organisations", "ApiKey")
    assert new.objects.get(name="W").scopes == [
        "read",
        "measures:write",
        "trials:write",
        "register:write",
    ]
    assert new.objects.get(name="R").scopes == ["read"]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_admin_chooses_the_scopes_on_the_key_page(client_for, world):
    client = client_for(world["admin"])
    page = client.get("/organisations/wealden/manage/api-keys/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="checkbox"' in html
    assert "Send figures for the organisation" in html
    response = client.post(
        "/organisations/wealden/manage/api-keys/new/",
        {"name": "Figures", "scope": ["read", "measures:write"]},
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="Figures")
    assert key.scopes == ["read", "measures:write"]
    event = AuditEvent.objects.get(action="api_key.created", object_id=str(key.pk))
    assert event.detail["scopes"] == ["read", "measures:write"]


def test_a_key_with_no_scope_is_refused_with_a_message_saying_what_to_select(client_for, world):
    client = client_for(world["admin"])
    response = client.post("/organisations/wealden/manage/api-keys/new/", {"name": "Figures"})
    assert response.status_code == 200
    assert "Select what the key can do" in response.content.decode()
    assert not ApiKey.objects.filter(name="Figures").exists()


def test_the_key_list_says_what_each_key_can_do(client_for, world):
    key_for(world.org_a, "read", "trials:write", name="Trials feed")
    page = client_for(world["admin"]).get("/organisations/wealden/manage/")
    html = page.content.decode()
    assert "Upload outcomes to the organisation" in html
    assert "trials:write" not in html


@override_settings(API_KEY_REQUESTS_PER_MINUTE=3)
def test_each_key_has_its_own_rate_limit(client, world):
    from django.core.cache import cache

    cache.clear()
    first = key_for(world.org_a, "read", name="One")
    second = key_for(world.org_a, "read", name="Two")
    statuses = [client.get("/api/metrics", **bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/metrics", **bearer(first))
    assert refused["Retry-After"] == "60"
    assert refused["Content-Type"] == "application/problem+json"
    assert client.get("/api/metrics", **bearer(second)).status_code == 200


@pytest.mark.parametrize("scope", ["read", "measures:write", "trials:write", "register:write"])
def test_the_schema_documents_each_scope(client, scope):
    schema = client.get("/api/openapi.json").json()
    text = schema["components"]["securitySchemes"]["OrganisationKeyAuth"]["description"]
    assert f"`{scope}`" in text


def _write_operations(client):
    schema = client.get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "patch", "put", "delete"):
                yield method, path, operation


def test_every_write_names_its_scope_in_the_schema(client):
    writes = list(_write_operations(client))
    assert len(writes) == 7
    for _method, path, operation in writes:
        (requirement,) = operation["security"]
        (scopes,) = requirement.values()
        assert scopes and all(s.endswith(":write") for s in scopes), path
        assert f"`{scopes[0]}`" in operation["description"]
        assert "403" in operation["responses"] or 403 in operation["responses"]


def test_a_read_only_key_is_refused_every_write_with_a_problem_naming_its_scope(client, world):
    raw = key_for(world.org_a, "read")
    for method, path, operation in _write_operations(client):
        url = path.replace("{id}", "1").replace("{goal_id}", "1")
        response = getattr(client, method)(
            url, data="{}", content_type="application/json", **bearer(raw)
        )
        (scope,) = next(iter(operation["security"][0].values()))
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/problem+json"
        assert scope in response.json()["title"], url


def test_a_revoked_key_cannot_write(client, world):
    from whatworks.organisations.models import ApiKey as Key

    raw = key_for(world.org_a, "read", "register:write", name="Old system")
    services.api_key_revoke(key=Key.objects.get(name="Old system"), actor=world["admin"])
    response = client.post(
        "/api/initiatives", data="{}", content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
