"""Browse and search: visibility by persona, facets and their counts, search with facets,
sorting, bad query strings, and a query count that does not grow with the rows."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.factories import MembershipFactory, OrganisationFactory
from tests.initiatives.factories import (
    CouncilFactory,
    GoalFactory,
    GoalResultFactory,
    InitiativeFactory,
    InitiativeTagFactory,
    LedgerLineFactory,
    PartnerFactory,
    Register,
)
from whatworks.core.visibility import Visibility
from whatworks.initiatives.filters import Filters, Sort
from whatworks.initiatives.finding import find
from whatworks.initiatives.models import (
    InitiativeTag,
    Mechanism,
    ServiceArea,
    Status,
    Verdict,
)
from whatworks.organisations.models import OrganisationKind

LIST = "/initiatives/"


@pytest.fixture
def register(world):
    return Register(world)


def _counts(response, name):
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {o.value: o.count for g in facet.groups for o in g.options}


def _titles(response):
    return {row.initiative.title for row in response.context["rows"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_only_what_each_persona_may_see(client_for, world, register, persona):
    response = client_for(world[persona]).get(LIST)
    assert response.status_code == 200
    want = {Register.TITLES[k] for k in Register.visible_keys(persona)}
    assert _titles(response) == want
    html = response.content.decode()
    for key, title in Register.TITLES.items():
        assert (title in html) == (key in Register.visible_keys(persona))
    # The pseudonymous owner is never named, in the list or the facets.
    assert Register.HIDDEN_NAME not in html
    assert "Breckland" not in html
    assert Register.PSEUDONYM in html


def test_it_names_the_pseudonymous_owner_to_its_own_members(client_for, world, register):
    html = client_for(register.insider).get(LIST).content.decode()
    assert Register.HIDDEN_NAME in html


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "admin"])
def test_it_counts_only_visible_records_in_facets(client_for, world, register, persona):
    response = client_for(world[persona]).get(LIST)
    visible = Register.visible_keys(persona)
    assert _counts(response, "service_area")[ServiceArea.WASTE] == len(visible)
    regions = _counts(response, "region")
    # Region facets come from the owner's council: A is in the South East, C in the East.
    assert regions.get("East of England") == 1
    assert regions.get("South East", 0) == len(visible) - 1
    assert response.context["page"].paginator.count == len(visible)


def test_it_shows_what_did_not_work_with_the_same_prominence(client_for, world, register):
    InitiativeFactory(title="Inconclusive pilot", verdict=Verdict.INCONCLUSIVE)
    InitiativeFactory(title="Worked well", verdict=Verdict.MET)
    client = client_for(None)
    home = client.get(LIST).content.decode()
    assert reverse("initiative-what-did-not-work") in home
    assert reverse("initiative-what-worked") in home

    response = client.get(reverse("initiative-what-did-not-work"))
    assert _titles(response) == {Register.TITLES["pseudonymous"], "Inconclusive pilot"}
    assert "What didn&#x27;t work" in response.content.decode()
    assert _titles(client.get(reverse("initiative-what-worked"))) == {"Worked well"}
    # The same filter as a query parameter on the main list.
    assert _titles(client.get(LIST, {"outcome": "did-not-work"})) == _titles(response)


@pytest.fixture
def varied(db):
    """Records that differ in every facet, all public."""
    north = CouncilFactory(
        local_authority__authority_type="MD",
        local_authority__authority_type_name="Metropolitan district",
        local_authority__region="North East",
    )
    south = CouncilFactory(
        local_authority__authority_type="NMD",
        local_authority__authority_type_name="Non-metropolitan district",
        local_authority__region="South East",
    )
    charity = OrganisationFactory(kind=OrganisationKind.CHARITY)
    rent = InitiativeFactory(
        organisation=south,
        title="Rent arrears letters",
        service_area=ServiceArea.HOUSING,
        verdict=Verdict.MET,
        evidence_level=3,
        status=Status.PUBLISHED,
    )
    texts = InitiativeFactory(
        organisation=north,
        title="Rent reminder texts",
        service_area=ServiceArea.REVENUES,
        verdict=Verdict.NOT_MET,
        evidence_level=5,
        status=Status.STOPPED,
        failure_cause="idea",
    )
    signs = InitiativeFactory(
        organisation=south,
        title="Fly-tipping signs",
        service_area=ServiceArea.WASTE,
    )
    InitiativeTagFactory(initiative=rent, value=Mechanism.SALIENCE)
    InitiativeTagFactory(initiative=rent, value=Mechanism.TIMELY)
    InitiativeTagFactory(initiative=texts, value=Mechanism.TIMELY)
    InitiativeTagFactory(initiative=signs, kind=InitiativeTag.Kind.COLLABORATION, value="public")
    PartnerFactory(initiative=texts, organisation=charity)
    PartnerFactory(initiative=texts)  # NHS
    LedgerLineFactory(initiative=rent, amount=Decimal("4000"))
    LedgerLineFactory(initiative=rent, amount=Decimal("3000"), timing="recurring")
    LedgerLineFactory(initiative=texts, amount=Decimal("150000"), basis="estimated")
    LedgerLineFactory(
        initiative=texts, kind="saving", amount=Decimal("999999999"), beneficiary="council"
    )  # savings do not count towards cost
    return {"rent": rent, "texts": texts, "signs": signs}


def test_it_counts_each_facet_for_the_current_filters(client, varied):
    response = client.get(LIST)
    assert _counts(response, "mechanism")[Mechanism.TIMELY] == 2
    assert _counts(response, "mechanism")[Mechanism.SALIENCE] == 1
    assert _counts(response, "collaboration")["public"] == 1
    assert _counts(response, "verdict") == {"met": 1, "not_met": 1, "inconclusive": 0, "none": 1}
    assert _counts(response, "evidence_level") == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert _counts(response, "council_type") == {"MD": 1, "NMD": 2}
    assert _counts(response, "partner_kind")[OrganisationKind.CHARITY] == 1
    assert _counts(response, "partner_kind")[OrganisationKind.NHS] == 1
    assert _counts(response, "cost_band") == {
        "under-10k": 1,
        "10k-100k": 0,
        "100k-1m": 1,
        "over-1m": 0,
        "none": 1,
    }
    labels = {
        o.value: o.label
        for f in response.context["facets"]
        if f.name == "council_type"
        for g in f.groups
        for o in g.options
    }
    assert labels["MD"] == "Metropolitan district"


def test_it_groups_mechanisms_into_east_and_mindspace(client, varied):
    facet = next(f for f in client.get(LIST).context["facets"] if f.name == "mechanism")
    assert [len(g.options) for g in facet.groups] == [4, 9]
    assert facet.groups[0].legend.startswith("EAST")


def test_it_filters_with_or_inside_a_facet_and_and_across(client, varied):
    both = client.get(LIST, {"service_area": ["housing", "revenues"]})
    assert _titles(both) == {"Rent arrears letters", "Rent reminder texts"}
    narrowed = client.get(LIST, {"service_area": ["housing", "revenues"], "mechanism": "salience"})
    assert _titles(narrowed) == {"Rent arrears letters"}
    # The service-area counts ignore the service-area choice but respect the mechanism one.
    assert _counts(narrowed, "service_area")["housing"] == 1
    assert _counts(narrowed, "service_area")["revenues"] == 0
    assert _titles(client.get(LIST, {"cost_band": "100k-1m"})) == {"Rent reminder texts"}
    assert _titles(client.get(LIST, {"cost_band": "none"})) == {"Fly-tipping signs"}
    assert _titles(client.get(LIST, {"partner_kind": "charity"})) == {"Rent reminder texts"}
    assert _titles(client.get(LIST, {"region": "North East"})) == {"Rent reminder texts"}
    assert _titles(client.get(LIST, {"council_type": "NMD", "verdict": "none"})) == {
        "Fly-tipping signs"
    }
    assert _titles(client.get(LIST, {"evidence_level": "5"})) == {"Rent reminder texts"}
    assert _titles(client.get(LIST, {"failure_cause": "idea"})) == {"Rent reminder texts"}
    assert _titles(client.get(LIST, {"status": "published"})) == {"Rent arrears letters"}
    assert _titles(client.get(LIST, {"collaboration": "public"})) == {"Fly-tipping signs"}


def test_it_combines_search_with_facets(client, varied):
    response = client.get(LIST, {"q": "rent"})
    assert [r.initiative.title for r in response.context["rows"]] != []
    assert _titles(response) == {"Rent arrears letters", "Rent reminder texts"}
    assert response.context["sort"] == Sort.RELEVANCE
    assert _counts(response, "service_area")["waste"] == 0
    assert _counts(response, "service_area")["housing"] == 1
    faceted = client.get(LIST, {"q": "rent", "service_area": "revenues", "mechanism": "timely"})
    assert _titles(faceted) == {"Rent reminder texts"}
    assert "Remove" in faceted.content.decode()


def test_it_sorts_by_newest_and_by_evidence(client, varied):
    by_evidence = client.get(LIST, {"sort": "evidence"})
    titles = [r.initiative.title for r in by_evidence.context["rows"]]
    assert titles == ["Rent reminder texts", "Rent arrears letters", "Fly-tipping signs"]
    newest = client.get(LIST, {"sort": "newest"})
    assert [r.initiative.title for r in newest.context["rows"]][0] == "Fly-tipping signs"


@pytest.mark.parametrize(
    "params",
    [
        {"service_area": "dragons"},
        {"sort": "upside-down"},
        {"evidence_level": ["9", "x"]},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"outcome": "maybe"},
        {"region": "x" * 101},
        {"region": "South\x00East"},
        {"q": "x" * 500},
        {"q": "\x00"},
        {"q": '"unbalanced AND (NOT'},
        {"cost_band": "free"},
        {"mechanism": ["timely"] * 40},
    ],
)
def test_it_never_fails_on_a_bad_query_string(client, varied, params):
    response = client.get(LIST, params)
    assert response.status_code == 200


def test_it_reports_bad_values_and_applies_the_good_ones(client, varied):
    response = client.get(LIST, {"service_area": ["dragons"], "mechanism": "timely"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error:" in html
    assert 'href="#id_service_area"' in html
    assert _titles(response) == {"Rent arrears letters", "Rent reminder texts"}


def _make_rows(n: int, organisation) -> None:
    partner = OrganisationFactory(kind=OrganisationKind.POLICE)
    for i in range(n):
        initiative = InitiativeFactory(
            organisation=organisation,
            visibility=Visibility.PEERS,
            service_area=ServiceArea.WASTE if i % 2 else ServiceArea.HOUSING,
            verdict=Verdict.MET if i % 3 else Verdict.NOT_MET,
            evidence_level=1 + i % 5,
        )
        GoalResultFactory(goal=GoalFactory(initiative=initiative))
        LedgerLineFactory(initiative=initiative, amount=Decimal(1000 * i))
        InitiativeTagFactory(initiative=initiative)
        PartnerFactory(initiative=initiative, organisation=partner)


def _queries(client, params) -> int:
    """Queries for the list worked out afresh (not from the cache every write bumps)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "initiative", "service_area": "waste", "verdict": "met"},
        {"sort": "similar", "cost_band": "under-10k"},
        {"outcome": "did-not-work", "page": "2"},
    ],
)
def test_it_uses_as_many_queries_for_40_rows_as_for_5(client_for, world, params):
    council = CouncilFactory()
    member = MembershipFactory(organisation=council).user
    client = client_for(member)
    _make_rows(5, council)
    few = _queries(client, params)
    _make_rows(35, CouncilFactory())
    many = _queries(client, params)
    assert few == many
    # session, user, memberships, reader's council, count, page, 11 facets (+ labels,
    # + the councils for 'like mine')
    assert many <= 20


