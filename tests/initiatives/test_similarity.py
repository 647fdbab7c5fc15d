"""Councils like mine: the pure score, and the ranking it gives on the browse page."""

import pytest

from tests.factories import MembershipFactory
from tests.initiatives.factories import CouncilFactory, InitiativeFactory
from whatworks.initiatives.similarity import (
    METHOD,
    WEIGHTS,
    CouncilProfile,
    pseudonym_profile,
    score_parts,
    similarity,
)

WEALDEN = CouncilProfile("NMD", "South East", 160_000, 835.0)


def test_it_scores_a_council_as_exactly_like_itself():
    assert similarity(WEALDEN, WEALDEN) == 1.0


def test_it_weights_add_up_to_one():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_it_gives_half_credit_for_the_same_tier():
    unitary = CouncilProfile("UA", "South East", 160_000, 835.0)
    borough = CouncilProfile("LBO", "South East", 160_000, 835.0)
    district = CouncilProfile("NMD", "South East", 160_000, 835.0)
    assert score_parts(unitary, borough)["type"] == 0.5
    assert score_parts(unitary, district)["type"] == 0.0


def test_it_compares_population_on_a_log_scale():
    double = CouncilProfile("NMD", "South East", 320_000, 835.0)
    half = CouncilProfile("NMD", "South East", 80_000, 835.0)
    tenfold = CouncilProfile("NMD", "South East", 1_600_000, 835.0)
    # Twice as big and half as big are equally far away.
    assert score_parts(WEALDEN, double)["population"] == pytest.approx(
        score_parts(WEALDEN, half)["population"]
    )
    assert score_parts(WEALDEN, double)["population"] == pytest.approx(1 - 0.30103, abs=1e-4)
    assert score_parts(WEALDEN, tenfold)["population"] == 0.0


def test_it_compares_rurality_by_people_per_square_kilometre():
    city = CouncilProfile("NMD", "South East", 160_000, 8.35)  # 100 times as dense
    assert score_parts(WEALDEN, city)["rurality"] == 0.0
    assert WEALDEN.density == pytest.approx(191.6, abs=0.1)


def test_it_counts_what_it_cannot_know_as_a_half_match_for_everyone():
    no_area = CouncilProfile("NMD", "South East", 160_000)
    parts = score_parts(WEALDEN, no_area)
    assert parts["rurality"] == 0.5
    assert score_parts(no_area, CouncilProfile("UA", "London", 900_000))["rurality"] == 0.5


def test_it_scores_a_pseudonym_only_on_type_and_region():
    shown = pseudonym_profile(CouncilProfile("NMD", "South East", 40_000, 5000.0))
    assert shown.population is None and shown.area_km2 is None
    assert similarity(WEALDEN, shown) == pytest.approx(0.40 + 0.20 + 0.25 * 0.5 + 0.15 * 0.5)


def test_it_ranks_same_type_and_region_above_others():
    near = CouncilProfile("NMD", "South East", 120_000, 700.0)
    far = CouncilProfile("MD", "North West", 500_000, 100.0)
    assert similarity(WEALDEN, near) > similarity(WEALDEN, far)


def test_it_explains_the_method_in_plain_words():
    assert METHOD.startswith("We rank councils by")


@pytest.fixture
def councils(db):
    def council(kind, region, population):
        return CouncilFactory(
            local_authority__authority_type=kind,
            local_authority__region=region,
            local_authority__population=population,
        )

    mine = council("NMD", "South East", 150_000)
    twin = council("NMD", "South East", 140_000)
    cousin = council("NMD", "North West", 150_000)
    stranger = council("MD", "North East", 900_000)
    hidden = council("MD", "North East", 150_000)
    reader = MembershipFactory(organisation=mine).user
    for organisation, title in [
        (stranger, "Stranger's"),
        (cousin, "Cousin's"),
        (twin, "Twin's"),
    ]:
        InitiativeFactory(organisation=organisation, title=title)
    InitiativeFactory(organisation=hidden, title="Hidden", pseudonymous=True)
    return reader


def test_it_sorts_by_similarity_to_the_readers_council(client_for, councils):
    response = client_for(councils).get("/initiatives/", {"sort": "similar"})
    rows = response.context["rows"]
    # Twin: same type, region, nearly the same size (92); cousin: another region (73);
    # hidden: scored on type and region only (20); stranger: a city six times as big (13).
    assert [r.initiative.title for r in rows] == ["Twin's", "Cousin's", "Hidden", "Stranger's"]
    assert [r.similarity for r in rows] == [92, 72, 20, 13]
    html = response.content.decode()
    assert "We rank councils by" in html
    assert "% like your council" in html


def test_it_scores_a_pseudonymous_record_without_its_population(client_for, councils):
    rows = client_for(councils).get("/initiatives/", {"sort": "similar"}).context["rows"]
    hidden = next(r for r in rows if r.initiative.title == "Hidden")
    # MD in the North East against an NMD in the South East: no type, no region, and
    # the population (the same as the reader's) is not used: both unknown parts are halves.
    assert hidden.similarity == round(100 * (0.25 * 0.5 + 0.15 * 0.5))


def test_it_offers_similarity_only_to_council_members(client_for, world, councils):
    anonymous = client_for(None).get("/initiatives/", {"sort": "similar"})
    assert ("similar", "Councils like mine") not in anonymous.context["sort_choices"]
    assert anonymous.context["sort"] == "newest"
    member = client_for(councils).get("/initiatives/")
    assert ("similar", "Councils like mine") in member.context["sort_choices"]


def test_it_scores_a_search_as_it_scores_the_list(client_for, councils):
    client = client_for(councils)
    listed = client.get("/initiatives/", {"sort": "similar"}).context["rows"]
    searched = client.get("/initiatives/", {"sort": "similar", "q": "tried"}).context["rows"]
    assert [(r.initiative.pk, r.similarity) for r in searched] == [
        (r.initiative.pk, r.similarity) for r in listed
    ]
