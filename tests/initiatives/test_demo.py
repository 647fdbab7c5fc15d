"""The report's cases as demo records: loaded once, only in development, with its figures."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from whatworks.core.demo import DemoDataRefused
from whatworks.initiatives.demo import CASES, load_demo_initiatives
from whatworks.initiatives.models import (
    Initiative,
    LedgerLine,
    Status,
    StatusChange,
    Verdict,
)
from whatworks.organisations.demo import load_demo_data
from whatworks.organisations.models import Organisation


@pytest.fixture
def loaded(db, settings) -> int:
    settings.DEBUG = True
    call_command("load_local_authorities", verbosity=0)
    load_demo_data()
    return load_demo_initiatives()


def _record(owner: str, title_start: str) -> Initiative:
    return Initiative.objects.get(organisation__name=owner, title__startswith=title_start)


def test_it_creates_every_case_once(loaded: int) -> None:
    assert loaded == len(CASES) == Initiative.objects.count()
    assert load_demo_initiatives() == 0
    assert Initiative.objects.count() == len(CASES)


def test_it_refuses_without_debug(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(DemoDataRefused):
        load_demo_initiatives()
    assert not Initiative.objects.exists()


def test_it_records_wealden_letters_with_the_reports_figures(loaded: int) -> None:
    letters = _record("Wealden District Council", "Rent arrears letters")
    goal = letters.primary_goal()
    assert goal is not None and goal.locked_at is not None
    assert goal.baseline_value == 46
    result = goal.primary_result()
    assert result.value == 21
    # The report gives a single figure with no interval: honestly, that cannot show the goal
    # was met, and the reason says what would settle it.
    assert result.verdict == Verdict.INCONCLUSIVE
    assert "single figure" in result.verdict_reason
    assert "What would settle it" in result.verdict_reason
    assert letters.verdict == Verdict.INCONCLUSIVE
    assert letters.evidence_level == 2  # before and after, no comparison group
    assert letters.status == Status.CONTINUED
    rent = letters.goals.get(is_primary=False)
    assert (rent.baseline_value, rent.primary_result().value) == (98.0, 99.89)
    assert "Producing the Goods" in goal.data_source


def test_it_labels_barnets_savings_as_the_report_gives_them(loaded: int) -> None:
    in_house = _record("London Borough of Barnet", "Waste and recycling brought back")
    line = in_house.ledger.get()
    # "reported that this would save £1.3 million per year": a projection.
    assert line.basis == LedgerLine.Basis.ESTIMATED
    assert line.timing == LedgerLine.Timing.RECURRING
    assert line.amount == Decimal("1300000")
    # Harrow "has saved £1.55 million": stated as achieved.
    harrow = _record("London Borough of Harrow", "Transactional services")
    assert harrow.ledger.get().basis == LedgerLine.Basis.REALISED


def test_it_records_the_failure_the_report_describes(loaded: int) -> None:
    outsourced = _record("London Borough of Barnet", "Waste and recycling run by")
    assert outsourced.status == Status.STOPPED
    assert outsourced.failure_cause
    assert outsourced.verdict == ""  # no figures in the report, so no verdict
    assert outsourced in Initiative.objects.what_did_not_work()


def test_it_records_a_result_only_where_the_report_gives_a_baseline(loaded: int) -> None:
    with_results = set(
        Initiative.objects.exclude(verdict="").values_list("organisation__name", flat=True)
    )
    assert with_results == {"Wealden District Council", "London Borough of Lambeth"}
    lambeth = _record("London Borough of Lambeth", "Street Champions")
    assert lambeth.evidence_level == 5  # randomised
    for initiative in Initiative.objects.filter(status=Status.PLANNED):
        assert not initiative.goals.exists(), initiative
        assert "Producing the Goods" in initiative.what_was_done


def test_it_creates_the_councils_the_demo_lacked_with_their_register_entries(
    loaded: int,
) -> None:
    breckland = Organisation.objects.get(name="Breckland District Council")
    assert breckland.local_authority is not None
    assert breckland.local_authority.code == "BRE"
    shared = _record("Breckland District Council", "Shared management")
    assert shared.partners.get().organisation.name == "South Holland District Council"
    sunderland = _record("Sunderland City Council", "Community Integrated Teams")
    assert {p.organisation.name for p in sunderland.partners.all()} == {
        "Sunderland Clinical Commissioning Group",
        "Age UK Sunderland",
    }


def test_it_goes_through_the_register_rules(loaded: int) -> None:
    letters = _record("Wealden District Council", "Rent arrears letters")
    history = list(
        StatusChange.objects.filter(initiative=letters).values_list("to_status", flat=True)
    )
    assert history == ["planned", "started", "evaluating", "published", "continued"]
    assert letters.created_by is not None
    assert letters.created_by.email == "admin@wealden.demo"
    assert {i.visibility for i in Initiative.objects.all()} == {"public", "peers", "private"}


def test_the_command_loads_them_too(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_local_authorities", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    # The trials demo adds its own synthetic records (titles start "SYNTHETIC").
    assert Initiative.objects.exclude(title__startswith="SYNTHETIC").count() == len(CASES)
