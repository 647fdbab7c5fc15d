"""The register under load: an initiative page and search with two facets on 100,000 records.

Seeds `--n` initiatives (100,000 by default) across about 420 organisations (a council for
every current local authority in the register, and partner bodies), with goals, results and
verdicts, costs and savings, tags, partners, status histories, follow-up checks and the
search index; then measures with gunicorn and wrk (see bench/_harness.py), against the
layout floor: one initiative page (a full one: three goals with results, a ledger,
partners, replications), search with two facets, and the list with the same two facets.

    .venv/bin/python bench/initiatives.py [--n 100000] [--seconds 5] [--rounds 3] [--check]
    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/initiatives.py

Targets (issue 3): search with two facets p95 < 150 ms, initiative page p95 < 100 ms, and
each within 3x the layout floor's p95.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ first on sys.path, where bench/http.py would shadow
# the standard library's `http` package. Put the repository root there instead.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench._harness import Page, cookie, main, session_key, sign_in  # noqa: E402

TARGET_RATIO = 3.0  # issue 3: each page's p95 within 3x the layout floor's p95
DEFAULT_N = 100_000
BATCH = 5_000  # initiatives per transaction: big enough to amortise, small enough for memory
SEED = 20170401  # the report's month: any fixed seed makes runs comparable
SEARCH_WORD = "recycling"  # topical to waste records: matches about 6% of the register
FACETS = "service_area=waste&collaboration=public"


def _n_from_argv() -> int:
    # The pages name a fixed record, so the size must be known before the harness parses
    # the options; it parses the same --n again.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    return parser.parse_known_args()[0].n


def showcase_index(n: int) -> int:
    """The median record, generated as a full one, so the page measured is not a thin one."""
    return n // 2


#: The people who use the register every day: an officer of another council, signed in.
PEER_SESSION = session_key("initiativespeer")
PEER = "signed-in peer"
_PATHS = [
    # A fresh database numbers rows from 1; seed() checks that this is the showcase record.
    ("initiative page", f"/initiatives/{showcase_index(_n_from_argv()) + 1}/"),
    ("search with two facets", f"/initiatives/?q={SEARCH_WORD}&{FACETS}"),
    ("list with two facets", f"/initiatives/?{FACETS}"),
]
# Each page as an anonymous visitor (public records only) and as the peer (public and
# peers-only records, and their own council's private ones).
PAGES = [Page(name, path) for name, path in _PATHS] + [
    Page(f"{name} ({PEER})", path, headers=(cookie(PEER_SESSION),)) for name, path in _PATHS
]
VISIBILITY_WEIGHTS = {"public": 60, "peers": 35, "private": 5}


# --- Text ------------------------------------------------------------------------------

TOPICS: dict[str, list[str]] = {
    "waste": ["recycling", "refuse", "bins", "collection", "landfill", "food waste", "rounds"],
    "housing": ["rent", "arrears", "tenants", "homelessness", "repairs", "voids", "letters"],
    "adult_care": ["care", "dementia", "home care", "carers", "reablement", "loneliness"],
    "children": ["fostering", "families", "early help", "schools", "adoption", "youth"],
    "public_health": ["smoking", "obesity", "vaccination", "alcohol", "physical activity"],
    "health_integration": ["hospital", "discharge", "A&E", "GP", "nurses", "integrated"],
    "libraries": ["library", "museum", "leisure", "volunteers", "reading", "culture"],
    "parks_streets": ["litter", "fly-tipping", "dog fouling", "parks", "street cleaning"],
    "community_safety": ["antisocial behaviour", "police", "CCTV", "crime", "neighbourhood"],
    "revenues": ["council tax", "benefits", "collection rates", "reminders", "direct debit"],
    "back_office": ["shared services", "management", "procurement", "HR", "finance"],
    "customer": ["online", "contact centre", "self-service", "digital", "transactions"],
    "planning": ["planning applications", "building control", "validation", "enforcement"],
    "transport": ["potholes", "speeding", "parking", "buses", "road safety"],
    "environmental_health": ["food hygiene", "licensing", "noise", "inspections"],
    "education": ["apprenticeships", "skills", "attendance", "exclusions", "adult learning"],
    "economy": ["high street", "business rates", "jobs", "town centre", "enterprise"],
    "other": ["volunteering", "community", "engagement", "elections", "consultation"],
}
VERBS = ["Reducing", "Improving", "Redesigning", "Trialling", "Sharing", "Rethinking",
         "Digitising", "Piloting", "Streamlining", "Preventing"]  # fmt: skip
FILLER = [
    "residents", "staff", "council", "partners", "service", "team", "pilot", "trial", "data",
    "baseline", "cost", "saving", "behaviour", "letters", "visits", "contact", "demand",
    "prevention", "outcomes", "quality", "time", "frontline", "managers", "volunteers",
    "messages", "reminders", "evaluation", "months", "weeks", "households", "people", "workers",
    "process", "paperwork", "referrals", "capacity", "budget", "partnership", "feedback",
    "survey", "neighbourhood", "district", "borough", "county", "officers", "analysts",
    "performance", "target", "measure",
]  # fmt: skip


def _words(rng: random.Random, topic: list[str], count: int) -> str:
    # About one word in six is topical: the topics are what the searches will find.
    return " ".join(
        rng.choice(topic) if rng.random() < 0.16 else rng.choice(FILLER) for _ in range(count)
    )


# --- The shape of one record -----------------------------------------------------------

STATUS_WEIGHTS = {
    "idea": 8, "planned": 12, "started": 15, "evaluating": 8, "published": 25,
    "continued": 12, "scaled_up": 5, "stopped": 12, "withdrawn": 3,
}  # fmt: skip
LINE = ["idea", "planned", "started", "evaluating", "published"]
DESIGNS = ["before_after", "before_after", "comparison", "matched", "randomised",
           "cross_sectional"]  # fmt: skip


def status_path(rng: random.Random, final: str) -> list[str]:
    """The statuses a record passed through, in order, as NEXT_STATUSES allows."""
    first = rng.choice(["idea", "planned"])
    start = LINE.index(first)
    if final in LINE:
        start = min(start, LINE.index(final))
        return LINE[start : LINE.index(final) + 1]
    if final == "continued":
        return [*LINE[start:], "continued"]
    if final == "scaled_up":
        return [*LINE[start:], *(["continued"] if rng.random() < 0.5 else []), "scaled_up"]
    # Stopped or withdrawn part of the way along.
    stop_at = rng.randrange(start, len(LINE))
    return [*LINE[start : stop_at + 1], final]


@dataclass
class Plan:
    """One initiative and its children, before the rows are built."""

    index: int
    rich: bool
    path: list[str]
    goals: int
    ledger: int
    partners: int
    collaborations: list[str]
    mechanisms: list[str]
    dates: list[date] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.path[-1]

    @property
    def started(self) -> bool:
        return "started" in self.path

    @property
    def published(self) -> bool:
        return "published" in self.path


def _choice(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def plan(rng: random.Random, index: int, rich: bool) -> Plan:
    from whatworks.initiatives.models import Collaboration, Mechanism

    final = "continued" if rich else _choice(rng, STATUS_WEIGHTS)
    path = status_path(rng, final)
    day = date(2017, 4, 1) + timedelta(days=rng.randrange(0, 2900))
    dates = []
    for _ in path:
        dates.append(day)
        day += timedelta(days=rng.randrange(20, 200))
    return Plan(
        index=index,
        rich=rich,
        path=path,
        goals=3 if rich else rng.choice([1, 1, 1, 2, 2, 3]),
        ledger=4 if rich else rng.choice([0, 1, 2, 2, 3, 4]),
        partners=2 if rich else rng.choice([0, 0, 0, 1, 1, 2]),
        collaborations=rng.sample(Collaboration.values, 2 if rich else rng.choice([1, 1, 2])),
        mechanisms=rng.sample(Mechanism.values, 3 if rich else rng.choice([0, 1, 2, 3])),
        dates=dates,
    )


# --- Organisations -----------------------------------------------------------------------

PARTNER_KINDS = ["nhs", "police", "fire", "charity", "housing", "operator", "business"]


def seed_organisations(rng: random.Random) -> tuple[list[int], list[int]]:
    """A council for every current local authority (bar combined authorities), and partners."""
    from django.core.management import call_command

    from whatworks.organisations.models import LocalAuthority, Organisation

    call_command("load_local_authorities", verbosity=0)
    authorities = LocalAuthority.objects.filter(is_current=True).exclude(
        authority_type__in=["COMB", "SRA"]
    )
    councils = [
        Organisation(name=la.official_name, slug=f"la-{la.code.lower()}", kind="council",
                     local_authority=la, description="Seeded for the initiatives benchmark.")
        for la in authorities
    ]  # fmt: skip
    partners = [
        Organisation(name=f"Partner body {i:03d}", slug=f"partner-{i:03d}",
                     kind=PARTNER_KINDS[i % len(PARTNER_KINDS)])
        for i in range(40)
    ]  # fmt: skip
    Organisation.objects.bulk_create(councils + partners, batch_size=500)
    council_ids = list(Organisation.objects.filter(kind="council").values_list("pk", flat=True))
    partner_ids = list(Organisation.objects.exclude(kind="council").values_list("pk", flat=True))
    rng.shuffle(council_ids)
    return council_ids, partner_ids


# --- Rows ----------------------------------------------------------------------------------


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def build_initiative(rng: random.Random, p: Plan, owner: int, original: int | None) -> Any:
    from whatworks.initiatives.models import FailureCause, Initiative, ServiceArea, Status

    area = ServiceArea.WASTE.value if p.rich else rng.choice(ServiceArea.values)
    topic = TOPICS[area]
    stopped = p.status == Status.STOPPED
    return Initiative(
        organisation_id=owner,
        title=f"{rng.choice(VERBS)} {rng.choice(topic)} {rng.choice(topic)} "
        f"({rng.choice(FILLER)} {p.index})",
        summary=_words(rng, topic, 30),
        service_area=area,
        problem=_words(rng, topic, 25),
        what_was_done=_words(rng, topic, 45),
        who_it_reached=f"{rng.choice(FILLER)} and {rng.choice(FILLER)}",
        people_reached=rng.choice([None, rng.randrange(20, 50_000)]),
        planned_start=p.dates[0],
        planned_end=p.dates[0] + timedelta(days=rng.randrange(90, 720)),
        actual_start=p.dates[p.path.index("started")] if p.started else None,
        actual_end=p.dates[-1] if stopped else None,
        status=p.status,
        visibility="public" if p.rich else _choice(rng, VISIBILITY_WEIGHTS),
        failure_cause=rng.choice(FailureCause.values) if stopped else "",
        lessons=_words(rng, topic, 20) if stopped else "",
        do_differently=_words(rng, topic, 12) if stopped else "",
        pseudonymous=not p.rich and rng.random() < 0.05,
        replicated_from_id=original,
        withdrawn_reason="Entered twice by mistake." if p.status == Status.WITHDRAWN else "",
        result_published_at=_at(p.dates[p.path.index("published")]) if p.published else None,
    )


def build_goals(rng: random.Random, p: Plan, initiative: Any) -> list[tuple[Any, Any]]:
    """Goals, and a result for each once the record reached 'published' (or, sometimes,
    'evaluating' before it stopped). The verdict is computed by the register's own judge."""
    from whatworks.initiatives.models import Direction, Goal, GoalResult
    from whatworks.initiatives.verdicts import judge_level

    rows = []
    has_results = p.published or (p.status == "stopped" and "evaluating" in p.path
                                  and rng.random() < 0.5)  # fmt: skip
    for number in range(p.goals):
        direction = rng.choice(Direction.values)
        baseline = round(rng.uniform(10, 500), 1)
        better = 1 if direction == Direction.HIGHER else -1
        threshold = round(baseline * (1 + better * rng.uniform(0.03, 0.3)), 1)
        goal = Goal(
            initiative=initiative,
            is_primary=number == 0,
            metric_name=f"{rng.choice(FILLER).capitalize()} {rng.choice(FILLER)} rate",
            unit=rng.choice(["%", "days", "£", "visits", "people"]),
            data_source="Council performance data",
            direction=direction,
            baseline_value=baseline if p.started or rng.random() < 0.5 else None,
            baseline_period="The year before the pilot",
            target_value=threshold,
            success_threshold=threshold,
            locked_at=_at(p.dates[p.path.index("started")]) if p.started else None,
        )
        result = None
        if has_results:
            value = round(baseline * (1 + better * rng.uniform(-0.15, 0.4)), 1)
            design = "randomised" if p.rich else rng.choice(DESIGNS)
            ci = None
            if design in ("randomised", "matched", "comparison") and rng.random() < 0.7:
                half = abs(value) * rng.uniform(0.02, 0.25)
                ci = (round(value - half, 2), round(value + half, 2))
            criterion = goal.snapshot()
            verdict, reason = judge_level(criterion, value, *(ci or (None, None)))
            result = GoalResult(
                is_primary=True, primary_reason="The first result recorded for this goal.",
                criterion=criterion,
                value=value, ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None,
                design=design, sample_size=rng.randrange(50, 5000), source="Pilot evaluation",
                verdict=verdict, verdict_reason=reason,
                recorded_at=_at(p.dates[p.path.index("published")] if p.published
                                else p.dates[-1]),
            )  # fmt: skip
        rows.append((goal, result))
    return rows


