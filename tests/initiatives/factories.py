"""factory_boy factories for the register (shared by the browse and record tests).

    initiative = InitiativeFactory(organisation=world.org_a, visibility=Visibility.PUBLIC)
    goal = GoalFactory(initiative=initiative)                 # the primary goal
    GoalResultFactory(goal=goal, value=21, verdict=Verdict.MET)
    LedgerLineFactory(initiative=initiative, amount=Decimal("5000"))
    InitiativeTagFactory(initiative=initiative, value=Mechanism.SALIENCE)
    council = CouncilFactory(local_authority__region="London", local_authority__population=300_000)

Factories write rows directly (no services, no audit): use services when the test is
about the rules those services enforce.
"""

from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories import LocalAuthorityFactory, OrganisationFactory
from whatworks.core.visibility import Visibility
from whatworks.initiatives.models import (
    Direction,
    EvaluationDesign,
    Goal,
    GoalResult,
    Initiative,
    InitiativeTag,
    LedgerLine,
    Mechanism,
    Partner,
    ServiceArea,
    Status,
    StatusChange,
    Verdict,
)
from whatworks.organisations.models import OrganisationKind


class CouncilFactory(OrganisationFactory):
    """An organisation that is a council, with its entry in the local authority register."""

    kind = OrganisationKind.COUNCIL
    local_authority = factory.SubFactory(LocalAuthorityFactory, population=100_000)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    summary = factory.LazyAttribute(lambda o: f"What {o.title} tried, and how it went.")
    service_area = ServiceArea.WASTE
    visibility = Visibility.PUBLIC
    status = Status.IDEA


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    initiative = factory.SubFactory(InitiativeFactory)
    from_status = ""
    to_status = Status.IDEA
    reason = "Registered"
    changed_at = factory.LazyFunction(timezone.now)


class InitiativeTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InitiativeTag

    initiative = factory.SubFactory(InitiativeFactory)
    kind = InitiativeTag.Kind.MECHANISM
    value = Mechanism.SALIENCE


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    initiative = factory.SubFactory(InitiativeFactory)
    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.NHS)
    part = "Shared the data"


class GoalFactory(factory.django.DjangoModelFactory):
    """A primary goal like Wealden's arrears letters: days until tenants get in touch."""

    class Meta:
        model = Goal

    initiative = factory.SubFactory(InitiativeFactory)
    is_primary = True
    metric_name = "Days until the tenant gets in touch"
    unit = "days"
    direction = Direction.LOWER
    baseline_value = 46.0
    baseline_period = "2015 to 2016"
    baseline_source = "Rent account records"
    target_value = 21.0
    success_threshold = 30.0


class GoalResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalResult

    goal = factory.SubFactory(GoalFactory)
    is_primary = True
    value = 21.0
    design = EvaluationDesign.BEFORE_AFTER
    verdict = Verdict.MET
    verdict_reason = "The result (21) reaches the criterion (at most 30 days)."


class LedgerLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerLine

    initiative = factory.SubFactory(InitiativeFactory)
    kind = LedgerLine.Kind.COST
    timing = LedgerLine.Timing.UPFRONT
    basis = LedgerLine.Basis.REALISED
    description = "Printing the letters"
    amount = Decimal("5000.00")


# --- A small register with one record per visibility, for persona-by-visibility tests ---


class Register:
    """Records owned by organisation A (one per visibility, plus one under embargo) and a
    public record published under a pseudonym by a third council, Breckland, whose
    members are not among the personas: its name must never reach any of them.
    """

    TITLES = {
        "private": "Private bin audit",
        "peers": "Peers-only rota trial",
        "public": "Public reminder letters",
        "embargoed": "Embargoed signage pilot",
        "pseudonymous": "Pseudonymous kerbside collection",
    }
    HIDDEN_NAME = "Breckland Council"
    PSEUDONYM = "A non-metropolitan district in East of England"

    def __init__(self, world) -> None:
        from datetime import timedelta

        from tests.factories import MembershipFactory

        world.org_a.local_authority = LocalAuthorityFactory(
            authority_type="NMD",
            authority_type_name="Non-metropolitan district",
            region="South East",
            population=160_000,
        )
        world.org_a.save()
        world.org_b.local_authority = LocalAuthorityFactory(
            authority_type="LBO",
            authority_type_name="London borough",
            region="London",
            population=320_000,
        )
        world.org_b.save()
        self.org_c = CouncilFactory(
            name=self.HIDDEN_NAME,
            slug="breckland",
            local_authority__authority_type="NMD",
            local_authority__authority_type_name="Non-metropolitan district",
            local_authority__region="East of England",
            local_authority__population=140_000,
        )
        self.insider = MembershipFactory(organisation=self.org_c).user

        def make(key: str, **fields) -> Initiative:
            return InitiativeFactory(title=self.TITLES[key], **fields)

        self.records = {
            "private": make("private", organisation=world.org_a, visibility=Visibility.PRIVATE),
            "peers": make("peers", organisation=world.org_a, visibility=Visibility.PEERS),
            "public": make("public", organisation=world.org_a, visibility=Visibility.PUBLIC),
            "embargoed": make(
                "embargoed",
                organisation=world.org_a,
                visibility=Visibility.PUBLIC,
                embargo_until=timezone.localdate() + timedelta(days=90),
            ),
            "pseudonymous": make(
                "pseudonymous",
                organisation=self.org_c,
                visibility=Visibility.PUBLIC,
                pseudonymous=True,
                status=Status.STOPPED,
                verdict=Verdict.NOT_MET,
                failure_cause="implementation",
                evidence_level=2,
            ),
        }
        goal = GoalFactory(initiative=self.records["pseudonymous"])
        GoalResultFactory(goal=goal, value=40.0, verdict=Verdict.NOT_MET)
        LedgerLineFactory(initiative=self.records["pseudonymous"], amount=Decimal("25000"))
        PartnerFactory(initiative=self.records["pseudonymous"])

    @staticmethod
    def visible_keys(persona: str) -> set[str]:
        """What each persona of tests/conftest.py may see."""
        keys = {"public", "pseudonymous"}
        if persona in ("admin", "officer", "analyst", "frontline", "volunteer"):
            keys |= {"private", "peers", "embargoed"}
        elif persona == "outsider":
            keys |= {"peers"}
        return keys
