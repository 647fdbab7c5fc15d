"""Compare up to four records side by side; never more, never a leak, never a 500."""

from decimal import Decimal

import pytest

from tests.initiatives.factories import (
    GoalFactory,
    GoalResultFactory,
    InitiativeFactory,
    LedgerLineFactory,
    Register,
)
from whatworks.core.visibility import Visibility
from whatworks.initiatives.models import LedgerLine, Verdict

COMPARE = "/initiatives/compare/"


@pytest.fixture
def two(db):
    rent = InitiativeFactory(title="Rent arrears letters", evidence_level=2, verdict=Verdict.MET)
    goal = GoalFactory(initiative=rent, baseline_value=46, target_value=21, success_threshold=30)
    GoalResultFactory(goal=goal, value=21, ci_low=18.5, ci_high=24.25)
    LedgerLineFactory(initiative=rent, amount=Decimal("5000"))
    LedgerLineFactory(
        initiative=rent,
        kind=LedgerLine.Kind.SAVING,
        timing=LedgerLine.Timing.RECURRING,
        basis=LedgerLine.Basis.ESTIMATED,
        amount=Decimal("12000"),
        beneficiary="council",
    )
    signs = InitiativeFactory(title="Fly-tipping signs", verdict=Verdict.NOT_MET)
    copy = InitiativeFactory(
        title="Rent letters in Lambeth", replicated_from=rent, verdict=Verdict.NOT_MET
    )
    InitiativeFactory(title="Secret copy", replicated_from=rent, visibility=Visibility.PRIVATE)
    return rent, signs, copy


def test_it_compares_two_records_side_by_side(client, two):
    rent, signs, _ = two
    response = client.get(COMPARE, {"id": [rent.pk, signs.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Rent arrears letters",
        "Fly-tipping signs",
        "Days until the tenant gets in touch",
        "46",
        "at most 30 days",
        "18.5 to 24.25",
        "£5,000 realised",
        "£12,000 including estimates",
        "Evidence level",
        "2 of 5",
        "1: 1 did not meet its goal",
        "Rent letters in Lambeth",
        '<th scope="row"',
        "<caption",
        "app-table-scroll",
    ]:
        assert text in html, text
    # A replication the reader may not see is neither counted nor named.
    assert "Secret copy" not in html


def test_it_refuses_more_than_four(client, two):
    ids = [InitiativeFactory().pk for _ in range(5)]
    response = client.get(COMPARE, {"id": ids})
    assert response.status_code == 200
    html = response.content.decode()
    assert "You can compare up to 4 records at a time. You chose 5" in html
    assert "<title>Error:" in html
    assert "<table" not in html


def test_it_does_not_reveal_records_the_reader_may_not_see(client_for, world):
    register = Register(world)
    hidden = register.records["private"]
    shown = register.records["public"]
    missing = 999_999
    response = client_for(world["outsider"]).get(COMPARE, {"id": [hidden.pk, shown.pk]})
    html = response.content.decode()
    assert Register.TITLES["private"] not in html
    assert f"We could not find record {hidden.pk}, or you do not have access to it" in html
    assert Register.TITLES["public"] in html
    # A record that does not exist gets the very same words.
    response = client_for(world["outsider"]).get(COMPARE, {"id": [missing]})
    assert f"We could not find record {missing}, or you do not have access to it" in (
        response.content.decode()
    )
    # Its members may compare it.
    response = client_for(world["admin"]).get(COMPARE, {"id": [hidden.pk]})
    assert Register.TITLES["private"] in response.content.decode()


def test_it_hides_a_pseudonymous_owner_in_the_comparison(client_for, world):
    register = Register(world)
    record = register.records["pseudonymous"]
    html = client_for(world["outsider"]).get(COMPARE, {"id": [record.pk]}).content.decode()
    assert Register.PSEUDONYM in html
    assert "Breckland" not in html


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["abc"], "“abc” is not a record number"),
        (["-1"], "“-1” is not a record number"),
        (["1.5"], "“1.5” is not a record number"),
        (["9" * 40], f"“{'9' * 20}” is not a record number"),
        ([""], "“” is not a record number"),
        (["1", "1", "1"], "We could not find record 1, or you do not have access to it"),
        ([], "Choose up to 4 records in"),
    ],
)
def test_it_answers_bad_ids_with_a_message_not_a_500(client, db, ids, message):
    response = client.get(COMPARE, {"id": ids})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "<table" not in html
    assert ("<title>Error:" in html) == bool(ids)  # an empty choice is not an error


def test_it_compares_in_a_fixed_number_of_queries(client, two, django_assert_max_num_queries):
    ids = [InitiativeFactory().pk for _ in range(2)] + [two[0].pk, two[1].pk]
    # session-less: visible records, goals, their primary results, ledger, replications
    with django_assert_max_num_queries(5):
        assert client.get(COMPARE, {"id": ids}).status_code == 200


def test_a_record_without_realised_figures_says_not_recorded_not_zero(client, two):
    rent, signs, _ = two
    html = client.get(COMPARE, {"id": [rent.pk, signs.pk]}).content.decode()
    assert "£5,000 realised" in html  # the record with a realised line
    assert "£0 realised" not in html  # the one without says so instead
    assert "Realised: not recorded" in html