def build_ledger(rng: random.Random, p: Plan, initiative: Any) -> list[Any]:
    from whatworks.initiatives.models import LedgerLine

    lines = []
    for number in range(p.ledger):
        is_cost = number % 2 == 0
        amount = Decimal(round(math.exp(rng.uniform(math.log(1_000), math.log(2_000_000)))))
        lines.append(
            LedgerLine(
                initiative=initiative,
                kind="cost" if is_cost else "saving",
                timing=rng.choice(LedgerLine.Timing.values),
                basis=rng.choice(LedgerLine.Basis.values),
                description=f"{rng.choice(FILLER).capitalize()} {rng.choice(FILLER)}",
                amount=amount,
                is_net=not is_cost and rng.random() < 0.3,
                cashable=not is_cost and rng.random() < 0.6,
                beneficiary="" if is_cost else rng.choice(LedgerLine.Beneficiary.values),
            )
        )
    return lines


def build_history(p: Plan, initiative: Any) -> list[Any]:
    from whatworks.initiatives.models import StatusChange

    previous = ""
    rows = []
    for status, day in zip(p.path, p.dates, strict=True):
        reason = "Registered" if not previous else ""
        rows.append(StatusChange(initiative=initiative, from_status=previous, to_status=status,
                                 reason=reason, changed_at=_at(day)))  # fmt: skip
        previous = status
    return rows


