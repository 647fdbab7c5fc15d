"""The register's API: the same visibility and pseudonymity as the pages, the same filters,
problems for bad input."""

import json

import pytest

from tests.conftest import PERSONAS
from tests.initiatives.factories import InitiativeFactory, Register, StatusChangeFactory
from whatworks.initiatives.models import ServiceArea, Status
from whatworks.organisations import services


@pytest.fixture
def register(world):
    return Register(world)


def _all_items(client, **params) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get("/api/initiatives", {**params, "page": page}).json()
        items += body["items"]
        if len(items) >= body["count"]:
            return items
        page += 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_only_what_each_persona_may_see(client_for, world, register, persona):
    client = client_for(world[persona])
    response = client.get("/api/initiatives")
    assert response.status_code == 200
    items = _all_items(client)
    assert {i["title"] for i in items} == {
        Register.TITLES[k] for k in Register.visible_keys(persona)
    }
    assert "Breckland" not in response.content.decode()
    hidden = next(i for i in items if i["title"] == Register.TITLES["pseudonymous"])
    assert hidden["owner"] == Register.PSEUDONYM
    assert hidden["owner_type"] == "Non-metropolitan district"


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_a_record_only_to_those_who_may_see_it(client_for, world, register, persona):
    client = client_for(world[persona])
    visible = Register.visible_keys(persona)
    for key, record in register.records.items():
        response = client.get(f"/api/initiatives/{record.pk}")
        assert response.status_code == (200 if key in visible else 404), key
        if response.status_code == 404:
            assert response["Content-Type"] == "application/problem+json"
            assert Register.TITLES[key] not in response.content.decode()


def test_it_gives_goals_results_ledger_history_and_replications(client, register):
    record = register.records["pseudonymous"]
    StatusChangeFactory(initiative=record, to_status=Status.STOPPED, reason="Budget cut")
    InitiativeFactory(replicated_from=record, title="Tried again elsewhere")
    InitiativeFactory(replicated_from=record, title="Private copy", visibility="private")
    body = client.get(f"/api/initiatives/{record.pk}").json()
    goal = body["goals"][0]
    assert goal["baseline_value"] == 46.0 and goal["is_primary"] and not goal["locked"]
    assert goal["result"]["value"] == 40.0 and goal["result"]["evidence_level"] == 2
    assert goal["result"]["is_primary"] and [r["value"] for r in goal["results"]] == [40.0]
    assert goal["result"]["judged_again"] == [] and goal["result"]["figures"] == []
    assert body["ledger"]["realised"]["upfront_cost"] == 25000.0
    assert body["ledger"]["has_estimates"] is False
    assert body["verdict"] == "not_met" and body["evidence_level"] == 2
    assert body["status_history"][-1]["reason"] == "Budget cut"
    assert [r["title"] for r in body["replications"]] == ["Tried again elsewhere"]
    assert body["partners"] == [{"kind": "nhs", "part": "Shared the data"}]
    assert "Breckland" not in json.dumps(body)


def test_it_names_the_owner_to_a_machine_of_the_owning_organisation(client, world, register):
    _, raw = services.api_key_create(
        organisation=register.org_c, name="Sync", scope="read", actor=register.insider
    )
    record = register.records["pseudonymous"]
    body = client.get(f"/api/initiatives/{record.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["owner"] == Register.HIDDEN_NAME


def test_it_takes_the_browse_filters(client, register):
    InitiativeFactory(title="Housing letters", service_area=ServiceArea.HOUSING)
    items = _all_items(client, service_area=["housing", "revenues"])
    assert [i["title"] for i in items] == ["Housing letters"]
    items = _all_items(client, outcome="did-not-work")
    assert [i["title"] for i in items] == [Register.TITLES["pseudonymous"]]
    items = _all_items(client, q="kerbside", cost_band="10k-100k")
    assert [i["title"] for i in items] == [Register.TITLES["pseudonymous"]]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"service_area": "dragons"}, "query.service_area.0"),
        ({"evidence_level": "9"}, "query.evidence_level.0"),
        ({"sort": "sideways"}, "query.sort"),
        ({"region": "x" * 101}, "query.region.0"),
        ({"page_size": "1000"}, "query.page_size"),
    ],
)
def test_it_answers_bad_filters_with_a_problem_naming_the_field(client, db, params, field):
    response = client.get("/api/initiatives", params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    # ninja names list parameters with the argument's name ("query.filters.region.0").
    fields = {e["field"].replace("query.filters.", "query.") for e in response.json()["errors"]}
    assert field in fields


def test_it_lists_in_a_fixed_number_of_queries(client, register, django_assert_max_num_queries):
    for _ in range(20):
        InitiativeFactory()
    with django_assert_max_num_queries(3):  # count, page (plus nothing per row)
        assert client.get("/api/initiatives", {"page_size": 50}).status_code == 200
