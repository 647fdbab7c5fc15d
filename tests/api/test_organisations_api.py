from tests.factories import LocalAuthorityFactory, OrganisationFactory
from whatworks.organisations.models import OrganisationKind


def test_it_lists_and_filters_organisations(world, client, django_assert_max_num_queries):
    la = LocalAuthorityFactory(gss_code="E07000065")
    OrganisationFactory(name="Jersey Post", slug="jersey-post", kind=OrganisationKind.OPERATOR)
    world.org_a.local_authority = la
    world.org_a.save()
    with django_assert_max_num_queries(3):
        body = client.get("/api/organisations", {"kind": "operator"}).json()
    assert [o["slug"] for o in body["items"]] == ["jersey-post"]
    body = client.get("/api/organisations", {"q": "E07000065"}).json()
    assert body["items"][0]["local_authority"]["gss_code"] == "E07000065"


def test_it_answers_bad_input_with_a_problem_naming_the_field(db, client):
    response = client.get("/api/organisations", {"kind": "dragon", "page": "zero"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"query.kind", "query.page"} <= fields


def test_it_answers_unknown_records_with_a_404_problem(db, client):
    response = client.get("/api/organisations/no-such-place")
    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "No such organisation.",
    }


def test_it_needs_a_person_for_me(world, client_for):
    assert client_for(None).get("/api/me").status_code == 401
    body = client_for(world["analyst"]).get("/api/me").json()
    assert body["email"] == world["analyst"].email
    assert body["memberships"] == [{"organisation": "wealden", "role": "analyst"}]


def test_it_rejects_a_malformed_key_as_no_credential(world, client):
    response = client.get("/api/me", HTTP_AUTHORIZATION="Bearer ww_nonsense")
    assert response.status_code == 401
