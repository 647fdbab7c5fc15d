"""Reads shared by the views: `access_*` fetch a record and check permission in one call (a
view cannot forget the check); every view of a resident's record is audited here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from whatworks.checkins import rules as checkin_rules
from whatworks.checkins import schedule, training
from whatworks.checkins.models import (
    Appointment,
    Cover,
    Escalation,
    EscalationStatus,
    FirstContact,
    NominatedContact,
    Outcome,
    PlannedVisit,
    Question,
    QuestionModule,
    Referral,
    Resident,
    ResidentStatus,
    Round,
    RoundChange,
    Scheme,
    SchemeRole,
    Urgency,
    Visit,
)
from whatworks.checkins.services import LIBRARY_MODULES, questions_for
from whatworks.core import audit, cache


def schemes_for(user: Any) -> list[tuple[Scheme, list[str]]]:
    roles: dict[int, list[str]] = {}
    for scheme_id, role in SchemeRole.objects.filter(user=user).values_list("scheme_id", "role"):
        roles.setdefault(scheme_id, []).append(role)
    return [(s, sorted(roles[s.pk])) for s in Scheme.objects.filter(pk__in=roles)]


def rounds_today_for(user: Any, day: date) -> list[Round]:
    """The person's own rounds and the rounds they cover on `day`."""
    covering = Cover.objects.filter(worker=user, start_date__lte=day, end_date__gte=day)
    rounds = Round.objects.filter(Q(worker=user) | Q(pk__in=covering.values("round_id")))
    return list(rounds.select_related("scheme").order_by("name"))


def access_scheme(user: Any, pk: int, perm: str = "checkins.manage_scheme") -> Scheme:
    scheme = Scheme.objects.filter(pk=pk).select_related("organisation", "initiative").first()
    if scheme is None or not checkin_rules.scheme_roles(user, scheme.pk):
        raise Http404("No such scheme")
    if not rules.has_perm(perm, user, scheme):
        raise PermissionDenied
    return scheme


def access_resident(
    user: Any, pk: int, perm: str = "checkins.view_resident", *, viewed: bool = True
) -> Resident:
    resident = (
        Resident.objects.filter(pk=pk).select_related("scheme__organisation", "round").first()
    )
    if resident is None or not rules.has_perm("checkins.view_resident", user, resident):
        raise Http404("No such person")
    if perm != "checkins.view_resident" and not rules.has_perm(perm, user, resident):
        raise PermissionDenied
    if viewed:
        audit.record(
            "checkins.resident.viewed",
            obj=resident,
            organisation=resident.scheme.organisation,
            personal_data=True,
        )
    return resident


def pending_round_change(resident: Resident) -> RoundChange | None:
    """The move not yet applied (the latest, if the coordinator changed their mind)."""
    return (
        RoundChange.objects.filter(resident=resident, applied_at__isnull=True)
        .select_related("to_round")
        .order_by("-at", "-id")
        .first()
    )


def access_round(user: Any, pk: int) -> Round:
    round_ = Round.objects.filter(pk=pk).select_related("scheme__organisation", "worker").first()
    if round_ is None or not rules.has_perm("checkins.record_visit", user, round_):
        raise Http404("No such round")
    return round_


def access_referral(user: Any, pk: int) -> Referral:
    referral = Referral.objects.filter(pk=pk).select_related("scheme", "resident").first()
    if referral is None or not checkin_rules.scheme_roles(user, referral.scheme_id):
        raise Http404("No such referral")
    if not rules.has_perm("checkins.manage_scheme", user, referral.scheme):
        raise PermissionDenied
    audit.record(
        "checkins.referral.viewed",
        obj=referral,
        organisation=referral.scheme.organisation,
        personal_data=True,
    )
    return referral


def access_escalation(user: Any, pk: int) -> Escalation:
    escalation = (
        Escalation.objects.filter(pk=pk).select_related("scheme", "resident", "visit").first()
    )
    if escalation is None or not checkin_rules.scheme_roles(user, escalation.scheme_id):
        raise Http404("No such task")
    if not rules.has_perm("checkins.close_escalation", user, escalation):
        raise PermissionDenied
    audit.record(
        "checkins.escalation.viewed",
        obj=escalation,
        organisation=escalation.scheme.organisation,
        personal_data=True,
    )
    return escalation