def test_it_keeps_the_list_within_a_fixed_number_of_queries(
    client, varied, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        client.get(LIST, {"q": "rent", "service_area": "housing", "mechanism": "timely"})


def _facet_table(found) -> dict[str, dict[str, int]]:
    return {f.name: {o.value: o.count for g in f.groups for o in g.options} for f in found.facets()}


@pytest.mark.parametrize(
    "selected",
    [
        {},
        {"mechanism": ("timely",)},
        {"service_area": ("housing", "revenues"), "cost_band": ("under-10k", "100k-1m")},
        {"partner_kind": ("charity",), "region": ("North East",)},
        {"verdict": ("none",), "council_type": ("NMD",)},
    ],
)
def test_it_filters_and_counts_a_search_exactly_as_the_list_of_the_same_records(varied, selected):
    # "tried" is in every summary, so the search finds every record the list shows.
    listed = find(None, Filters(selected=selected))
    searched = find(None, Filters(q="tried", selected=selected))
    assert searched.searching and not listed.searching
    assert _facet_table(searched) == _facet_table(listed)
    assert {r.pk for r in searched.results} == {r.pk for r in listed.results}


def test_it_sorts_a_search_like_the_list(varied):
    for sort in ("newest", "evidence"):
        listed = find(None, Filters(sort=sort))
        searched = find(None, Filters(q="tried", sort=sort))
        assert [r.pk for r in searched.results] == [r.pk for r in listed.results]
