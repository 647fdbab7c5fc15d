"""The header's one search: every kind the reader may see, stemmed, with synonyms, by owner."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.factories import MembershipFactory, OrganisationFactory
from tests.initiatives.factories import InitiativeFactory
from whatworks.core import search
from whatworks.core.visibility import Visibility
from whatworks.initiatives.models import Initiative, ServiceArea

pytestmark = pytest.mark.django_db

CALL_AND_CHECK = "Call & Check: postal workers check on older people on their rounds"


@pytest.fixture
def register():
    jersey = OrganisationFactory(name="Jersey Post", slug="jersey-post")
    wealden = OrganisationFactory(name="Wealden District Council", slug="wealden")
    other = OrganisationFactory(name="Rother District Council", slug="rother")
    records = {
        "call": InitiativeFactory(
            organisation=jersey,
            title=CALL_AND_CHECK,
            summary="Postal workers visit older and vulnerable people on their rounds.",
            problem="An ageing population at risk of isolation.",
            service_area=ServiceArea.ADULT_CARE,
        ),
        "bins": InitiativeFactory(
            organisation=wealden,
            title="Food waste caddies for every flat",
            summary="Recycling rates in flats doubled.",
        ),
        "secret": InitiativeFactory(
            organisation=other,
            title="Befriending calls for people who are lonely",
            summary="Private pilot.",
            visibility=Visibility.PRIVATE,
        ),
        "hidden_owner": InitiativeFactory(
            organisation=wealden,
            title="Bulky waste collections on demand",
            summary="Collections booked online.",
            pseudonymous=True,
        ),
    }
    return {"jersey": jersey, "wealden": wealden, "other": other, **records}


def page_text(response) -> str:
    """The page's text as read: tags removed, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def titles(user, text):
    return [i.title for i in search.search(Initiative.objects.visible_to(user), text)]


def test_lonely_finds_call_and_check_through_the_synonym_list(register):
    assert titles(None, "lonely") == [CALL_AND_CHECK]
    assert titles(None, "loneliness") == [CALL_AND_CHECK]


def test_isolation_finds_call_and_check(register):
    assert titles(None, "isolation") == [CALL_AND_CHECK]
    assert titles(None, "isolated") == [CALL_AND_CHECK]  # stemmed and in the list


def test_private_records_of_another_organisation_are_not_found(register):
    reader = MembershipFactory(organisation=register["wealden"]).user
    assert "Befriending calls for people who are lonely" not in titles(reader, "lonely")
    insider = MembershipFactory(organisation=register["other"]).user
    assert "Befriending calls for people who are lonely" in titles(insider, "lonely")


def test_register_search_matches_the_owner_name_but_not_a_pseudonymous_owner(register):
    assert titles(None, "Wealden") == ["Food waste caddies for every flat"]
    assert titles(None, "Jersey Post") == [CALL_AND_CHECK]


def test_a_renamed_owner_is_found_by_its_new_name(register):
    register["jersey"].name = "Jersey Postal Services"
    register["jersey"].save()
    assert titles(None, "postal services") == [CALL_AND_CHECK]


def test_synonym_phrases_match_either_spelling(settings, tmp_path, register):
    path = tmp_path / "synonyms.txt"
    path.write_text("# test\nfly-tipping, dumping\n")
    settings.SEARCH_SYNONYMS_FILE = str(path)
    InitiativeFactory(title="Cameras at dumping hotspots", summary="Fewer reports.")
    InitiativeFactory(title="Fly tipping fines doubled", summary="Fines.")
    assert sorted(titles(None, "fly-tipping")) == [
        "Cameras at dumping hotspots",
        "Fly tipping fines doubled",
    ]
    assert sorted(titles(None, "dumping")) == sorted(titles(None, "fly tipping"))


def test_terms_group_synonyms_and_keep_the_last_word_as_a_prefix():
    found = search.terms("recycl lonely")
    assert found[0].alternatives == (("recycl",),)
    assert ("isolation",) in found[1].alternatives and found[1].prefix == ("lonely",)
    assert search.terms("  ") == []


def test_the_search_page_groups_every_kind_with_counts(register, client):
    body = page_text(client.get("/search/", {"q": "lonely"}))
    assert CALL_AND_CHECK in body
    assert "Befriending calls" not in body
    assert "Records (1)" in body
    body = page_text(client.get("/search/", {"q": "Wealden"}))
    assert "Food waste caddies for every flat" in body  # a record, by its owner's name
    assert "Organisations (1)" in body and "Records (1)" in body
    assert "Bulky waste" not in body


def test_the_search_page_shows_one_kind_in_full(register, client):
    body = page_text(client.get("/search/", {"q": "waste", "kind": "records"}))
    assert "Food waste caddies for every flat" in body and "Bulky waste" in body
    assert "Organisations (0)" in body and "Bulky waste collections on demand" in body


def test_an_empty_or_unmatched_search_says_so(register, client):
    assert client.get("/search/").status_code == 200
    body = page_text(client.get("/search/", {"q": "zzzqqq"}))
    assert "Nothing you can see matches" in body