def emergency_for_visit(round_: Round, key: Any) -> Escalation:
    """The emergency task of a visit on this round (the worker's follow-up page); audited."""
    escalation = (
        Escalation.objects.filter(
            visit__client_uuid=key, visit__round=round_, urgency=Urgency.EMERGENCY
        )
        .select_related("resident", "scheme__organisation")
        .first()
    )
    if escalation is None:
        raise Http404("No emergency was recorded at this visit")
    audit.record(
        "checkins.emergency.viewed",
        obj=escalation,
        organisation=escalation.scheme.organisation,
        personal_data=True,
    )
    return escalation


@dataclass
class ListResident:
    """Only what a visit needs: no date of birth, no health details."""

    pk: int
    given_name: str
    family_name: str
    address: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass
class ListEntry:
    resident: ListResident
    questions: list[Question]
    appointments: list[dict[str, Any]]
    done: str  # the outcome recorded today, if any
    # Nominated contacts (name, relationship, phone): shown only in an emergency's guidance.
    contacts: list[tuple[str, str, str]] = field(default_factory=list)
    form_key: int = 0
    number: int = 0


# The scheme's question sets and the visit forms rendered from them: the same for everyone
# who reads a list, and bumped whenever a question, a set or a rule changes (apps.py).
QUESTIONS_CACHE = "checkins-questions"


def scheme_modules(scheme_id: int) -> list[QuestionModule]:
    """The scheme's question sets with their questions (retired ones too: questions_for
    leaves them out), from the cache."""
    return cache.cached(
        QUESTIONS_CACHE,
        ("modules", scheme_id),
        lambda: list(
            QuestionModule.objects.filter(scheme_id=scheme_id).prefetch_related("questions")
        ),
    )


ADDRESS_FIELDS = ("address_line_1", "address_line_2", "town", "postcode")
LIST_FIELDS = ("id", "given_name", "family_name", "periodic_last_asked", *ADDRESS_FIELDS)


def todays_list(round_: Round, day: date) -> list[ListEntry]:
    """The round's list for `day` in visiting order. Plain values rather than model objects,
    and a handful of queries whatever the length: this page is read on every doorstep."""
    schedule.round_changes_ensure(day)  # once a day; later reads write nothing
    rows = schedule.due_on_round(day, round_.pk, LIST_FIELDS)
    ids = [row["id"] for row in rows]
    own: dict[int, set[int]] = {}
    for resident_id, module_id in Resident.modules.through.objects.filter(
        resident_id__in=ids
    ).values_list("resident_id", "questionmodule_id"):
        own.setdefault(resident_id, set()).add(module_id)
    appointments: dict[int, list[dict[str, Any]]] = {}
    for appointment in Appointment.objects.filter(
        resident_id__in=ids, on__gte=day, on__lte=day + timedelta(days=3)
    ).values("resident_id", "on", "time", "what", "where"):
        appointments.setdefault(appointment["resident_id"], []).append(dict(appointment))
    modules = scheme_modules(round_.scheme_id)
    done = dict(
        Visit.objects.filter(round=round_, visited_on=day, resident_id__in=ids).values_list(
            "resident_id", "outcome"
        )
    )
    contacts: dict[int, list[tuple[str, str, str]]] = {}
    for resident_id, name, relationship, phone in NominatedContact.objects.filter(
        resident_id__in=ids
    ).values_list("resident_id", "name", "relationship", "phone"):
        contacts.setdefault(resident_id, []).append((name, relationship, phone))
    outcome_labels = dict(Outcome.choices)
    periodic = [m for m in modules if m.every_weeks]
    sets: dict[tuple[Any, ...], list[Question]] = {}

    def questions(own_ids: set[int], last_asked: date | None) -> list[Question]:
        # Most people share one or two question sets: work each out once, not per person
        # (a related manager per module per person cost more than the queries).
        due = tuple(
            last_asked is None or (day - last_asked).days >= m.every_weeks * 7 for m in periodic
        )
        key = (frozenset(own_ids), due)
        if key not in sets:
            sets[key] = questions_for(own_ids, last_asked, modules, day)
        return sets[key]

    return [
        ListEntry(
            resident=ListResident(
                pk=row["id"],
                given_name=row["given_name"],
                family_name=row["family_name"],
                address=", ".join(row[f] for f in ADDRESS_FIELDS if row[f]),
            ),
            questions=questions(own.get(row["id"], set()), row["periodic_last_asked"]),
            appointments=appointments.get(row["id"], []),
            done=str(outcome_labels.get(done[row["id"]], "")) if row["id"] in done else "",
            contacts=contacts.get(row["id"], []),
        )
        for row in rows
    ]


