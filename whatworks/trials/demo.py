"""Synthetic trials behind the register's demo records (development only).

The report publishes summary figures, not unit-level data: Wealden's tenants got in touch after
21 days instead of 46; Lambeth's identity incentive doubled Street Champion activity. To show a
trial from design to verdict, this module makes up unit-level data whose results come out near
those figures, and runs it through the trials app's own services (design, plan lock, unit upload,
seeded allocation, outcome upload, analysis, verdict), so the same checks, locks and verdict
write-back apply as for an analyst at a browser. Unit lists and outcome files are built as CSV
bytes in memory and go through the same import checks as an upload.

Where the trials live, honestly
-------------------------------
Each trial gets its **own** register record, labelled SYNTHETIC in its title and text, with a
goal set (and locked) before the record starts. The trials are *not* attached to the report's
own records, because:

* those records are past "started", so their goals are locked and no goal can be added; and
* recording a trial's verdict on one of their goals would overwrite the report's published
  figure (a before-and-after 21 days, evidence level 2) with made-up randomised data (level 5):
  fabricated evidence on a real council's record.

Nor are they replications (``replicated_from``) of the report's records: pooled evidence on the
original's page would then mix synthetic estimates with real ones. Each synthetic record names
the report's record it illustrates in its text.

Each trial is designed while its record is "planned" (the analysis plan is locked then), the
record is started (its goal locks), and only then are units allocated and outcomes uploaded.
Dates follow the story (Wealden 2013, Lambeth 2015, Harrow 2016), so every analysis date is in
the past and the verdict is final; timestamps such as "plan locked at" are the time the demo was
loaded.

The third trial stands in for the issue's "before-and-after pilot that turns out inconclusive":
the trials app has no analysis flow for before-and-after designs yet (only randomised designs
allocate units and take outcomes), so it is a small randomised pilot whose interval spans both
no effect and the success criterion.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db import transaction
from numpy.random import Generator
from numpy.typing import NDArray

from whatworks.core.demo import refuse_unless_debug
from whatworks.core.visibility import Visibility
from whatworks.initiatives import services as register
from whatworks.initiatives.demo import load_demo_initiatives
from whatworks.initiatives.models import (
    Collaboration,
    Direction,
    FailureCause,
    Initiative,
    Mechanism,
    ServiceArea,
    Status,
)
from whatworks.organisations.models import Membership, Organisation, Role, User
from whatworks.trials import columns, power, selectors, services
from whatworks.trials.models import Trial

SYNTHETIC = "Synthetic data for demonstration: not the councils' real data."
LABEL = "SYNTHETIC"
STAFF_EMAIL = "staff@whatworks.demo"
# Who runs a trial, in order of preference: the organisation's analyst, then its admin...
ACTOR_ROLES = (Role.ANALYST, Role.ADMIN, Role.OFFICER)

Columns = tuple[list[str], NDArray[np.int8], list[str]]  # units, arm positions, clusters


@dataclass(frozen=True)
class DemoTrial:
    owner: str
    # The register record: title, summary and the rest, as initiative_create takes them.
    initiative: dict[str, Any]
    collaborations: tuple[str, ...]
    mechanisms: tuple[str, ...]
    goal: dict[str, Any]
    title: str
    arms: tuple[tuple[str, int], ...]
    fields: dict[str, Any]
    allocation_seed: int
    data_seed: int
    units: Callable[[Generator], bytes]
    outcomes: Callable[[Columns, Generator], bytes]
    # After the verdict: the register's statuses, and lessons for the record.
    path: tuple[str, ...] = (Status.EVALUATING, Status.PUBLISHED)
    path_reason: str = "Synthetic demonstration trial analysed."
    failure_cause: str = ""
    lessons: str = ""
    do_differently: str = ""
    # For the lessons: the power sentence for this design (n_total, control rate, hoped-for).
    power_check: tuple[int, float, float] | None = None


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _exact_outcomes(arm_of: NDArray[np.int8], rates: list[float], rng: Generator) -> NDArray[Any]:
    """0/1 outcomes with the share in each arm fixed at ``rates`` (to the nearest unit), placed
    at random within the arm: the pilot's figures then do not hang on the draw."""
    y = np.zeros(arm_of.size, dtype=int)
    for position, rate in enumerate(rates):
        members = np.flatnonzero(arm_of == position)
        hits = int(round(rate * members.size))
        y[rng.choice(members, size=hits, replace=False)] = 1
    return y


# --- 1. Wealden: rent arrears letters, time until the tenant gets in touch ----------------

