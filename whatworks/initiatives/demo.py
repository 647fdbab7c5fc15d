"""The report's cases as register records, with the figures it publishes (development only).

Every record is written through `whatworks.initiatives.services`, so the demo obeys the
register's own rules: goals lock when a record starts, verdicts are computed against the
locked criterion, every status change is a history row, every write is audited.

How the report's text becomes records, honestly:
- Figures come from NLGN, *Producing the Goods* (2017). The text we hold has no page
  markers, so each citation names the section and the page range its chapter has in the
  report's contents (chapter 1 pp. 12-20, chapter 2 pp. 21-31, chapter 3 pp. 32-39,
  conclusion pp. 40-42, appendix of case studies from p. 43).
- A goal is recorded only where the report gives a baseline, and a result only where it
  gives the measured figure after the change. The report never states a success
  criterion; the register needs one, so those goals use the weakest honest criterion,
  "any improvement on the baseline" (one step of the figure's own precision), and say so
  in their definition. That is the only number here that is not the report's.
- Where the report gives no baseline the record stays "planned": the register cannot lock
  a goal without one, and the report itself says "before implementation the baseline must
  be accurately established". The record's text says what was done and when.
- Savings are "realised" where the report states them as achieved ("has saved", "saves")
  and "estimated" where it gives them as a projection ("would save", "could be saved").
- The one failure the report describes is Barnet's externally provided waste service,
  which "did not save as much money as hoped" and was brought back in house: it is
  recorded as stopped, with its cause. The report gives no figures for it, so no verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from whatworks.core.demo import refuse_unless_debug
from whatworks.core.visibility import Visibility
from whatworks.initiatives import services
from whatworks.initiatives.models import (
    Collaboration,
    Direction,
    EvaluationDesign,
    FailureCause,
    Goal,
    Initiative,
    LedgerLine,
    Mechanism,
    ServiceArea,
    Status,
)
from whatworks.organisations import services as organisation_services
from whatworks.organisations.demo import PEOPLE, load_demo_data
from whatworks.organisations.models import (
    LocalAuthority,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

SOURCE = "NLGN, Producing the Goods (2017)"
CH1 = f"{SOURCE}, ch. 1 'What has been tried already?' (pp. 12-20)"
CH2 = f"{SOURCE}, ch. 2 'New sources of insight' (pp. 21-31)"
CH3 = f"{SOURCE}, ch. 3 'Understanding how to build community capacity' (pp. 32-39)"
CONCLUSION = f"{SOURCE}, 'Conclusion & recommendations' (pp. 40-42)"
APPENDIX = f"{SOURCE}, appendix 'Case studies' (pp. 43 on)"
STAFF_EMAIL = "staff@whatworks.demo"
ANY_IMPROVEMENT = (
    " The report states no success criterion; this record uses the weakest honest one: "
    "any improvement on the baseline."
)
NO_BASELINE = (
    " Held at 'planned' in this register: the report publishes no baseline, so no goal can "
    "be locked and the record cannot be started here until the owner adds its own figures."
)

# Organisations the report names that the organisations demo does not create:
# (name, kind, register code of its local authority or None, description).
EXTRA_ORGANISATIONS: list[tuple[str, str, str | None, str]] = [
    (
        "Cambridgeshire County Council",
        OrganisationKind.COUNCIL,
        "CAM",
        "One of the two county councils behind LGSS.",
    ),
    (
        "Northamptonshire County Council",
        OrganisationKind.COUNCIL,
        "NTH",
        "One of the two county councils behind LGSS (replaced by two unitaries in 2021).",
    ),
    # A shared service owned by two councils: it has no register entry of its own.
    (
        "LGSS",
        OrganisationKind.JOINT_VENTURE,
        None,
        "Shared services of Cambridgeshire and Northamptonshire county councils.",
    ),
    (
        "Breckland District Council",
        OrganisationKind.COUNCIL,
        "BRE",
        "Shares its management with South Holland District Council.",
    ),
    (
        "South Holland District Council",
        OrganisationKind.COUNCIL,
        "SHO",
        "Shares its management with Breckland District Council.",
    ),
    (
        "Institute for Fiscal Studies",
        OrganisationKind.OTHER,
        None,
        "Research institute; evaluated Lambeth's Street Champions incentives.",
    ),
    ("ustwo", OrganisationKind.BUSINESS, None, "Digital production company."),
    (
        "Cass Business School, City University",
        OrganisationKind.OTHER,
        None,
        "Students and professors who worked on the Keepsake app.",
    ),
]


@dataclass(frozen=True)
class ResultSpec:
    value: float
    design: str
    source: str


@dataclass(frozen=True)
class GoalSpec:
    metric_name: str
    unit: str
    definition: str
    data_source: str
    direction: str
    baseline_value: float
    baseline_period: str
    baseline_source: str
    success_threshold: float
    result: ResultSpec | None = None

    def fields(self) -> dict[str, Any]:
        # Without a published target the target is the criterion itself.
        return {
            "metric_name": self.metric_name,
            "unit": self.unit,
            "definition": self.definition,
            "data_source": self.data_source,
            "direction": self.direction,
            "baseline_value": self.baseline_value,
            "baseline_period": self.baseline_period,
            "baseline_source": self.baseline_source,
            "target_value": self.success_threshold,
            "success_threshold": self.success_threshold,
        }


@dataclass(frozen=True)
class SavingSpec:
    description: str
    amount: Decimal
    timing: str
    basis: str
    beneficiary: str = LedgerLine.Beneficiary.COUNCIL
    cashable: bool = True


@dataclass(frozen=True)
class FailureSpec:
    cause: str
    lessons: str
    do_differently: str


@dataclass(frozen=True)
class Case:
    owner: str
    title: str
    summary: str
    service_area: str
    problem: str
    what_was_done: str
    visibility: str = Visibility.PUBLIC
    who_it_reached: str = ""
    people_reached: int | None = None
    planned_start: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    collaborations: tuple[str, ...] = ()
    mechanisms: tuple[str, ...] = ()
    partners: tuple[tuple[str, str], ...] = ()
    goals: tuple[GoalSpec, ...] = ()
    savings: tuple[SavingSpec, ...] = ()
    # Statuses after "planned", in order; results are recorded once it has started.
    path: tuple[str, ...] = ()
    path_reason: str = ""
    failure: FailureSpec | None = None
    lessons: str = ""


REALISED, ESTIMATED = LedgerLine.Basis.REALISED, LedgerLine.Basis.ESTIMATED
UPFRONT, RECURRING = LedgerLine.Timing.UPFRONT, LedgerLine.Timing.RECURRING

CASES: list[Case] = [
    Case(
        owner="Wealden District Council",
        title="Rent arrears letters rewritten with behavioural insights",
        summary=(
            "The housing income team rewrote its arrears letters (personalised, with a social "
            "norm and the consequences up front): tenants got in touch after 21 days on "
            "average instead of 46."
        ),
        service_area=ServiceArea.HOUSING,
        problem=(
            "Council housing rent arrears rose sharply in 2009-2012, partly through national "
            "welfare reform. Most arrears letters were ignored until there was a serious threat "
            "of eviction or court action."
        ),
        what_was_done=(
            "From 2013 the Housing Income Department, with the council's behavioural insights "
            "lead and legal services, changed the language and layout of its arrears letters: "
            "more use of the tenant's name; a social norm ('most people in your situation get "
            "in contact with us and we are able to help them deal with it'); the consequences "
            "of arrears at the start. The aim was contact early enough to agree realistic "
            "payment plans and help tenants claim benefits such as housing benefit. "
            f"Source: {CH1}, Example A; {APPENDIX}, 'Reimagining the role of letters and "
            "notices'. The report says rent collected rose 'because of this and other "
            "initiatives', and that it can mean 'tens of thousands of pounds saved' (no "
            "figure, so no ledger line)."
        ),
        who_it_reached="Council tenants in rent arrears",
        actual_start=date(2013, 4, 1),  # the report gives the year, 2013
        collaborations=(Collaboration.WORKFORCE,),
        mechanisms=(Mechanism.ATTRACTIVE, Mechanism.SOCIAL, Mechanism.NORMS, Mechanism.SALIENCE),
        goals=(
            GoalSpec(
                metric_name="Days from the first arrears letter to the tenant getting in touch",
                unit="days",
                definition="Average days after the first letter until the tenant contacts the "
                "council." + ANY_IMPROVEMENT,
                data_source=f"{APPENDIX}, 'Reimagining the role of letters and notices'",
                direction=Direction.LOWER,
                baseline_value=46,
                baseline_period="Before the new letters (to 2013)",
                baseline_source=f"{CH1}, Example A: '46 days previously'",
                success_threshold=45,
                result=ResultSpec(
                    21,
                    EvaluationDesign.BEFORE_AFTER,
                    f"{CH1}, Example A: 'on average 21 days after the first letter'",
                ),
            ),
            GoalSpec(
                metric_name="Rent collected",
                unit="%",
                definition="Percentage of rent due that was collected in the year. The report "
                "credits 'this and other initiatives'." + ANY_IMPROVEMENT,
                data_source=f"{APPENDIX}, 'Reimagining the role of letters and notices'",
                direction=Direction.HIGHER,
                baseline_value=98.0,
                baseline_period="2013/14",
                baseline_source=f"{CH1}, Example A",
                success_threshold=98.01,
                result=ResultSpec(
                    99.89, EvaluationDesign.BEFORE_AFTER, f"{CH1}, Example A: 2015/16"
                ),
            ),
        ),
        path=(Status.STARTED, Status.EVALUATING, Status.PUBLISHED, Status.CONTINUED),
        path_reason=f"As reported in {SOURCE}: the new letters are still in use.",
    ),
    Case(
        owner="Wealden District Council",
        title="Eye-catching signs against speeding, fly-tipping and dog fouling",
        summary=(
            "Road-side signs with a police officer's eyes ('Check your speed before we do'), "
            "eyes at recycling points against fly-tipping, and signs making clearing up after "
            "dogs the norm."
        ),
        service_area=ServiceArea.PARKS_STREETS,
        visibility=Visibility.PRIVATE,
        problem="Dangerous driving and road casualties are a significant problem in Sussex; "
        "fly-tipping and dog fouling are costly to correct by enforcement.",
        what_was_done=(
            "With local public services, especially the emergency services, the council "
            "redesigned road-side signs using behavioural insights; similar signs with eyes "
            "went up at recycling points, and new signage reinforces clearing up after dogs "
            "as the norm. The report says average speeds fell on key roads, fly-tipping fell "
            "'significantly' and dog fouling was 'significantly reduced', but gives no figures. "
            f"Source: {APPENDIX}, 'Redesigning signs to reduce speeding cars, fly-tipping and "
            "dog fouling'." + NO_BASELINE
        ),
        collaborations=(Collaboration.SECTORS, Collaboration.PUBLIC),
        mechanisms=(Mechanism.MESSENGER, Mechanism.NORMS, Mechanism.PRIMING, Mechanism.SALIENCE),
    ),
    Case(
        owner="London Borough of Lambeth",
        title="Street Champions: four incentive offers tested on randomised streets",
        summary=(
            "Streets were randomised to four offers for volunteer Street Champions. The "
            "identity incentive (meeting the mayor, a hi-vis jacket) doubled expressions of "
            "interest and activities compared with the control streets."
        ),
        service_area=ServiceArea.PARKS_STREETS,
        problem="Lambeth wanted residents to volunteer to keep their streets clean and "
        "attractive, and did not know which incentive would motivate them.",
        what_was_done=(
            "With the Institute for Fiscal Studies, streets were assigned to four groups: a "
            "control group (business as usual, no incentive); an individual extrinsic incentive "
            "(free garden waste collection); a community extrinsic incentive (graffiti "
            "removal); and an identity incentive (a chance to meet the mayor and a hi-vis "
            "jacket). Streets offered identity rewards were also 15 per cent more likely to "
            "hold a clean-up event. The report credits Lambeth for publishing what did not "
            f"work as well as what did. Source: {CH3}, 'Street Champions in Lambeth' (full "
            "study: Rogger and Sibieta (2016), Institute for Fiscal Studies); "
            f"{CONCLUSION}."
        ),
        who_it_reached="Residents of the trial streets",
        collaborations=(Collaboration.PUBLIC, Collaboration.SECTORS),
        mechanisms=(Mechanism.INCENTIVES, Mechanism.EGO, Mechanism.SOCIAL),
        partners=(("Institute for Fiscal Studies", "Designed and evaluated the trial"),),
        goals=(
            GoalSpec(
                metric_name="Expressions of interest, identity incentive against control streets",
                unit="% more than control",
                definition="Expressions of interest in becoming a Street Champion on streets "
                "offered the identity incentive, compared with control streets." + ANY_IMPROVEMENT,
                data_source=f"{CH3}, 'Street Champions in Lambeth'",
                direction=Direction.HIGHER,
                baseline_value=0,
                baseline_period="Control streets in the same trial",
                baseline_source="Control group (no incentive), randomised",
                success_threshold=1,
                result=ResultSpec(
                    100,
                    EvaluationDesign.RANDOMISED,
                    f"{CH3}: 'doubled the number of expressions of interest'",
                ),
            ),
            GoalSpec(
                metric_name="Activities, identity incentive against control streets",
                unit="% more than control",
                definition="Activities held on streets offered the identity incentive, compared "
                "with control streets." + ANY_IMPROVEMENT,
                data_source=f"{CH3}, 'Street Champions in Lambeth'",
                direction=Direction.HIGHER,
                baseline_value=0,
                baseline_period="Control streets in the same trial",
                baseline_source="Control group (no incentive), randomised",
                success_threshold=1,
                result=ResultSpec(
                    100,
                    EvaluationDesign.RANDOMISED,
                    f"{CH3}: 'doubled the number of activities compared to the control group'",
                ),
            ),
        ),
        path=(Status.STARTED, Status.EVALUATING, Status.PUBLISHED),
        path_reason=f"Results published by the IFS, as reported in {SOURCE}.",
        lessons=(
            "The most successful incentive was the intrinsic identity incentive; the two "
            "extrinsic offers (free garden waste collection, graffiti removal) did less well. "
            "The report gives no figures for them. The researchers suggest the identity offered "
            "'enhanced social status'."
        ),
    ),
    Case(
        owner="Waveney Norse",
        title="Four longer shifts a week to take refuse vehicles off the road",
        summary=(
            "The refuse crews agreed four longer days a week instead of five, with salaries "
            "and jobs protected, so fewer refuse collection vehicles were needed (£300,000 a "
            "vehicle)."
        ),
        service_area=ServiceArea.WASTE,
        problem="Refuse collection vehicles are an expensive fixed resource.",
        what_was_done=(
            "After consulting HR and the unions, the joint ventures agreed with the crews a "
            "new shift pattern of four longer days with an extra day off a week, guaranteeing "
            "no change to salaries or jobs. Piloted in Waveney, then adopted in Suffolk Coastal "
            "a few years later; a year on, an evaluation found the teams satisfied with their "
            "new hours. The report gives neither the number of vehicles removed nor the "
            f"years. Source: {CH2}, Example B; {APPENDIX}, 'Suffolk Coastal and Waveney Norse'."
            + NO_BASELINE
        ),
        who_it_reached="Environmental services crews",
        collaborations=(Collaboration.WORKFORCE,),
        partners=(
            ("Suffolk Coastal Norse", "Adopted the shift pattern after the Waveney pilot"),
            ("Waveney District Council", "Joint venture partner (50-50 board)"),
            ("Suffolk Coastal District Council", "Joint venture partner (50-50 board)"),
        ),
        savings=(
            # Realised: the report states it as done ("they cut down the number ... saving
            # £300,000 per vehicle"). Counted once: it does not say whether it is yearly.
            SavingSpec(
                "£300,000 for each refuse collection vehicle taken out of use (the report does "
                "not say how many, nor whether the figure is one-off or yearly; counted once "
                "for one vehicle)",
                Decimal("300000"),
                UPFRONT,
                REALISED,
            ),
        ),
    ),
    Case(
        owner="Sunderland City Council",
        title="Community Integrated Teams (All Together Better)",
        summary=(
            "Nurses, social workers, GPs, link workers and carers' support staff in one team in "
            "each of five localities, planning care together for the 3% of patients most at "
            "risk of hospital admission. The best teams report A&E attendance down up to 15%."
        ),
        service_area=ServiceArea.HEALTH_INTEGRATION,
        problem="People with complex long-term needs were visited by several professionals a "
        "week who repeated each other's work (a patient might have blood taken twice in a week "
        "by two different nurses).",
        what_was_done=(
            "Launched in October 2015, funded by NHS England, run by Sunderland City Council, "
            "Sunderland CCG, Age UK Sunderland, local NHS providers and the GP alliance. Teams "
            "share a base, visit together and meet weekly to agree integrated care plans for "
            "the top 3% most at risk of hospitalisation. 'Published outcomes data is not yet "
            "available for the CITs specifically, but the service reports that the most "
            "high-functioning multidisciplinary teams ... are showing reductions in A&E "
            "attendance for their service users of up to 15 per cent.' That is a best-team "
            "figure without a baseline, so it is not recorded as a result. "
            f"Source: {CH2}, Example C; {APPENDIX}, 'Sunderland's Community Integrated Teams'."
            + NO_BASELINE
        ),
        who_it_reached="The 3% of patients who use more than half of healthcare",
        planned_start=date(2015, 10, 1),
        collaborations=(Collaboration.SECTORS,),
        partners=(
            ("Sunderland Clinical Commissioning Group", "Runs the service with the council"),
            ("Age UK Sunderland", "Link workers who connect people to community support"),
        ),
    ),
    Case(
        owner="Jersey Post",
        title="Call & Check: postal workers check on older people on their rounds",
        summary=(
            "Postal workers visit older and vulnerable people two or three times a week on their "
            "existing rounds: a chat, a reminder of appointments and medication, and any concern "
            "passed to the person's nominated contact."
        ),
        service_area=ServiceArea.ADULT_CARE,
        problem="Jersey has a rapidly ageing population at risk of isolation and of losing "
        "independence; 9,000 of its 100,000 people are carers.",
        what_was_done=(
            "Piloted in 2014, working with health and social care agencies; carers, GPs and "
            "social workers can refer people. Government funding from 2017, alongside a private "
            "service relatives can pay for. Jersey Post is working with Outcomes Based "
            "Healthcare on a digital platform to measure outcomes; the report publishes none "
            f"yet. Source: {CH2}, Example D; {APPENDIX}, 'Jersey Post's Call & Check scheme'."
            + NO_BASELINE
        ),
        who_it_reached="Older and vulnerable people referred by carers, GPs and social workers",
        planned_start=date(2014, 1, 1),  # the report gives the year, 2014
        collaborations=(Collaboration.SECTORS, Collaboration.PUBLIC),
        mechanisms=(Mechanism.MESSENGER, Mechanism.TIMELY),
    ),
    Case(
        owner="Nightingale Hammerson",
        title="Keepsake: care notes on the go that prompt the next action",
        summary=(
            "Care staff at Nightingale House kept records on an app while with residents; it "
            "prompted follow-up tasks. The trial suggested more than half of staff admin time "
            "could be saved (an estimate)."
        ),
        service_area=ServiceArea.ADULT_CARE,
        visibility=Visibility.PEERS,
        problem="Record keeping in care homes is a cumbersome mix of paperwork, files and IT "
        "systems that keeps staff in the office.",
        what_was_done=(
            "Nightingale House in South London piloted the Keepsake app for dementia care, "
            "developed with students and professors of City University's Cass Business School "
            "and the digital studio ustwo, who observed and interviewed at the home. Notes are "
            "interpreted as they are written: recording a fall prompts an incident form and a "
            "call to the GP; photos can go to families. 'The trial suggested that more than "
            "half of staff admin time could be saved': a projection without a baseline, so it "
            f"is not recorded as a result. Source: {CH2}, Example E." + NO_BASELINE
        ),
        who_it_reached="Care staff and residents with dementia at Nightingale House",
        collaborations=(Collaboration.SECTORS, Collaboration.WORKFORCE),
        mechanisms=(Mechanism.EASY, Mechanism.TIMELY, Mechanism.PRIMING),
        partners=(
            ("Cass Business School, City University", "Researched and designed the app"),
            ("ustwo", "Built the app"),
        ),
    ),
    Case(
        owner="London Borough of Barnet",
        title="Waste and recycling run by an external provider",
        summary=(
            "An externally provided waste and recycling service that did not save as much money "
            "as hoped; Barnet brought the service back in house."
        ),
        service_area=ServiceArea.WASTE,
        problem="Commissioning services from external providers was expected to save money.",
        what_was_done=(
            "'In some cases, decisions to commission services from external providers have not "
            "saved as much money as hoped. For example, Barnet Council brought its waste and "
            f"recycling service back in house.' Source: {CH1}, 'Moving towards commissioning "
            "models'. The report gives no goal, baseline or figures for the external service, "
            "so it was never started in this register; it is recorded as stopped."
        ),
        # By 2014 at the latest: the report's source for the in-house service is Localis
        # (2014). Without it the register would record today as the end.
        actual_end=date(2014, 1, 1),
        collaborations=(Collaboration.SECTORS,),
        path=(Status.STOPPED,),
        path_reason="Brought back in house: it did not save as much money as hoped.",
        failure=FailureSpec(
            cause=FailureCause.IDEA,
            lessons=(
                "Councils embracing commissioning are 'generally clear that this approach does "
                "not mean automatically outsourcing to save money, but rather it means an "
                f"outcomes-focused, provider-neutral approach' ({CH1})."
            ),
            do_differently="Not given in the report.",
        ),
    ),
    Case(
        owner="London Borough of Barnet",
        title="Waste and recycling brought back in house",
        summary=(
            "Barnet brought its waste and recycling service back in house and reported that "
            "this would save £1.3 million a year (an estimate)."
        ),
        service_area=ServiceArea.WASTE,
        problem="The externally provided service had not saved as much money as hoped.",
        what_was_done=(
            "The council brought its waste and recycling service back in house; four months in "
            "the new service had diverted 16,600 tonnes of waste from landfill (no baseline "
            f"given). Source: {CH1}, 'Moving towards commissioning models' (citing Cornelius "
            "(2014), Localis)." + NO_BASELINE
        ),
        savings=(
            # Estimated: the report says Barnet "reported that this would save" it.
            SavingSpec(
                "Saving from running the service in house", Decimal("1300000"), RECURRING, ESTIMATED
            ),
        ),
    ),
    Case(
        owner="London Borough of Harrow",
        title="Transactional services moved online",
        summary="Harrow has saved £1.55 million by moving transactional services online.",
        service_area=ServiceArea.CUSTOMER,
        problem="Transactions such as paying and applying were handled by staff.",
        what_was_done=(
            "Residents' transactions moved to online services. Source: "
            f"{CH1}, 'Digitalisation' (citing Benton and Simon (2016), Nesta)." + NO_BASELINE
        ),
        collaborations=(Collaboration.PUBLIC,),
        mechanisms=(Mechanism.EASY,),
        savings=(
            # Realised: "has saved". The report does not say over what period, so the
            # figure is counted once rather than as a yearly saving.
            SavingSpec(
                "Saved by moving transactions online (period not given; counted once)",
                Decimal("1550000"),
                UPFRONT,
                REALISED,
            ),
        ),
    ),
    Case(
        owner="LGSS",
        title="Management positions consolidated in a shared service",
        summary="In its first year of operation LGSS saved £3.79 million through consolidating "
        "management positions.",
        service_area=ServiceArea.BACK_OFFICE,
        problem="Two county councils each paid for their own back-office management.",
        what_was_done=(
            "Cambridgeshire and Northamptonshire county councils shared back-office services "
            "through LGSS, consolidating duplicate management roles. Source: "
            f"{CH1}, 'Shared services' (citing LGA and Drummond MacFarlane (2012))." + NO_BASELINE
        ),
        partners=(
            ("Cambridgeshire County Council", "Founding council"),
            ("Northamptonshire County Council", "Founding council"),
        ),
        savings=(
            # Realised: "saved £3.79 million" in year one. No later years are given, so it is
            # counted once rather than as a recurring yearly saving.
            SavingSpec(
                "Saved in the first year of operation by consolidating management "
                "positions (later years not given; counted once)",
                Decimal("3790000"),
                UPFRONT,
                REALISED,
            ),
        ),
    ),
    Case(
        owner="Breckland District Council",
        title="Shared management with South Holland District Council",
        summary="Two district councils in different counties have shared a chief executive and "
        "senior management since 2010, saving £1.1 million a year.",
        service_area=ServiceArea.BACK_OFFICE,
        problem="Senior management costs weigh heavily on small district councils.",
        what_was_done=(
            "Breckland and South Holland began sharing management in 2010. Source: "
            f"{CH1}, 'Sharing management' (citing LGA (2016), Stronger Together)." + NO_BASELINE
        ),
        planned_start=date(2010, 1, 1),  # the report gives the year, 2010
        partners=(("South Holland District Council", "Shares the management team"),),
        savings=(
            # Realised: stated as achieved ("the arrangement saves £1.1million a year").
            SavingSpec("Shared management saving", Decimal("1100000"), RECURRING, REALISED),
        ),
    ),
    Case(
        owner="Citizens Advice",
        title="A volunteering programme built on recognition, flexibility and belonging",
        summary="23,000 volunteers, 97 per cent of whom would recommend the experience.",
        service_area=ServiceArea.OTHER,
        visibility=Visibility.PEERS,
        problem="Volunteering is a choice: it has to be attractive to keep people.",
        what_was_done=(
            "Group membership and a social mission; recognition, with volunteer coordinators "
            "and a curriculum of training modules; flexible, part-time hours and reasonable "
            "adjustments; a long-term commitment (up to two years to become a generalist "
            "adviser). Most full-time staff are former volunteers. The 97 per cent is a single "
            f"survey figure without a baseline. Source: {CH3}, Example F." + NO_BASELINE
        ),
        who_it_reached="Volunteers",
        people_reached=23000,
        collaborations=(Collaboration.PUBLIC,),
        mechanisms=(Mechanism.SOCIAL, Mechanism.EGO, Mechanism.EASY, Mechanism.COMMITMENTS),
    ),
    Case(
        owner="Wealden District Council",
        title="Paws on Watch: dog walkers help the council and police",
        summary="Dog walkers on their usual walks report anything unusual, offer bags to other "
        "walkers and look out for specific crimes such as fly-tipping.",
        service_area=ServiceArea.COMMUNITY_SAFETY,
        problem="Crime and antisocial behaviour in a rural district with an estimated 10,000 "
        "dog walkers.",
        what_was_done=(
            "Developed by the council and Sussex Police. Members give contact details and "
            "confirm they always clear up after their dog; they get a badge and a tag for the "
            "collar, and Sussex Police email them about things to watch for. No response 'in "
            "the moment' is asked of them. It draws on MINDSPACE: social norms, ego and making "
            f"the better choice the default. Source: {CH3}, 'Behaviour change theory and "
            "participation'." + NO_BASELINE
        ),
        who_it_reached="Dog walkers in Wealden",
        collaborations=(Collaboration.PUBLIC, Collaboration.SECTORS),
        mechanisms=(Mechanism.NORMS, Mechanism.EGO, Mechanism.DEFAULTS),
        partners=(("Sussex Police", "Developed the scheme; emails members what to look for"),),
    ),
]


# --- Loading ---------------------------------------------------------------------------


def _ensure_organisations() -> None:
    for name, kind, la_code, description in EXTRA_ORGANISATIONS:
        if Organisation.objects.filter(name=name).exists():
            continue
        la = LocalAuthority.objects.filter(code=la_code).first() if la_code else None
        organisation_services.organisation_create(
            name=name, kind=kind, local_authority=la, description=description
        )


def _author(organisation: Organisation) -> User:
    """The organisation's demo admin if the demo has one, else the demo staff user."""
    for email, _name, _title, org_name, role, _flags in PEOPLE:
        if org_name == organisation.name and role == Role.ADMIN:
            return User.objects.get(email=email)
    return User.objects.get(email=STAFF_EMAIL)


