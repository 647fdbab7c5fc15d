"""The scheme's outcomes as evidence: monthly figures written to `measures`, and a panel of
aggregates on the linked initiative's page (never a resident's details).

Missed appointments and emergency admissions come from the NHS partners' systems: their
metrics are created here, and the figures are imported through the measures import pages.
The coordinator may also record whether an appointment on a person's record was attended:
those misses go to a separate series, "missed appointments (recorded by the scheme)", never
into the imported one. The two are not added together: a partner's figure may well include
the same missed appointment, and writing ours into its series would overwrite the import.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from whatworks.checkins import funding
from whatworks.checkins.models import (
    AT_EASE,
    SEEN,
    Answer,
    Appointment,
    ContactSurvey,
    Escalation,
    EscalationStatus,
    Payer,
    Scheme,
    SchemeRole,
    SchemeRoleKind,
    Signposting,
    TrainingRecord,
    Visit,
)
from whatworks.initiatives.panels import Panel
from whatworks.measures.models import Metric, Observation
from whatworks.measures.services import metric_ensure, observation_record

IMPORTED = "Imported from partners' systems through the measures import pages"
MISSED_RECORDED = "missed appointments (recorded by the scheme)"
SIGNPOSTED = "people told about local events and services"
TRAINED = "workers with current training"
AT_PEACE = "contacts with peace of mind"
INDEPENDENCE = "independence score"


def paid_by(payer: str) -> str:
    """The figure of one payer's cost per visit."""
    return f"cost per visit, paid by {Payer(payer).label[0].lower()}{Payer(payer).label[1:]}"


METRICS: dict[str, dict[str, Any]] = {
    "visits delivered": {
        "kind": "count",
        "unit": "visits",
        "direction": "higher",
        "definition": "Visits where the worker saw the person (well or with a concern), a month.",
    },
    "concerns raised": {
        "kind": "count",
        "unit": "concerns",
        "direction": "lower",
        "definition": (
            "Tasks raised by the scheme's rules (concerns, no answers, missed visits), a month."
        ),
    },
    "days to close a concern": {
        "kind": "mean",
        "unit": "days",
        "direction": "lower",
        "definition": "Mean days from raising a task to closing it, for tasks closed in the month.",
    },
    "UCLA-3 change from baseline": {
        "kind": "mean",
        "unit": "points",
        "direction": "lower",
        "definition": "Mean change in the UCLA 3-item loneliness score (3 to 9) from each person's "
        "first score to their latest, for people scored at least twice by the month's end.",
    },
    "cost per visit": {
        "kind": "mean",
        "unit": "£",
        "direction": "lower",
        "definition": "The scheme's rate per visit (set by the scheme) over the visits delivered.",
    },
    "missed appointments": {
        "kind": "count",
        "unit": "appointments",
        "direction": "lower",
        "definition": "Missed GP and hospital appointments of people on the scheme (imported).",
        "source": IMPORTED,
    },
    MISSED_RECORDED: {
        "kind": "count",
        "unit": "appointments",
        "direction": "lower",
        "definition": "Appointments on people's records that the coordinator recorded as missed, "
        "by the month of the appointment; months with appointments recorded and none missed "
        "count 0. Not added to the imported 'missed appointments', which may include the same "
        "appointments.",
    },
    "emergency admissions": {
        "kind": "count",
        "unit": "admissions",
        "direction": "lower",
        "definition": "Emergency hospital admissions of people on the scheme (imported).",
        "source": IMPORTED,
    },
    TRAINED: {
        "kind": "count",
        "unit": "workers",
        "direction": "higher",
        "definition": "Workers on the scheme with a current record of every training it asks "
        "for, on the month's last day (today, for this month).",
    },
    **{
        paid_by(payer): {
            "kind": "mean",
            "unit": "£",
            "direction": "lower",
            "definition": f"The rate per visit paid by {payer.label[0].lower()}{payer.label[1:]}"
            ", over the visits they paid for in the month (the numerator is what they paid).",
        }
        for payer in Payer
    },
    SIGNPOSTED: {
        "kind": "count",
        "unit": "people",
        "direction": "higher",
        "definition": "People told about at least one local event or service on the scheme's "
        "list, by the month they were told (each person once a month).",
    },
    INDEPENDENCE: {
        "kind": "mean",
        "unit": "points",
        "direction": "higher",
        "definition": "Mean score (0 to 8) of the people asked the independence questions in "
        "the month, each person's latest answers: four questions on daily living, each 2 on "
        "their own, 1 with some help, 0 not at all. Written for the scheme; not a validated "
        "scale.",
    },
    AT_PEACE: {
        "kind": "proportion",
        "unit": "%",
        "direction": "higher",
        "definition": "Of the nominated contacts who answered the peace-of-mind survey in the "
        "month, the share saying the visits give them a lot or some peace of mind (the other "
        "answers: a little, none).",
    },
}
PANEL_METRICS = [
    "visits delivered",
    "concerns raised",
    "days to close a concern",
    "UCLA-3 change from baseline",
    "cost per visit",
    MISSED_RECORDED,
    "missed appointments",
    SIGNPOSTED,
    TRAINED,
    AT_PEACE,
    INDEPENDENCE,
]
# How each figure is labelled on the initiative's panel: the source is part of the label.
PANEL_LABELS = {"missed appointments": "missed appointments (imported from partners)"}