WEALDEN_TENANTS = 600
WEALDEN_FOLLOW_UP = 90  # days: no contact by then is censored
# Medians of the continuous times; rounding up to whole days puts the Kaplan-Meier medians on
# 46 (old letter) and 21 (new letter), the report's figures.
WEALDEN_MEDIANS = (45.5, 20.5)
WEALDEN_SHAPE = 1.4  # Weibull: contact bunches after the letter rather than trickling in


def _wealden_units(rng: Generator) -> bytes:
    rows = []
    for i in range(1, WEALDEN_TENANTS + 1):
        arrears = round(float(rng.gamma(2.0, 220.0)), 2)
        rows.append([f"WDC-T{i:04d}", arrears, int(rng.integers(1, 13))])
    return csv_bytes(["unit_id", "arrears_pounds", "weeks_in_arrears"], rows)


def _wealden_outcomes(allocated: Columns, rng: Generator) -> bytes:
    units, arm_of, _ = allocated
    days = np.empty(len(units))
    for position, median in enumerate(WEALDEN_MEDIANS):
        members = np.flatnonzero(arm_of == position)
        # Stratified uniforms (one in each 1/n slice, shuffled): a random sample whose median
        # sits close to the design's, whatever the seed.
        u = (rng.permutation(members.size) + rng.uniform(size=members.size)) / members.size
        scale = median / np.log(2) ** (1 / WEALDEN_SHAPE)
        days[members] = scale * (-np.log1p(-u)) ** (1 / WEALDEN_SHAPE)
    days = np.ceil(days)
    events = days <= WEALDEN_FOLLOW_UP
    days = np.minimum(days, WEALDEN_FOLLOW_UP)
    # A few tenancies end (or tenants move) before any contact: censored on that day.
    left = (rng.uniform(size=days.size) < 0.04) & events
    left_on = np.ceil(rng.uniform(1, WEALDEN_FOLLOW_UP, size=days.size))
    left &= left_on < days
    days = np.where(left, left_on, days)
    events &= ~left
    rows = [[u, int(e), int(d)] for u, e, d in zip(units, events, days, strict=True)]
    return csv_bytes(["unit_id", "event", "duration"], rows)


WEALDEN = DemoTrial(
    owner="Wealden District Council",
    initiative={
        "title": f"{LABEL}: rent arrears letters, old against new, in a randomised trial",
        "summary": (
            f"{SYNTHETIC} A made-up randomised trial showing how the rewritten arrears letters "
            "could be tested: 600 synthetic tenants, half sent the old letter and half the new, "
            "timed until they got in touch (medians near 46 and 21 days, the report's figures)."
        ),
        "service_area": ServiceArea.HOUSING,
        "problem": ("Most arrears letters were ignored until eviction or court action threatened."),
        "what_was_done": (
            "The register's record 'Rent arrears letters rewritten with behavioural "
            "insights' holds the report's own before-and-after figures (46 days before, 21 "
            "after). This separate record shows the randomised trial that could have tested "
            "them: synthetic tenants in arrears were randomised to the old or the new letter "
            "and followed for 90 days from the first letter; a tenant who had not been in touch "
            "by then, or whose tenancy ended first, is censored. The data are generated by "
            "whatworks.trials.demo with a fixed seed."
        ),
        "who_it_reached": "600 synthetic tenants in rent arrears",
        "people_reached": WEALDEN_TENANTS,
        "actual_start": date(2013, 4, 1),
        "visibility": Visibility.PUBLIC,
    },
    collaborations=(Collaboration.WORKFORCE,),
    mechanisms=(Mechanism.SOCIAL, Mechanism.NORMS, Mechanism.SALIENCE),
    goal={
        "metric_name": "Median days from the first arrears letter to the tenant getting in touch",
        "unit": "days",
        "definition": (
            "Kaplan-Meier median of the days from the first arrears letter until the tenant "
            "contacts the council, followed for 90 days. Success: at least a week sooner than "
            "the old letter's 46 days."
        ),
        "data_source": "Synthetic tenants (whatworks.trials.demo).",
        "direction": Direction.LOWER,
        "baseline_value": 46,
        "baseline_period": "Old letter (the report's 46 days)",
        "baseline_source": "NLGN, Producing the Goods (2017), ch. 1, Example A",
        "target_value": 30,
        "success_threshold": 39,
    },
    title=f"{LABEL}: old and new arrears letters, days until the tenant gets in touch",
    arms=(("Old letter", 1), ("New letter", 1)),
    fields={
        "design": "randomised",
        "outcome_kind": "time_to_event",
        "units_noun": "tenants",
        "outcome_phrase": "got in touch",
        "measure_unit": "days",
        "primary_outcome": (
            "Days from the first arrears letter until the tenant gets in touch; no contact by "
            "day 90 is censored"
        ),
        "analysis_date": date(2013, 9, 30),
        "alpha": 0.05,
        "sided": "two",
        "within_days": 21,
    },
    allocation_seed=20130401,
    data_seed=46,
    units=_wealden_units,
    outcomes=_wealden_outcomes,
    path_reason="Synthetic trial analysed and published for the demo.",
)


