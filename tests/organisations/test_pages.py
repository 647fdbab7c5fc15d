from tests.factories import MembershipFactory, OrganisationFactory
from whatworks.core.visibility import Visibility


def _count_queries(client, url, django_assert_max_num_queries, n):
    with django_assert_max_num_queries(n) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_it_lists_organisations_in_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(world["officer"])
    few = _count_queries(client, "/organisations/", django_assert_max_num_queries, 12)
    with django_capture_on_commit_callbacks(execute=True):  # the list's cache moves on commit
        OrganisationFactory.create_batch(40)
    many = _count_queries(client, "/organisations/", django_assert_max_num_queries, 12)
    assert many == few


def test_it_shows_an_organisation_and_its_members_in_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world["officer"])
    url = f"/organisations/{world.org_a.slug}/"
    few = _count_queries(client, url, django_assert_max_num_queries, 15)
    MembershipFactory.create_batch(20, organisation=world.org_a)
    many = _count_queries(client, url, django_assert_max_num_queries, 15)
    assert many == few


def test_it_lists_members_for_management_in_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world["admin"])
    url = f"/organisations/{world.org_a.slug}/manage/"
    few = _count_queries(client, url, django_assert_max_num_queries, 15)
    MembershipFactory.create_batch(20, organisation=world.org_a)
    many = _count_queries(client, url, django_assert_max_num_queries, 15)
    assert many == few


def test_it_filters_organisations_by_kind_and_name(world, client):
    OrganisationFactory(name="Jersey Post", slug="jersey-post", kind="operator")
    body = client.get("/organisations/", {"kind": "operator"}).content.decode()
    assert "Jersey Post" in body and "Wealden" not in body
    body = client.get("/organisations/", {"q": "lambeth"}).content.decode()
    assert "Lambeth" in body and "Wealden" not in body


def test_it_hides_private_members_from_other_organisations(world, client_for):
    world["analyst"].visibility = Visibility.PRIVATE
    world["analyst"].save()
    url = f"/organisations/{world.org_a.slug}/"
    assert world["analyst"].full_name in client_for(world["officer"]).get(url).content.decode()
    assert world["analyst"].full_name not in client_for(world["outsider"]).get(url).content.decode()
    # The public sees no member list at all.
    assert "People" not in client_for(None).get(url).content.decode()


def test_it_searches_organisations_and_visible_people(world, client_for):
    body = client_for(None).get("/search/", {"q": "Wealden"}).content.decode()
    assert "Wealden District Council" in body
    body = client_for(world["outsider"]).get("/search/", {"q": "Officer"}).content.decode()
    assert world["officer"].full_name in body  # profiles are shared with peers
    body = client_for(None).get("/search/", {"q": "Officer"}).content.decode()
    assert world["officer"].full_name not in body


def test_it_edits_your_own_profile(world, client_for):
    client = client_for(world["frontline"])
    response = client.post(
        "/account/profile/",
        {
            "full_name": "",
            "job_title": "Driver",
            "bio": "",
            "visibility": "everyone",
            "contact": "champion",
        },
    )
    body = response.content.decode()
    assert 'href="#id_full_name"' in body and 'href="#id_visibility"' in body
    response = client.post(
        "/account/profile/",
        {
            "full_name": "Frankie F",
            "job_title": "Driver",
            "bio": "",
            "visibility": "public",
            "contact": "no",
        },
    )
    assert response.status_code == 302
    world["frontline"].refresh_from_db()
    assert world["frontline"].visibility == "public"


def test_it_shows_changes_at_once_although_the_list_is_cached(
    world, client, django_capture_on_commit_callbacks
):
    committed = django_capture_on_commit_callbacks  # versions move when a write commits
    assert "Jersey Post" not in client.get("/organisations/").content.decode()
    with committed(execute=True):
        jersey = OrganisationFactory(name="Jersey Post", slug="jersey-post")
    assert "Jersey Post" in client.get("/organisations/").content.decode()
    with committed(execute=True):
        MembershipFactory.create_batch(3, organisation=jersey)
    body = client.get("/organisations/", {"q": "Jersey"}).content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in body
    with committed(execute=True):
        jersey.delete()
    assert "Jersey Post" not in client.get("/organisations/").content.decode()


def test_it_clamps_a_bad_page_number(world, client):
    OrganisationFactory.create_batch(30)
    assert client.get("/organisations/", {"page": "999"}).status_code == 200
    assert client.get("/organisations/", {"page": "-1"}).status_code == 200
    assert client.get("/organisations/", {"page": "abc"}).status_code == 200