def _create(case: Case, organisation: Organisation, actor: User) -> Initiative:
    dates = {
        name: getattr(case, name)
        for name in ("planned_start", "actual_start", "actual_end")
        if getattr(case, name) is not None
    }
    return services.initiative_create(
        organisation=organisation,
        actor=actor,
        status=Status.PLANNED,
        title=case.title,
        summary=case.summary,
        service_area=case.service_area,
        problem=case.problem,
        what_was_done=case.what_was_done,
        who_it_reached=case.who_it_reached,
        people_reached=case.people_reached,
        visibility=case.visibility,
        collaborations=case.collaborations,
        mechanisms=case.mechanisms,
        **dates,
    )


def _add_goals(initiative: Initiative, case: Case, actor: User) -> list[tuple[Goal, GoalSpec]]:
    return [
        (
            services.goal_add(
                initiative=initiative, actor=actor, is_primary=index == 0, **spec.fields()
            ),
            spec,
        )
        for index, spec in enumerate(case.goals)
    ]


def _record_results(goals: list[tuple[Goal, GoalSpec]], actor: User) -> None:
    for goal, spec in goals:
        if spec.result is not None:
            # Fetched again: the copy from goal_add has neither the lock nor the new status.
            stored = Goal.objects.select_related("initiative").get(pk=goal.pk)
            services.result_record(
                goal=stored,
                actor=actor,
                value=spec.result.value,
                design=spec.result.design,
                source=spec.result.source,
            )