# --- 2. Lambeth: Street Champions, four offers randomised by street -----------------------

LAMBETH_STREETS = 170
LAMBETH_WARDS = ("Brixton", "Clapham", "Norwood", "Stockwell", "Streatham")
# Share of households taking part in a street activity within 3 months, by arm; the streets
# differ around these (a random street effect on the log-odds scale, so outcomes cluster).
LAMBETH_RATES = (0.06, 0.07, 0.08, 0.12)
LAMBETH_STREET_SD = 0.3
LAMBETH_TENURES = ("Owner", "Private rent", "Social rent")


def _lambeth_units(rng: Generator) -> bytes:
    rows = []
    for s in range(1, LAMBETH_STREETS + 1):
        street = f"LBL-S{s:03d}"
        ward = LAMBETH_WARDS[s % len(LAMBETH_WARDS)]
        for h in range(1, int(rng.integers(20, 46)) + 1):
            tenure = LAMBETH_TENURES[int(rng.choice(3, p=[0.35, 0.35, 0.30]))]
            rows.append([f"{street}-H{h:02d}", street, ward, tenure])
    return csv_bytes(["unit_id", "street", "stratum", "tenure"], rows)


def _lambeth_outcomes(allocated: Columns, rng: Generator) -> bytes:
    units, arm_of, streets = allocated
    names, street_of = np.unique(np.array(streets), return_inverse=True)
    effect = rng.normal(0.0, LAMBETH_STREET_SD, size=names.size)[street_of]
    rates = np.array(LAMBETH_RATES)[arm_of]
    p = 1.0 / (1.0 + np.exp(-(np.log(rates / (1 - rates)) + effect)))
    took_part = rng.uniform(size=p.size) < p
    return csv_bytes(
        ["unit_id", "outcome"], [[u, int(y)] for u, y in zip(units, took_part, strict=True)]
    )


LAMBETH = DemoTrial(
    owner="London Borough of Lambeth",
    initiative={
        "title": f"{LABEL}: Street Champions, four offers randomised across 170 streets",
        "summary": (
            f"{SYNTHETIC} A made-up cluster-randomised trial in the shape of Lambeth's: 170 "
            "synthetic streets in five wards, each given one of four offers; the identity "
            "offer roughly doubles the households taking part in a street activity."
        ),
        "service_area": ServiceArea.PARKS_STREETS,
        "problem": (
            "Which incentive would get residents to volunteer to keep their streets clean?"
        ),
        "what_was_done": (
            "The register's record 'Street Champions: four incentive offers tested "
            "on randomised streets' holds the report's own figures (the identity incentive "
            "doubled expressions of interest and activities). This separate record shows such a "
            "trial end to end: 170 synthetic streets, randomised within their ward to no offer "
            "(control), free garden waste collection, graffiti removal, or the identity offer "
            "(meet the mayor, a hi-vis jacket); the outcome is whether each household took "
            "part in a street activity within 3 months, analysed with streets as clusters. The "
            "data are generated by whatworks.trials.demo with a fixed seed."
        ),
        "who_it_reached": "Synthetic households on 170 streets",
        "actual_start": date(2015, 6, 1),
        "visibility": Visibility.PUBLIC,
    },
    collaborations=(Collaboration.PUBLIC,),
    mechanisms=(Mechanism.INCENTIVES, Mechanism.EGO, Mechanism.SOCIAL),
    goal={
        "metric_name": "Households taking part in a street activity within 3 months",
        "unit": "%",
        "definition": (
            "Share of households on the trial streets that took part in a street activity "
            "(clean-up, litter pick, planting) within 3 months of the offer. Success: at least "
            "2 percentage points more than the 6% of the year before."
        ),
        "data_source": "Synthetic households (whatworks.trials.demo).",
        "direction": Direction.HIGHER,
        "baseline_value": 6.0,
        "baseline_period": "The year before the offers (synthetic)",
        "baseline_source": "Synthetic data made by whatworks.trials.demo.",
        "target_value": 10.0,
        "success_threshold": 8.0,
    },
    title=f"{LABEL}: Street Champions offers, 4 arms randomised by street",
    arms=(
        ("Control", 1),
        ("Garden waste", 1),
        ("Graffiti removal", 1),
        ("Identity", 1),
    ),
    fields={
        "design": "cluster",
        "outcome_kind": "proportion",
        "stratified": True,
        "cluster_column": "street",
        "units_noun": "households",
        "cluster_noun": "streets",
        "outcome_phrase": "joined a street activity within 3 months",
        "primary_outcome": (
            "Household took part in a street activity within 3 months of the offer (yes or no)"
        ),
        "analysis_date": date(2015, 10, 31),
        "alpha": 0.05,
        "sided": "two",
        "judged_arm": "Identity",
    },
    allocation_seed=20150601,
    data_seed=170,
    units=_lambeth_units,
    outcomes=_lambeth_outcomes,
    path_reason="Synthetic trial analysed and published for the demo.",
    lessons=(
        "As in the report's Lambeth study, the identity offer did best; the two "
        "extrinsic offers (garden waste, graffiti removal) did less well."
    ),
)