def build_checks(p: Plan, initiative: Any) -> list[Any]:
    from whatworks.initiatives.models import SustainabilityCheck

    if not p.published:
        return []
    published = p.dates[p.path.index("published")]
    return [
        SustainabilityCheck(initiative=initiative, months_after=months,
                            due_on=published + timedelta(days=round(months * 30.44)))
        for months in (12, 24, 36)
    ]  # fmt: skip


# --- The search index --------------------------------------------------------------------


def index_batch(initiatives: list[Any]) -> None:
    """The search documents for a batch, as `whatworks.core.search` would write them."""
    from django.db import connection

    from whatworks.core import search
    from whatworks.core.models import SearchDocument
    from whatworks.organisations.models import Organisation

    label = "initiatives.initiative"
    # The owner's name is indexed too: one query for the batch's owners, not one a record.
    owners = Organisation.objects.in_bulk({i.organisation_id for i in initiatives})
    for initiative in initiatives:
        initiative.organisation = owners[initiative.organisation_id]
    # The registered spec (whatworks/initiatives/search_index.py), so the text indexed here
    # is exactly what saving each record would have indexed.
    spec = search._registry[label]
    docs = SearchDocument.objects.bulk_create(
        SearchDocument(model=label, object_id=str(i.pk), title=spec.title(i), body=spec.body(i))
        for i in initiatives
    )
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {search.FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                [(d.pk, d.title, d.body) for d in docs],
            )