@dataclass
class Dashboard:
    referrals: list[Referral]
    first_contacts: list[FirstContact]
    open_escalations: list[Escalation]
    planned_today: int
    done_today: int
    extra_today: int  # visits recorded today to people not on today's lists
    planned_week: int
    done_week: int
    extra_week: int
    rounds: list[dict[str, Any]]
    untrained: int = 0  # people working a round today whose training has run out


def _by_round(rows: Any) -> dict[int, int]:
    return dict(rows.values("round_id").annotate(n=Count("id")).values_list("round_id", "n"))


def dashboard(scheme: Scheme, today: date | None = None) -> Dashboard:
    """The coordinator's figures. "Planned" is the one definition (schedule.py): the live
    schedule for today (what the workers' lists show now), the plan as each past day ended
    (cached by the job) for the six days before. "Done" counts recorded visits to people who
    were planned; visits to anyone else are counted apart, so done never exceeds planned."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=6)
    referrals = list(
        Referral.objects.filter(scheme=scheme, status=Referral.Status.WAITING).select_related(
            "resident"
        )
    )
    first_contacts = list(
        FirstContact.objects.filter(
            resident__scheme=scheme, resident__status=ResidentStatus.CONTACTING
        )
        .select_related("resident", "round")
        .order_by("created_at", "id")
    )
    # Emergencies first, then same-day tasks, then the rest; each by deadline.
    rank = {Urgency.EMERGENCY: 0, Urgency.SAME_DAY: 1}
    open_escalations = sorted(
        Escalation.objects.filter(scheme=scheme, status=EscalationStatus.OPEN).select_related(
            "resident"
        ),
        key=lambda e: (rank.get(e.urgency, 2), e.due_at, e.pk),  # type: ignore[call-overload]
    )
    rounds_qs = list(
        Round.objects.filter(scheme=scheme)
        .select_related("worker")
        .annotate(active_count=Count("residents", filter=Q(residents__status="active")))
    )
    lapsed = training.lapsed_on_rounds(scheme, today, rounds_qs)
    round_ids = [r.pk for r in rounds_qs]
    schedule.round_changes_ensure(today)
    due_today = schedule.due_residents(today, round_ids)
    planned_today_by_round = _by_round(due_today.order_by())
    visits_today = Visit.objects.filter(resident__scheme=scheme, visited_on=today)
    done_today_by_round = _by_round(visits_today.filter(resident_id__in=due_today.values("pk")))
    extra_today = visits_today.exclude(resident_id__in=due_today.values("pk")).count()
    past = PlannedVisit.objects.filter(
        round__scheme=scheme, on__range=(week_start, today - timedelta(days=1))
    )
    planned_past_by_round = _by_round(past)
    visits_past = Visit.objects.filter(
        resident__scheme=scheme, visited_on__range=(week_start, today - timedelta(days=1))
    )
    was_planned = Exists(
        PlannedVisit.objects.filter(resident_id=OuterRef("resident_id"), on=OuterRef("visited_on"))
    )
    done_past_by_round = _by_round(visits_past.filter(was_planned))
    extra_past = visits_past.exclude(was_planned).count()
    rounds = [
        {
            "round": r,
            "residents": r.active_count,
            "planned_today": planned_today_by_round.get(r.pk, 0),
            "done_today": done_today_by_round.get(r.pk, 0),
            "planned": planned_today_by_round.get(r.pk, 0) + planned_past_by_round.get(r.pk, 0),
            "done": done_today_by_round.get(r.pk, 0) + done_past_by_round.get(r.pk, 0),
            "lapsed": lapsed.get(r.pk, []),
        }
        for r in rounds_qs
    ]
    planned_today = sum(planned_today_by_round.values())
    done_today = sum(done_today_by_round.values())
    return Dashboard(
        referrals=referrals,
        first_contacts=first_contacts,
        open_escalations=open_escalations,
        planned_today=planned_today,
        done_today=done_today,
        extra_today=extra_today,
        planned_week=planned_today + sum(planned_past_by_round.values()),
        done_week=done_today + sum(done_past_by_round.values()),
        extra_week=extra_today + extra_past,
        rounds=rounds,
        untrained=len({user.pk for people in lapsed.values() for user, _ in people}),
    )


def library_to_add(scheme: Scheme) -> list[dict[str, str]]:
    """The library's question sets the scheme does not ask now (never added, or retired)."""
    asked = set(
        Question.objects.filter(module__scheme=scheme, module__retired_at__isnull=True).values_list(
            "code", flat=True
        )
    )
    return [
        {"key": key, "name": spec["name"], "summary": spec["summary"]}
        for key, spec in LIBRARY_MODULES.items()
        if spec["questions"][0][0] not in asked
    ]