# --- 3. Harrow: a small pilot of text reminders that cannot tell ------------------------------

HARROW_ACCOUNTS = 240
# Shares paying the instalment on time, control and reminder: 4 points apart, with a criterion
# of 5 points and only 120 accounts an arm, the interval spans both no effect and the criterion.
HARROW_RATES = [0.70, 0.74]
HARROW_BANDS = ("A", "B", "C", "D", "E", "F", "G")


def _harrow_units(rng: Generator) -> bytes:
    rows = []
    for i in range(1, HARROW_ACCOUNTS + 1):
        band = HARROW_BANDS[int(rng.choice(7, p=[0.05, 0.12, 0.25, 0.28, 0.17, 0.09, 0.04]))]
        rows.append([f"HRW-A{i:04d}", band, int(rng.poisson(0.6))])
    return csv_bytes(["unit_id", "band", "missed_last_year"], rows)


def _harrow_outcomes(allocated: Columns, rng: Generator) -> bytes:
    units, arm_of, _ = allocated
    paid = _exact_outcomes(arm_of, HARROW_RATES, rng)
    return csv_bytes(
        ["unit_id", "outcome"], [[u, int(y)] for u, y in zip(units, paid, strict=True)]
    )


HARROW = DemoTrial(
    owner="London Borough of Harrow",
    initiative={
        "title": f"{LABEL}: text reminders before council tax instalments, a small pilot",
        "summary": (
            f"{SYNTHETIC} A made-up pilot: 240 synthetic council tax accounts, half sent a text "
            "message three days before the instalment was due. Slightly more paid on time, but "
            "the pilot was too small to tell whether the reminder made the difference sought, "
            "or any."
        ),
        "service_area": ServiceArea.CUSTOMER,
        "problem": (
            "Missed council tax instalments lead to reminder letters, summonses and staff time."
        ),
        "what_was_done": (
            "A small digital-reminder pilot, in the spirit of Harrow's move of "
            "transactions online (the register's record 'Transactional services moved online'). "
            "It ran as a small randomised pilot: 240 synthetic accounts randomised to a text "
            "reminder or none. The data are generated by whatworks.trials.demo with a fixed "
            "seed."
        ),
        "who_it_reached": "240 synthetic council tax accounts paying by instalments",
        "people_reached": HARROW_ACCOUNTS,
        "actual_start": date(2016, 9, 1),
        "visibility": Visibility.PUBLIC,
    },
    collaborations=(Collaboration.PUBLIC,),
    mechanisms=(Mechanism.TIMELY, Mechanism.EASY),
    goal={
        "metric_name": "Council tax instalments paid by the due date",
        "unit": "%",
        "definition": (
            "Share of accounts whose October instalment was paid by its due date. Success: at "
            "least 5 percentage points more than the 70% of the year before."
        ),
        "data_source": "Synthetic accounts (whatworks.trials.demo).",
        "direction": Direction.HIGHER,
        "baseline_value": 70.0,
        "baseline_period": "October instalment, the year before (synthetic)",
        "baseline_source": "Synthetic data made by whatworks.trials.demo.",
        "target_value": 80.0,
        "success_threshold": 75.0,
    },
    title=f"{LABEL}: text reminder pilot, instalments paid on time",
    arms=(("No reminder", 1), ("Text reminder", 1)),
    fields={
        "design": "randomised",
        "outcome_kind": "proportion",
        "units_noun": "accounts",
        "outcome_phrase": "paid the instalment on time",
        "primary_outcome": "October instalment paid by its due date (yes or no)",
        "analysis_date": date(2016, 11, 30),
        "alpha": 0.05,
        "sided": "two",
    },
    allocation_seed=20160901,
    data_seed=240,
    units=_harrow_units,
    outcomes=_harrow_outcomes,
    path_reason="Synthetic pilot analysed and published, inconclusive.",
    failure_cause=FailureCause.TOO_SMALL,
    lessons="120 accounts an arm could not tell a 5-point improvement from none.",
    do_differently="Size the next pilot with the power check before it starts.",
    power_check=(HARROW_ACCOUNTS, 0.70, 0.75),
)