def _walk(
    initiative: Initiative, case: Case, actor: User, goals: list[tuple[Goal, GoalSpec]]
) -> Initiative:
    for status in case.path:
        initiative = services.initiative_change_status(
            initiative=initiative,
            to_status=status,
            actor=actor,
            reason=case.path_reason if status != Status.STARTED else "",
        )
        if status == Status.STARTED:
            # Results can only be recorded once the goals are locked.
            _record_results(goals, actor)
    return initiative


def _load_case(case: Case) -> bool:
    organisation = Organisation.objects.get(name=case.owner)
    if Initiative.objects.filter(organisation=organisation, title=case.title).exists():
        return False
    actor = _author(organisation)
    initiative = _create(case, organisation, actor)
    for partner_name, part in case.partners:
        services.partner_add(
            initiative=initiative,
            actor=actor,
            part=part,
            organisation=Organisation.objects.get(name=partner_name),
        )
    for saving in case.savings:
        services.ledger_line_add(
            initiative=initiative,
            actor=actor,
            kind=LedgerLine.Kind.SAVING,
            timing=saving.timing,
            basis=saving.basis,
            description=saving.description,
            amount=saving.amount,
            beneficiary=saving.beneficiary,
            cashable=saving.cashable,
        )
    goals = _add_goals(initiative, case, actor)
    initiative = _walk(initiative, case, actor, goals)
    if case.failure is not None:
        services.failure_record(
            initiative=initiative,
            actor=actor,
            cause=case.failure.cause,
            lessons=case.failure.lessons,
            do_differently=case.failure.do_differently,
        )
    elif case.lessons:
        services.failure_record(
            initiative=initiative, actor=actor, cause="", lessons=case.lessons, do_differently=""
        )
    return True


@transaction.atomic
def load_demo_initiatives() -> int:
    """Create the report's cases that are missing; safe to run again. Returns how many."""
    refuse_unless_debug()
    load_demo_data()  # the owners and authors; creates only what is missing
    _ensure_organisations()
    return sum(_load_case(case) for case in CASES)


def load_demo() -> str:
    return f"initiatives: {load_demo_initiatives()} of the report's cases created"
