"""The evidence loop's pages: confirming a computed result, and what results are due."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from whatworks.core.cache import cached
from whatworks.core.forms import submit
from whatworks.core.paging import page_number
from whatworks.initiatives import due, selectors, services
from whatworks.initiatives.forms import ConfirmDraftForm
from whatworks.initiatives.models import DraftState
from whatworks.initiatives.signals import NAMESPACE
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.organisations.models import Organisation
from whatworks.organisations.rules import reader_key

CHANGE = "initiatives.change_initiative"


@login_required
def draft_confirm(
    request: AuthenticatedRequest, pk: int, goal_id: int, draft_id: int
) -> HttpResponse:
    """The owner checks a result computed from the goal's metric and confirms it with a note."""
    initiative = selectors.access_initiative(request.user, pk, CHANGE)
    goal = get_object_or_404(initiative.goals, pk=goal_id)
    draft = get_object_or_404(goal.drafts, pk=draft_id, state=DraftState.AWAITING)
    form = ConfirmDraftForm(request.POST or None, initial={"publish": goal.is_primary})
    if done := submit(
        request,
        form,
        lambda data: services.draft_confirm(
            draft=draft, actor=request.user, note=data["note"], publish=data["publish"]
        ),
        then=initiative,
        success=lambda result: (
            f"The computed result is confirmed. Verdict: {result.get_verdict_display().lower()}."
        ),
    ):
        return done
    return render(
        request,
        "initiatives/draft_confirm.html",
        {"form": form, "initiative": initiative, "goal": goal, "draft": draft},
    )


ORGANISATIONS_PER_PAGE = 100  # the page for the whole register: every council is many pages


def results_due(request: HttpRequest) -> HttpResponse:
    """The whole register: each organisation's overdue evidence and its file-drawer rate.

    The same for every reader with the same memberships: cached until anything in the register
    changes (writes bump its version) or the day turns (what is overdue)."""
    today = timezone.localdate()
    number = page_number(request.GET.get("page"))

    def body_html() -> str:
        summary = due.register_summary(request.user, today)
        page = Paginator(summary.rows, ORGANISATIONS_PER_PAGE).get_page(number)
        return render_to_string(
            "initiatives/_results_due_body.html",
            {"summary": summary, "page": page},
            request=request,  # the page links keep the query string
        )

    body = cached(NAMESPACE, ("results-due", reader_key(request.user), today, number), body_html)
    return render(
        request,
        "initiatives/results_due.html",
        {"body": mark_safe(body)},  # noqa: S308  (our own template, rendered above)
    )


def results_due_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation's overdue evidence, item by item (what the reader may see)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    return render(
        request,
        "initiatives/results_due_organisation.html",
        {"organisation": organisation, "due": due.organisation_due(request.user, organisation)},
    )