DEMO_TRIALS: list[DemoTrial] = [WEALDEN, LAMBETH, HARROW]


# --- Loading ---------------------------------------------------------------------------


def _actor(organisation: Organisation) -> User:
    """Who runs the trial: a member with the first role of ACTOR_ROLES, else the demo staff."""
    for role in ACTOR_ROLES:
        member = (
            Membership.objects.filter(organisation=organisation, role=role)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if member is not None:
            return member.user
    return User.objects.get(email=STAFF_EMAIL)


def _fresh(trial: Trial) -> Trial:
    # The services re-read the trial under a lock and change their own copy: read it again.
    return Trial.objects.select_related("initiative", "goal").get(pk=trial.pk)


def _allocated(trial: Trial) -> Columns:
    allocation = selectors.allocation_of(trial)
    assert allocation is not None
    return (
        columns.unpack_text(allocation.units),
        columns.unpack_codes(allocation.arms),
        columns.unpack_text(allocation.clusters),
    )


def _load(spec: DemoTrial) -> bool:
    if Trial.objects.filter(title=spec.title).exists():
        return False
    organisation = Organisation.objects.get(name=spec.owner)
    if Initiative.objects.filter(
        organisation=organisation, title=spec.initiative["title"]
    ).exists():
        # A record left without its trial (someone deleted it): its goal is locked, so the
        # demo cannot redo it honestly. Leave it.
        return False
    actor = _actor(organisation)
    rng = np.random.default_rng(spec.data_seed)

    # Design, while the record is planned: the goal, the trial and its locked analysis plan.
    initiative = register.initiative_create(
        organisation=organisation,
        actor=actor,
        status=Status.PLANNED,
        collaborations=spec.collaborations,
        mechanisms=spec.mechanisms,
        **spec.initiative,
    )
    goal = register.goal_add(initiative=initiative, actor=actor, is_primary=True, **spec.goal)
    trial = services.trial_create(
        initiative=initiative,
        goal=goal,
        actor=actor,
        arms=list(spec.arms),
        title=spec.title,
        **spec.fields,
    )
    services.trial_lock_plan(trial=trial, actor=actor)
    # Start: the goal locks.
    initiative = register.initiative_change_status(
        initiative=initiative, to_status=Status.STARTED, actor=actor
    )

    # Units: checked and held like an upload, then allocated with a fixed seed.
    trial = _fresh(trial)
    upload = services.units_stage(
        trial=trial, actor=actor, raw=spec.units(rng), filename="synthetic-units.csv"
    )
    services.trial_allocate(trial=trial, actor=actor, upload=upload, seed=spec.allocation_seed)

    # Outcomes after the analysis date: checked, held, confirmed.
    trial = _fresh(trial)
    raw = spec.outcomes(_allocated(trial), rng)
    upload = services.outcomes_stage(
        trial=trial, actor=actor, raw=raw, filename="synthetic-outcomes.csv"
    )
    services.outcomes_confirm(trial=trial, actor=actor, upload=upload)

    # The verdict lands on the goal; the record moves on.
    services.trial_record_verdict(trial=_fresh(trial), actor=actor)
    for status in spec.path:
        initiative = register.initiative_change_status(
            initiative=initiative, to_status=status, actor=actor, reason=spec.path_reason
        )
    if spec.lessons:
        lessons = spec.lessons
        if spec.power_check is not None:
            n_total, control, hoped = spec.power_check
            answer = power.answer(
                _fresh(trial), n_total=n_total, power=0.8, control_rate=control, expected=hoped
            )
            lessons = f"{lessons} The power check for this design: {answer.sentence}"
        register.failure_record(
            initiative=initiative,
            actor=actor,
            cause=spec.failure_cause,
            lessons=lessons,
            do_differently=spec.do_differently,
        )
    return True


# A before-and-after pilot that turns out inconclusive: the hoped-for drop in missed bins
# after a round-planning app is real in the data, but month-to-month noise over 12 months
# each side hides it (the interval spans both no change and the criterion).
BEFORE_AFTER_TITLE = f"{LABEL}: missed bin reports before and after a round-planning app"
BEFORE_AFTER_MONTHS = 12


def _before_after_series(rng: Generator) -> tuple[bytes, date]:
    periods = [date(2015 + (m // 12), m % 12 + 1, 1) for m in range(2 * BEFORE_AFTER_MONTHS)]
    rows = []
    for i, period in enumerate(periods):
        drop = 10.0 if i >= BEFORE_AFTER_MONTHS else 0.0  # the hoped-for drop, in real noise
        rows.append([period.isoformat(), round(120.0 - drop + float(rng.normal(0, 9)), 1)])
    return csv_bytes(["period", "value"], rows), periods[BEFORE_AFTER_MONTHS]


def _load_before_after() -> bool:
    if Trial.objects.filter(title=BEFORE_AFTER_TITLE).exists():
        return False
    organisation = Organisation.objects.get(name="London Borough of Haringey")
    actor = _actor(organisation)
    initiative = register.initiative_create(
        organisation=organisation,
        actor=actor,
        status=Status.PLANNED,
        collaborations=[Collaboration.WORKFORCE],
        mechanisms=[Mechanism.EASY],
        title=BEFORE_AFTER_TITLE,
        summary=f"{SYNTHETIC} Crews planned rounds with an app; missed bins were counted "
        "for a year before and a year after.",
        service_area="waste",
        what_was_done="A before-and-after pilot: monthly reports of missed bins, "
        "12 months each side, analysed as an interrupted time series.",
        visibility=Visibility.PUBLIC,
    )
    goal = register.goal_add(
        initiative=initiative,
        actor=actor,
        is_primary=True,
        metric_name="Missed bin reports a month",
        unit="reports",
        definition="Reports of missed collections a month.",
        data_source="Synthetic data made by whatworks.trials.demo.",
        direction=Direction.LOWER,
        baseline_value=120.0,
        baseline_period="2015 (synthetic)",
        baseline_source="Synthetic data made by whatworks.trials.demo.",
        target_value=100.0,
        success_threshold=110.0,  # at most 110 a month: at least 10 fewer than the baseline
    )
    trial = services.trial_create(
        initiative=initiative,
        goal=goal,
        actor=actor,
        arms=[("Before", 1), ("After", 1)],
        title=BEFORE_AFTER_TITLE,
        design="before_after",
        outcome_kind="mean",
        units_noun="months",
        outcome_phrase="missed bin reports",
        primary_outcome="Missed bin reports a month",
        analysis_date=date(2017, 3, 1),
        alpha=0.05,
        sided="two",
    )
    services.trial_lock_plan(trial=trial, actor=actor)
    initiative = register.initiative_change_status(
        initiative=initiative, to_status=Status.STARTED, actor=actor
    )
    raw, start = _before_after_series(np.random.default_rng(2017))
    services.series_import(
        trial=_fresh(trial), actor=actor, raw=raw, start=start, filename="synthetic-series.csv"
    )
    services.series_record_verdict(trial=_fresh(trial), actor=actor)
    for status in (Status.EVALUATING, Status.PUBLISHED):
        initiative = register.initiative_change_status(
            initiative=initiative,
            to_status=status,
            actor=actor,
            reason="Synthetic before-and-after pilot analysed.",
        )
    register.failure_record(
        initiative=initiative,
        actor=actor,
        cause=FailureCause.TOO_SMALL,
        lessons="Month-to-month variation hid any change of the size hoped for; "
        "and a before-and-after comparison could not have shown the app caused it anyway.",
        do_differently="Use a comparison group of rounds without the app, or randomise rounds.",
    )
    return True


@transaction.atomic
def load_demo_trials() -> int:
    """Create the synthetic demo trials that are missing; safe to run again. Returns how many."""
    refuse_unless_debug()
    load_demo_initiatives()  # the organisations and people; creates only what is missing
    return sum(_load(spec) for spec in DEMO_TRIALS) + _load_before_after()


def load_demo() -> str:
    return f"trials: {load_demo_trials()} synthetic demo trials created"