def metric_name(scheme: Scheme, what: str) -> str:
    return f"{scheme.name}: {what}"


def scheme_metrics(scheme: Scheme) -> dict[str, Metric]:
    return {
        what: metric_ensure(
            organisation=scheme.organisation,
            name=metric_name(scheme, what),
            defaults={
                "source": f"What Works check-ins: {scheme.name}",
                **spec,
                "visibility": scheme.evidence_visibility,
            },
            actor=scheme.created_by,  # type: ignore[arg-type]
        )
        for what, spec in METRICS.items()
    }


def _month_end(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _scores(
    scheme: Scheme, prefix: str, scores: dict[str, int], items: int
) -> list[tuple[date, int, int]]:
    """(day, person, total) for each visit that gave a scored answer to all `items` questions
    of a set (the questions whose short names start with `prefix`), in date order."""
    rows = (
        Answer.objects.filter(visit__resident__scheme=scheme, question__code__startswith=prefix)
        .values_list("visit_id", "visit__resident_id", "visit__visited_on", "value")
        .order_by("visit__visited_on", "visit_id")
    )
    per_visit: dict[int, list[Any]] = {}  # visit -> [resident, day, score, items]
    for visit_id, resident_id, day, value in rows:
        entry = per_visit.setdefault(visit_id, [resident_id, day, 0, 0])
        entry[2] += scores.get(value, 0)
        entry[3] += value in scores
    return sorted(
        (day, resident, score)
        for resident, day, score, answered in per_visit.values()
        if answered == items
    )


def _ucla_changes(scheme: Scheme) -> dict[date, float]:
    """For each month with UCLA answers: the mean change from baseline as of its end, over
    people with at least two complete scores by then."""
    from whatworks.checkins.services import UCLA_SCORES

    complete = _scores(scheme, "ucla_", UCLA_SCORES, items=3)
    result: dict[date, float] = {}
    for month in sorted({date(day.year, day.month, 1) for day, _, _ in complete}):
        end = _month_end(month)
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        count: dict[int, int] = defaultdict(int)
        for day, resident, score in complete:
            if day > end:
                break
            first.setdefault(resident, score)
            last[resident] = score
            count[resident] += 1
        changes = [last[r] - first[r] for r in first if count[r] > 1]
        if changes:
            result[month] = statistics.fmean(changes)
    return result


def _independence(scheme: Scheme) -> dict[date, tuple[int, int]]:
    """For each month: the total of the independence scores (0 to 8) of the people asked in
    it (each person's latest complete answers in the month), and how many people that is."""
    from whatworks.checkins.services import INDEPENDENCE_SCORES, LIBRARY_MODULES

    items = len(LIBRARY_MODULES["independence"]["questions"])
    latest: dict[date, dict[int, int]] = defaultdict(dict)
    for day, resident, score in _scores(scheme, "indep_", INDEPENDENCE_SCORES, items):
        latest[date(day.year, day.month, 1)][resident] = score  # date order: the last wins
    return {month: (sum(people.values()), len(people)) for month, people in sorted(latest.items())}


def _trained(scheme: Scheme) -> dict[date, int]:
    """Workers with every module current on each month's last day, from the first record."""
    modules = set(scheme.training_modules.values_list("pk", flat=True))
    records = list(
        TrainingRecord.objects.filter(module__scheme=scheme).values_list(
            "user_id", "module_id", "completed_on", "expires_on"
        )
    )
    if not modules or not records:
        return {}
    workers = set(
        SchemeRole.objects.filter(scheme=scheme, role=SchemeRoleKind.WORKER).values_list(
            "user_id", flat=True
        )
    )
    today = timezone.localdate()
    first = min(completed for _, _, completed, _ in records)
    month, counts = date(first.year, first.month, 1), {}
    while month <= today:
        on = min(_month_end(month), today)
        current = {
            (user, module)
            for user, module, completed, expires in records
            if completed <= on and (expires is None or expires >= on)
        }
        counts[month] = sum(all((w, m) in current for m in modules) for w in workers)
        month = _month_end(month) + timedelta(days=1)
    return counts


def _month_figure(
    metric: Metric,
    month: date,
    value: float,
    numerator: float | None = None,
    denominator: float | None = None,
) -> None:
    """Write one month's figure of `metric` (with its numerator and denominator, if any)."""
    observation_record(
        metric=metric,
        period_start=month,
        period_end=_month_end(month),
        label=month.strftime("%B %Y"),
        value=value,
        numerator=numerator,
        denominator=denominator,
    )


def outcomes_refresh(scheme: Scheme) -> int:
    """Recompute every month's figures from the scheme's own records; returns how many."""
    metrics = scheme_metrics(scheme)
    figures: list[tuple[str, date, float, dict[str, float]]] = []  # (what, month, value, parts)
    visits: dict[date, dict[str, int]] = defaultdict(dict)
    for counted in (
        Visit.objects.filter(resident__scheme=scheme, outcome__in=SEEN)
        .annotate(month=TruncMonth("visited_on"))
        .values("month", "payer")
        .annotate(n=Count("id"))
    ):
        visits[_as_date(counted["month"])][counted["payer"]] = counted["n"]
    rate = {payer: float(r) for payer, r in funding.rates(scheme).items()}
    for month, by_payer in visits.items():
        n = sum(by_payer.values())
        cost = sum(rate[payer] * count for payer, count in by_payer.items())
        figures.append(("visits delivered", month, n, {}))
        # Each visit at its payer's rate: the mean is the cost over the visits.
        figures.append(("cost per visit", month, cost / n, {"numerator": cost, "denominator": n}))
        for payer, count in by_payer.items():
            if payer:
                parts = {"numerator": rate[payer] * count, "denominator": count}
                figures.append((paid_by(payer), month, rate[payer], parts))
    for row in (
        Escalation.objects.filter(scheme=scheme)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
    ):
        figures.append(("concerns raised", _as_date(row["month"]), row["n"], {}))
    durations: dict[date, list[float]] = defaultdict(list)
    for created, closed in Escalation.objects.filter(
        scheme=scheme, status=EscalationStatus.CLOSED, closed_at__isnull=False
    ).values_list("created_at", "closed_at"):
        assert closed is not None  # filtered above
        month = date(closed.year, closed.month, 1)
        durations[month].append((closed - created).total_seconds() / 86400)
    for month, days in durations.items():
        parts = {"numerator": sum(days), "denominator": len(days)}
        figures.append(("days to close a concern", month, statistics.fmean(days), parts))
    missed: dict[date, int] = defaultdict(int)
    for on, attended in Appointment.objects.filter(
        resident__scheme=scheme, attended__isnull=False
    ).values_list("on", "attended"):
        missed[date(on.year, on.month, 1)] += not attended
    # Only the scheme's own series: the imported "missed appointments" is never written.
    figures += [(MISSED_RECORDED, month, n, {}) for month, n in missed.items()]
    for row in (
        Signposting.objects.filter(resident__scheme=scheme)
        .annotate(month=TruncMonth("told_on"))
        .values("month")
        .annotate(n=Count("resident", distinct=True))
    ):
        figures.append((SIGNPOSTED, _as_date(row["month"]), row["n"], {}))
    for row in (
        ContactSurvey.objects.filter(scheme=scheme, answered_on__isnull=False)
        .annotate(month=TruncMonth("answered_on"))
        .values("month")
        .annotate(n=Count("id"), at_ease=Count("id", filter=Q(answer__in=AT_EASE)))
    ):
        parts = {"numerator": row["at_ease"], "denominator": row["n"]}
        figures.append((AT_PEACE, _as_date(row["month"]), row["at_ease"] / row["n"], parts))
    figures += [(TRAINED, month, trained, {}) for month, trained in _trained(scheme).items()]
    for month, (total, people) in _independence(scheme).items():
        parts = {"numerator": total, "denominator": people}
        figures.append((INDEPENDENCE, month, total / people, parts))
    figures += [
        ("UCLA-3 change from baseline", month, change, {})
        for month, change in _ucla_changes(scheme).items()
    ]
    for what, month, value, parts in figures:
        _month_figure(metrics[what], month, value, **parts)
    from whatworks.initiatives.signals import touched

    touched()
    return len(figures)


#: Which of the scheme's figures a goal of its initiative is linked to by default, and how it
#: is judged: before and after the start, from the mean of the last 12 months before it. The
#: UCLA-3 change is already a change from each person's first score, so it has no "before" to
#: compare with: it is linked for its figures only.
GOAL_DESIGNS: dict[str, str] = {
    "visits delivered": "before_after",
    "concerns raised": "before_after",
    "days to close a concern": "before_after",
    "UCLA-3 change from baseline": "",
    "cost per visit": "before_after",
    **{paid_by(payer): "before_after" for payer in Payer},
    "missed appointments": "before_after",
    MISSED_RECORDED: "before_after",
    "emergency admissions": "before_after",
    SIGNPOSTED: "before_after",
    TRAINED: "",
}
GOAL_PHRASES = {"UCLA-3 change from baseline": "UCLA-3", "days to close a concern": "to close"}


def goal_offers(initiative: Any) -> list[Any]:
    """The scheme metrics offered to the goals of an initiative that a scheme feeds."""
    from whatworks.initiatives.hooks import MetricOffer

    offers = []
    for scheme in Scheme.objects.filter(initiative=initiative):
        names = {metric_name(scheme, what): what for what in GOAL_DESIGNS}
        for metric in Metric.objects.filter(
            organisation_id=scheme.organisation_id, name__in=list(names)
        ):
            what = names[metric.name]
            design = GOAL_DESIGNS[what]
            offers.append(
                MetricOffer(
                    phrase=GOAL_PHRASES.get(what, what),
                    metric=metric,
                    design=design,
                    baseline_rule="last_periods" if design else "",
                )
            )
    return offers


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def initiative_panel(initiative: Any, user: Any) -> Panel | None:
    """Aggregates of the schemes linked to this initiative, from the metrics the reader may see."""
    schemes = list(Scheme.objects.filter(initiative=initiative))
    if not schemes:
        return None
    rows = []
    for scheme in schemes:
        names = {metric_name(scheme, what): what for what in PANEL_METRICS}
        metrics = Metric.objects.visible_to(user).filter(
            organisation_id=scheme.organisation_id, name__in=list(names)
        )
        figures: dict[str, Any] = {}
        for metric in metrics:
            observations = list(
                Observation.objects.filter(metric=metric, organisation_id=scheme.organisation_id)
                .order_by("period_start")
                .values_list("value", "numerator", "denominator")
            )
            if not observations:
                continue
            what = names[metric.name]
            if metric.kind == "count":
                figures[what] = f"{sum(v for v, _, _ in observations):,.0f}"
            elif what == "UCLA-3 change from baseline":
                figures[what] = f"{observations[-1][0]:+.1f} points"
            elif what == "cost per visit":
                figures[what] = f"£{observations[-1][0]:,.2f}"
            else:
                num = sum(n or 0 for _, n, _ in observations)
                den = sum(d or 0 for _, _, d in observations)
                figures[what] = f"{num / den:.1f} days" if den else ""
        if figures:
            rows.append(
                {
                    "scheme": scheme,
                    "figures": [
                        (PANEL_LABELS.get(w, w), figures[w]) for w in PANEL_METRICS if w in figures
                    ],
                }
            )
    if not rows:
        return None
    return Panel(template="checkins/_initiative_panel.html", context={"rows": rows}, order=60)
