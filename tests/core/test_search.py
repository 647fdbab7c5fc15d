"""Full-text search: the same behaviour on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import (
    LocalAuthorityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from whatworks.core import search
from whatworks.core.models import SearchDocument
from whatworks.core.visibility import Visibility
from whatworks.organisations.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    """Two organisations that mention recycling (one in its name) and one that does not."""
    return {
        "eastbourne": OrganisationFactory(
            name="Eastbourne Borough Council",
            description="We ran a food waste trial and doubled kerbside recycling rates.",
        ),
        "hastings": OrganisationFactory(
            name="Hastings Recycling Partnership",
            description="A community group.",
        ),
        "rother": OrganisationFactory(
            name="Rother District Council",
            description="Social prescribing and falls prevention.",
        ),
    }


def names(results) -> list[str]:
    return [obj.name for obj in results]


def test_it_finds_organisations_by_name(orgs):
    assert names(search.search(Organisation.objects.all(), "Hastings")) == [
        "Hastings Recycling Partnership"
    ]
    assert names(search.search(Organisation.objects.all(), "rother district")) == [
        "Rother District Council"
    ]


def test_it_finds_organisations_by_words_in_the_description(orgs):
    assert names(search.search(Organisation.objects.all(), "food waste")) == [
        "Eastbourne Borough Council"
    ]
    assert names(search.search(Organisation.objects.all(), "prescribing")) == [
        "Rother District Council"
    ]


def test_it_finds_councils_by_their_local_authority(db):
    authority = LocalAuthorityFactory(
        official_name="Wealden District Council", gss_code="E07000065"
    )
    OrganisationFactory(name="Wealden", local_authority=authority)
    OrganisationFactory(name="Somewhere else")
    assert names(search.search(Organisation.objects.all(), "E07000065")) == ["Wealden"]


def test_it_stems_words(orgs):
    found = names(search.search(Organisation.objects.all(), "recycle"))
    assert sorted(found) == ["Eastbourne Borough Council", "Hastings Recycling Partnership"]
    assert names(search.search(Organisation.objects.all(), "trials")) == [
        "Eastbourne Borough Council"
    ]


def test_it_matches_the_last_word_as_a_prefix(orgs):
    assert names(search.search(Organisation.objects.all(), "hastings recyc")) == [
        "Hastings Recycling Partnership"
    ]


def test_it_ranks_a_title_match_above_a_body_only_match(orgs):
    results = search.search(Organisation.objects.all(), "recycling")
    assert names(results) == ["Hastings Recycling Partnership", "Eastbourne Borough Council"]
    assert results[0].search_rank > results[1].search_rank


def test_it_reindexes_a_record_when_it_changes(orgs):
    eastbourne = orgs["eastbourne"]
    eastbourne.name = "Eastbourne Libraries Trust"
    eastbourne.description = "Mobile library visits for housebound readers."
    eastbourne.save()

    assert search.search(Organisation.objects.all(), "food waste") == []
    assert search.search(Organisation.objects.all(), "borough") == []
    assert names(search.search(Organisation.objects.all(), "housebound")) == [
        "Eastbourne Libraries Trust"
    ]
    assert names(search.search(Organisation.objects.all(), "recycling")) == [
        "Hastings Recycling Partnership"
    ]
    assert SearchDocument.objects.filter(model="organisations.organisation").count() == 3


def test_it_removes_a_deleted_record_from_the_index(orgs):
    pk = orgs["eastbourne"].pk
    orgs["eastbourne"].delete()
    assert not SearchDocument.objects.filter(
        model="organisations.organisation", object_id=str(pk)
    ).exists()
    # Not just filtered out by the queryset: gone from the index itself.
    assert search._ranked_ids("organisations.organisation", "food waste") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {search.FTS_TABLE}")
            assert cursor.fetchone()[0] == SearchDocument.objects.count()


def test_no_deleted_documents_text_stays_in_the_full_text_table(orgs):
    """However a document goes (here a bulk delete that no signal sees), its text goes too."""
    SearchDocument.objects.filter(model="organisations.organisation").delete()
    assert search._ranked_ids("organisations.organisation", "recycling") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {search.FTS_TABLE}")
            assert cursor.fetchone()[0] == SearchDocument.objects.count()


def test_it_rebuilds_the_index(orgs):
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {search.FTS_TABLE}")
    assert search.search(Organisation.objects.all(), "recycling") == []
    assert search.reindex(Organisation) == 3
    assert len(search.search(Organisation.objects.all(), "recycling")) == 2


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"recycling',
        'recycling"',
        "*",
        "recycling*",
        "recycling OR",
        "OR",
        "NEAR(",
        "NEAR(recycling",
        "-",
        "'",
        "recycling'",
        "(",
        ")",
        "AND NOT",
        ":",
        "title:recycling",
        "!!!",
        "\\",
        "%",
        "_",
        "recycling & | ! <-> :*",
        "'; DROP TABLE organisations_organisation; --",
        "recycling'); DELETE FROM core_searchdocument; --",
    ],
)
def test_it_never_fails_on_hostile_input(orgs, query):
    results = search.search(Organisation.objects.all(), query)
    assert isinstance(results, list)
    assert set(results) <= set(orgs.values())
    # Nothing was dropped or deleted.
    assert Organisation.objects.count() == 3
    assert SearchDocument.objects.filter(model="organisations.organisation").count() == 3


@pytest.mark.parametrize(
    "query", ['"recycling', 'recycling"', "recycling*", "recycling'", "(recycling)"]
)
def test_it_still_finds_the_word_inside_hostile_punctuation(orgs, query):
    found = names(search.search(Organisation.objects.all(), query))
    assert found == ["Hastings Recycling Partnership", "Eastbourne Borough Council"]


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_it_returns_nothing_for_an_empty_query(orgs, query):
    assert search.search(Organisation.objects.all(), query) == []


def test_it_returns_nothing_for_punctuation_only(orgs):
    assert search.search(Organisation.objects.all(), "?!.,") == []


def test_it_only_returns_records_from_the_callers_queryset(orgs):
    orgs["hastings"].is_active = False
    orgs["hastings"].save()
    assert names(search.search(Organisation.objects.active(), "recycling")) == [
        "Eastbourne Borough Council"
    ]
    assert search.search(Organisation.objects.filter(name__startswith="Rother"), "recycling") == []


def test_it_never_shows_a_private_profile_to_an_outsider(world):
    private = MembershipFactory(
        organisation=world.org_a,
        user__full_name="Priya Private",
        user__job_title="Recycling officer",
        user__visibility=Visibility.PRIVATE,
    ).user
    peers = UserFactory(
        full_name="Pete Peers", job_title="Recycling lead", visibility=Visibility.PEERS
    )
    public = UserFactory(
        full_name="Polly Public", bio="I write about recycling.", visibility=Visibility.PUBLIC
    )

    def found(viewer) -> set[User]:
        return set(search.search(User.objects.visible_to(viewer), "recycling"))

    assert found(world["outsider"]) == {peers, public}
    assert found(world["officer"]) == {private, peers, public}
    assert found(None) == {public}
    # The index itself holds all three: only the caller's queryset keeps the private one out.
    assert set(search.search(User.objects.all(), "recycling")) == {private, peers, public}


def test_it_does_not_index_people_who_are_not_active(world):
    person = UserFactory(full_name="Ivy Inactive", job_title="Recycling officer")
    assert search.search(User.objects.all(), "inactive") == [person]
    person.is_active = False
    person.save()
    assert search.search(User.objects.all(), "inactive") == []
    assert not SearchDocument.objects.filter(
        model="organisations.user", object_id=str(person.pk)
    ).exists()


def test_it_refuses_a_model_that_is_not_registered(db):
    with pytest.raises(LookupError, match="organisations.membership is not registered"):
        search.search(Membership.objects.all(), "anything")


def test_it_requires_every_word_on_both_databases(orgs):
    assert names(search.search(Organisation.objects.all(), "hastings trials")) == []
