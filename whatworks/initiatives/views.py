"""Pages for one initiative: register, edit, goals, ledger, status, results, lessons, replicate.

Thin views: an access helper fetches and checks, a form validates, a service writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from whatworks.core.cache import cached
from whatworks.core.forms import act, submit
from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives import panels, selectors, services
from whatworks.initiatives.forms import (
    DecisionForm,
    GoalForm,
    InitiativeForm,
    LedgerLineForm,
    LessonsForm,
    PartnerForm,
    PrimaryResultForm,
    ResultForm,
    StatusForm,
    SustainabilityForm,
)
from whatworks.initiatives.ledger import summarise
from whatworks.initiatives.models import (
    EAST,
    MINDSPACE,
    Collaboration,
    Initiative,
    Mechanism,
    SustainabilityCheck,
    owner_label,
)
from whatworks.initiatives.outcomes import outcomes_seen
from whatworks.initiatives.panels import panels_for
from whatworks.initiatives.signals import NAMESPACE
from whatworks.measures.models import Metric
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.organisations.models import Organisation
from whatworks.organisations.rules import reader_key
from whatworks.organisations.selectors import access_organisation

CHANGE = "initiatives.change_initiative"


def _my_organisations(user: Any) -> list[Organisation]:
    return list(Organisation.objects.active().filter(pk__in=member_organisation_ids(user)))


def _choose_organisation(request: HttpRequest, exclude: int | None = None) -> Organisation:
    """The organisation a new record belongs to: ?organisation=<slug>, or the first of mine."""
    mine = [o for o in _my_organisations(request.user) if o.pk != exclude]
    slug = request.GET.get("organisation") or request.POST.get("organisation")
    if slug:
        chosen = next((o for o in mine if o.slug == slug), None)
        if chosen is None:
            raise PermissionDenied
        return chosen
    if not mine:
        raise PermissionDenied
    return mine[0]


def _detail_context(request: HttpRequest, initiative: Initiative) -> dict[str, Any]:
    pk = initiative.pk
    selectors.with_page_parts(initiative)
    can_change = request.user.has_perm(CHANGE, initiative)
    ledger = summarise(initiative.ledger.all())
    mine = _my_organisations(request.user)
    people = initiative.people_reached
    goals = list(initiative.goals.all())
    for goal in goals:
        goal.initiative = initiative  # the progress reads its start without a query
        goal.progress = (  # type: ignore[attr-defined]
            selectors.goal_progress(goal) if goal.metric_id and not goal.results.all() else None
        )
    return {
        "initiative": initiative,
        "owner": owner_label(initiative, request.user),
        "show_owner_link": owner_label(initiative, request.user) == initiative.organisation.name,
        "goals": goals,
        "ledger": ledger,
        "ledger_views": [
            (
                "Realised (booked) figures only",
                ledger.realised,
                ledger.realised.cost_per_person(people),
            ),
            (
                "Including estimates",
                ledger.with_estimates,
                ledger.with_estimates.cost_per_person(people),
            ),
        ]
        if ledger.has_estimates
        else [
            ("Realised (booked) figures", ledger.realised, ledger.realised.cost_per_person(people)),
        ],
        "ledger_lines": list(initiative.ledger.all()),
        "collaborations": [Collaboration(v).label for v in selectors.collaborations(initiative)],
        "mechanisms": [Mechanism(v).label for v in selectors.mechanisms(initiative)],
        "replications": selectors.replications_visible_to(request.user, initiative),
        "panels": panels_for(initiative, request.user),
        "can_change": can_change,
        "can_replicate": request.user.has_perm("initiatives.replicate_initiative")
        and not can_change,
        "decision_url": (
            reverse("decision-new", kwargs={"slug": mine[0].slug}) + f"?informed_by={pk}"
            if mine
            else None
        ),
    }


def _render_body(request: HttpRequest, initiative: Initiative) -> tuple[str, str]:
    context = _detail_context(request, initiative)
    body = render_to_string("initiatives/_detail_body.html", context, request=request)
    return context["initiative"].title, body


def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.access_initiative(request.user, pk)
    if request.user.has_perm(CHANGE, initiative):
        # Its own people see forms (with this session's CSRF token): never shared.
        title, body = _render_body(request, initiative)
    else:
        # Everyone else sees what their organisations and roles let them see, the same for
        # every reader with the same memberships: cached until anything in the register
        # changes (writes bump the version) or the day turns (overdue, embargo).
        title, body = cached(
            NAMESPACE,
            ("page", pk, reader_key(request.user), timezone.localdate()),
            lambda: _render_body(request, initiative),
        )
    actions = "".join(
        render_to_string(panel.template, {"initiative": initiative, "panel": panel}, request)
        for panel in panels.actions.panels(initiative, request.user)
    )
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": {"title": title},
            # Our own rendered templates; the reader's actions fill the place kept for them.
            "body": mark_safe(body.replace(panels.ACTIONS_MARKER, actions, 1)),  # noqa: S308
        },
    )


def _tag_initial(initiative: Any) -> dict[str, list[str]]:
    return {
        "collaborations": selectors.collaborations(initiative),
        "mechanisms": selectors.mechanisms(initiative),
    }


@login_required
def initiative_new(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.has_perm("initiatives.add_initiative"):
        raise PermissionDenied
    organisation = _choose_organisation(request)
    form = InitiativeForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.initiative_create(
            organisation=organisation, actor=request.user, **data
        ),
        then=lambda initiative: initiative,
        success="The initiative is registered. Now add its goals.",
    ):
        return done
    return render(
        request,
        "initiatives/form.html",
        {
            "form": form,
            "organisation": organisation,
            "mine": _my_organisations(request.user),
            "east": EAST,
            "mindspace": MINDSPACE,
        },
    )


@login_required
def initiative_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    form = InitiativeForm(
        request.POST or None, instance=initiative, initial=_tag_initial(initiative)
    )
    if done := submit(
        request,
        form,
        lambda data: services.initiative_update(initiative=initiative, actor=request.user, **data),
        then=initiative,
        success="The initiative has been updated.",
    ):
        return done
    return render(
        request,
        "initiatives/form.html",
        {"form": form, "initiative": initiative, "organisation": initiative.organisation},
    )


@login_required
def goal_edit(request: AuthenticatedRequest, pk: int, goal_id: int | None = None) -> HttpResponse:
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    goal = get_object_or_404(initiative.goals, pk=goal_id) if goal_id else None
    locked = goal is not None and goal.locked_at is not None
    form = GoalForm(
        request.POST or None,
        instance=goal,
        locked=locked,
        metrics=Metric.objects.visible_to(request.user).order_by("name"),
    )

    def save(data: dict[str, Any]) -> Any:
        if goal is None:
            return services.goal_add(
                initiative=initiative,
                actor=request.user,
                is_primary=data["is_primary"],
                **form.goal_fields(),
            )
        return services.goal_update(
            goal=goal, actor=request.user, reason=data.get("reason", ""), **form.goal_fields()
        )

    if done := submit(
        request,
        form,
        save,
        then=initiative,
        success="The goal has been amended." if locked else "The goal is saved.",
    ):
        return done
    return render(
        request,
        "initiatives/goal_form.html",
        {
            "form": form,
            "initiative": initiative,
            "goal": goal,
            "locked": locked,
            "post_hoc": goal is not None and outcomes_seen(goal),
        },
    )


def _remove_part(
    request: AuthenticatedRequest,
    pk: int,
    related_name: str,
    part_id: int,
    remove: Callable[[Any], None],
    done: str,
) -> HttpResponse:
    """Remove one part of a record (a goal, a ledger line, a partner) through its service."""
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    part = get_object_or_404(getattr(initiative, related_name), pk=part_id)
    return act(request, lambda: remove(part), then=initiative, success=done)


@login_required
@require_POST
def goal_remove(request: AuthenticatedRequest, pk: int, goal_id: int) -> HttpResponse:
    return _remove_part(
        request,
        pk,
        "goals",
        goal_id,
        lambda goal: services.goal_remove(goal=goal, actor=request.user),
        "The goal has been removed.",
    )


@login_required
def goal_result(request: AuthenticatedRequest, pk: int, goal_id: int) -> HttpResponse:
    """Record another result for a goal; the results already there stay."""
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    goal = get_object_or_404(initiative.goals, pk=goal_id)
    form = ResultForm(request.POST or None)

    def recorded(result: Any) -> str:
        primary = (
            " It is the goal's primary result."
            if result.is_primary
            else (
                " The primary result is unchanged; you can make this one primary from the "
                "goal's results."
            )
        )
        return f"Result recorded. Verdict: {result.get_verdict_display().lower()}.{primary}"

    if done := submit(
        request,
        form,
        lambda data: services.result_record(goal=goal, actor=request.user, **data),
        then=initiative,
        success=recorded,
    ):
        return done
    return render(
        request,
        "initiatives/result_form.html",
        {
            "form": form,
            "initiative": initiative,
            "goal": goal,
            "primary": goal.primary_result(),
        },
    )


@login_required
def result_primary(
    request: AuthenticatedRequest, pk: int, goal_id: int, result_id: int
) -> HttpResponse:
    """Make another result the goal's primary one: shows both verdicts, asks for a reason and
    a confirmation, and records the change."""
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    goal = get_object_or_404(initiative.goals, pk=goal_id)
    result = get_object_or_404(goal.results, pk=result_id)
    current = goal.primary_result()
    if result.is_primary:
        messages.info(request, "That result is already the primary one.")
        return redirect("initiative-detail", pk=pk)
    form = PrimaryResultForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.result_make_primary(
            result=result, actor=request.user, reason=data["reason"], confirmed=data["confirm"]
        ),
        then=initiative,
        success="The primary result is replaced. The one before stays in the goal's history.",
    ):
        return done
    return render(
        request,
        "initiatives/result_primary.html",
        {
            "form": form,
            "initiative": initiative,
            "goal": goal,
            "result": result,
            "current": current,
        },
    )


@login_required
def ledger_line_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    form = LedgerLineForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.ledger_line_add(initiative=initiative, actor=request.user, **data),
        then=initiative,
        success="The line has been added to the ledger.",
    ):
        return done
    return render(request, "initiatives/ledger_form.html", {"form": form, "initiative": initiative})


@login_required
@require_POST
def ledger_line_remove(request: AuthenticatedRequest, pk: int, line_id: int) -> HttpResponse:
    return _remove_part(
        request,
        pk,
        "ledger",
        line_id,
        lambda line: services.ledger_line_remove(line=line, actor=request.user),
        "The line has been removed.",
    )


@login_required
def partner_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    form = PartnerForm(request.POST or None, owner=initiative.organisation)
    if done := submit(
        request,
        form,
        lambda data: services.partner_add(initiative=initiative, actor=request.user, **data),
        then=initiative,
        success="The partner has been added.",
    ):
        return done
    return render(
        request, "initiatives/partner_form.html", {"form": form, "initiative": initiative}
    )


@login_required
@require_POST
def partner_remove(request: AuthenticatedRequest, pk: int, partner_id: int) -> HttpResponse:
    return _remove_part(
        request,
        pk,
        "partners",
        partner_id,
        lambda partner: services.partner_remove(partner=partner, actor=request.user),
        "The partner has been removed.",
    )


@login_required
def initiative_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    form = StatusForm(
        request.POST or None,
        current=initiative.status,
        can_withdraw=request.user.has_perm("initiatives.withdraw_initiative", initiative),
    )
    if done := submit(
        request,
        form,
        lambda data: services.initiative_change_status(
            initiative=initiative, actor=request.user, **data
        ),
        then=initiative,
        success="The status has been changed.",
    ):
        return done
    return render(request, "initiatives/status_form.html", {"form": form, "initiative": initiative})


@login_required
def initiative_lessons(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    form = LessonsForm(request.POST or None, instance=initiative)
    if done := submit(
        request,
        form,
        lambda data: services.failure_record(
            initiative=initiative,
            actor=request.user,
            cause=data["failure_cause"],
            lessons=data["lessons"],
            do_differently=data["do_differently"],
        ),
        then=initiative,
        success="Thank you: the lessons are on the record.",
    ):
        return done
    return render(
        request, "initiatives/lessons_form.html", {"form": form, "initiative": initiative}
    )


@login_required
def initiative_replicate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    original = selectors.access_initiative(request.user, pk, "initiatives.replicate_initiative")
    organisation = _choose_organisation(request, exclude=original.organisation_id)
    if request.method == "POST":
        return act(
            request,
            lambda: services.initiative_replicate(
                original=original, organisation=organisation, actor=request.user
            ),
            then=lambda copy: copy,
            success=f"A planned copy is now in {organisation.name}'s register. Measure your own "
            "baseline before you start.",
            refused=original,
        )
    return render(
        request,
        "initiatives/replicate.html",
        {
            "initiative": original,
            "owner": owner_label(original, request.user),
            "organisation": organisation,
            "mine": [
                o for o in _my_organisations(request.user) if o.pk != original.organisation_id
            ],
        },
    )


@login_required
def sustainability_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(SustainabilityCheck.objects.select_related("initiative"), pk=pk)
    initiative = selectors.access_initiative(request.user, check.initiative_id, CHANGE)
    form = SustainabilityForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.sustainability_answer(
            check=check,
            actor=request.user,
            still_running=data["still_running"] == "yes",
            savings_persist=data["savings_persist"] == "yes",
            note=data["note"],
        ),
        then=initiative,
        success="Thank you: your answer is on the record.",
    ):
        return done
    return render(
        request,
        "initiatives/sustainability_form.html",
        {"form": form, "initiative": initiative, "check": check},
    )


@login_required
def decision_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = access_organisation(request.user, slug, "organisations.view_members")
    decisions = organisation.decisions.select_related("decided_by").prefetch_related("informed_by")
    visible = set(
        selectors.initiatives_visible_to(request.user)
        .filter(decisions__organisation=organisation)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "initiatives/decision_list.html",
        {"organisation": organisation, "decisions": decisions, "visible_ids": visible},
    )


@login_required
def decision_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = access_organisation(request.user, slug, "organisations.view_members")
    if not request.user.has_perm("initiatives.record_decision"):
        raise PermissionDenied
    wanted = [int(i) for i in request.GET.getlist("informed_by") if i.isdigit()][:20]
    candidates = selectors.initiatives_visible_to(request.user).filter(
        pk__in=wanted + [int(i) for i in request.POST.getlist("informed_by") if i.isdigit()][:20]
    )
    form = DecisionForm(
        request.POST or None, candidates=candidates, initial={"informed_by": wanted}
    )
    if done := submit(
        request,
        form,
        lambda data: services.decision_record(
            organisation=organisation, actor=request.user, **data
        ),
        then=reverse("decision-list", kwargs={"slug": slug}),
        success="The decision is recorded.",
    ):
        return done
    return render(
        request, "initiatives/decision_form.html", {"form": form, "organisation": organisation}
    )