def finish_index() -> None:
    """On PostgreSQL, every vector in one UPDATE (the same weights and configuration as
    `index_object`), then fresh planner statistics, as autovacuum would soon give."""
    from django.contrib.postgres.search import SearchVector
    from django.db import connection

    from whatworks.core.models import SearchDocument
    from whatworks.core.search import PG_CONFIG

    if connection.vendor != "postgresql":
        return
    SearchDocument.objects.filter(model="initiatives.initiative").update(
        vector=SearchVector("title", weight="A", config=PG_CONFIG)
        + SearchVector("body", weight="B", config=PG_CONFIG)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- Seeding -------------------------------------------------------------------------------


def _batches(n: int) -> Iterator[range]:
    for start in range(0, n, BATCH):
        yield range(start, min(n, start + BATCH))


def seed_batch(rng: random.Random, indices: range, ctx: dict[str, Any]) -> None:
    """Build a batch in memory, then insert it table by table inside one transaction.

    Children hold their (unsaved) parent objects; bulk_create fills in the foreign keys
    once the parents have their ids.
    """
    from django.db import transaction

    from whatworks.initiatives.models import (
        MARYLAND_LEVEL,
        EvaluationDesign,
        Goal,
        GoalResult,
        Initiative,
        InitiativeTag,
        LedgerLine,
        Partner,
        StatusChange,
        SustainabilityCheck,
    )

    rows: dict[type, list[Any]] = {model: [] for model in (
        Initiative, Goal, GoalResult, LedgerLine, StatusChange, SustainabilityCheck,
        InitiativeTag, Partner)}  # fmt: skip
    for index in indices:
        p = plan(rng, index, rich=index == ctx["showcase"])
        original = None
        if ctx["pks"] and not p.rich and rng.random() < 0.02:
            original = rng.choice(ctx["pks"])
        owner = ctx["councils"][index % len(ctx["councils"])]
        initiative = build_initiative(rng, p, owner, original)
        rows[Initiative].append(initiative)
        for goal, result in build_goals(rng, p, initiative):
            rows[Goal].append(goal)
            if result is None:
                continue
            result.goal = goal
            rows[GoalResult].append(result)
            if goal.is_primary:
                # As the register's _sync_initiative keeps them: the primary goal's primary
                # result.
                initiative.verdict = result.verdict
                initiative.evidence_level = MARYLAND_LEVEL[EvaluationDesign(result.design)]
        rows[LedgerLine] += build_ledger(rng, p, initiative)
        rows[StatusChange] += build_history(p, initiative)
        rows[SustainabilityCheck] += build_checks(p, initiative)
        rows[InitiativeTag] += [
            InitiativeTag(initiative=initiative, kind=kind, value=value)
            for kind, values in (("collaboration", p.collaborations), ("mechanism", p.mechanisms))
            for value in values
        ]
        rows[Partner] += [
            Partner(initiative=initiative, organisation_id=org, part="Delivers part of it")
            for org in rng.sample(ctx["partners"], p.partners)
        ]
    with transaction.atomic():
        for model, objects in rows.items():  # parents first: the dict keeps that order
            model.objects.bulk_create(objects, batch_size=1000)
        index_batch(rows[Initiative])
    ctx["pks"] += [o.pk for o in rows[Initiative]]
    if ctx["showcase"] in indices:
        ctx["showcase_pk"] = rows[Initiative][indices.index(ctx["showcase"])].pk


def seed(n: int) -> None:
    """`n` public initiatives with everything the register records about them."""
    rng = random.Random(SEED)
    began = time.monotonic()
    councils, partners = seed_organisations(rng)
    showcase = showcase_index(n)
    ctx: dict[str, Any] = {
        "councils": councils, "partners": partners, "showcase": showcase,
        "showcase_pk": None, "pks": [],
    }  # fmt: skip
    for indices in _batches(n):
        seed_batch(rng, indices, ctx)
    _check_showcase(n, ctx["showcase_pk"])
    _replicate_showcase(ctx["showcase_pk"])
    _sign_in_a_peer(councils, ctx["showcase_pk"])
    finish_index()
    print(f"seeded {n} initiatives in {time.monotonic() - began:.1f} s", file=sys.stderr)


def _sign_in_a_peer(councils: list[int], showcase_pk: int | None) -> None:
    """An officer of one council (not the showcase's owner), signed in for the pages."""
    from whatworks.organisations.models import Membership, Organisation, Role, User

    owner = Organisation.objects.filter(initiatives__pk=showcase_pk).first()
    council = next(pk for pk in reversed(councils) if owner is None or pk != owner.pk)
    peer = User.objects.create_user("peer@bench.invalid", None, full_name="Bench Peer")
    Membership.objects.create(user=peer, organisation_id=council, role=Role.OFFICER)
    sign_in(peer, PEER_SESSION)


def _replicate_showcase(pk: int | None) -> None:
    """Three later records replicate the showcase, so its page lists replications."""
    from whatworks.initiatives.models import Initiative

    if pk is None:
        return
    later = Initiative.objects.filter(pk__gt=pk).order_by("pk").values_list("pk", flat=True)[:3]
    Initiative.objects.filter(pk__in=list(later)).update(replicated_from_id=pk)


def _check_showcase(n: int, pk: int | None) -> None:
    """The page measured must be the full record, not whatever happens to have that id."""
    if n and pk != showcase_index(n) + 1:
        raise RuntimeError(f"The showcase record has id {pk}, not {showcase_index(n) + 1}.")


if __name__ == "__main__":
    sys.exit(main("initiatives", PAGES, seed, default_n=DEFAULT_N, target_ratio=TARGET_RATIO,
                  description=__doc__.splitlines()[0]))  # fmt: skip
