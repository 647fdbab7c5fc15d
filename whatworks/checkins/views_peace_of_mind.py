"""Peace-of-mind survey pages: the coordinator starts or stops the surveys and sees the
answers added up; a nominated contact answers through the link in their message (public:
contacts have no account here, and the link is the only key). Services in peace_of_mind.py.
"""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from whatworks.checkins import peace_of_mind, selectors, twofactor
from whatworks.checkins.forms_manage import PeaceOfMindForm
from whatworks.checkins.validation import display_phone
from whatworks.checkins.views_referral import NO_NAVIGATION, public_page
from whatworks.core.forms import act, submit
from whatworks.organisations.http import AuthenticatedRequest

SUMMARY_MONTHS = 6
STARTED = "The surveys are started. Contacts get their first one at the next 10am sending."
# How often contacts are asked and how long a link works, for the pages that say so.
TIMINGS = {
    "every_weeks": peace_of_mind.EVERY.days // 7,
    "within_weeks": peace_of_mind.ANSWER_WITHIN.days // 7,
}


@twofactor.two_factor_required
def surveys(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    if request.method == "POST":
        on = scheme.surveys_started_at is None
        return act(
            request,
            lambda: peace_of_mind.surveys_set(scheme=scheme, on=on, actor=request.user),
            then=reverse("checkins-surveys", kwargs={"pk": scheme.pk}),
            success=STARTED if on else "The surveys are stopped. Answers already given are kept.",
        )
    since = timezone.localdate() - relativedelta(months=SUMMARY_MONTHS)
    return render(
        request,
        "checkins/surveys.html",
        {
            "scheme": scheme,
            "summary": peace_of_mind.summary(scheme, since),
            "months": SUMMARY_MONTHS,
            **TIMINGS,
        },
    )


def _gone(request: HttpRequest) -> HttpResponse:
    context = {**NO_NAVIGATION, **TIMINGS, "service_url": request.path}
    return render(request, "checkins/survey_gone.html", context, status=404)


def _show(
    request: HttpRequest, template: str, survey: Any, token: str, **context: Any
) -> HttpResponse:
    """A page of the contact's survey under the scheme's name, which links back to the
    question (never to the scheme's referral link)."""
    phone = display_phone(survey.scheme.coordinator_phone)
    context = {"token": token, "phone": phone, **TIMINGS, **context}
    home = reverse("checkins-survey", kwargs={"token": token})
    return public_page(request, template, survey.scheme, context, home=home)


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The contact's one question. An unknown, expired or answered link says so plainly."""
    found = peace_of_mind.survey_for(token)
    if found is None:
        return _gone(request)
    if found.answered_on is not None:
        return _show(request, "checkins/survey_done.html", found, token)
    form = PeaceOfMindForm(request.POST if request.method == "POST" else None)
    if done := submit(
        request,
        form,
        lambda data: peace_of_mind.survey_answer(survey=found, answer=data["answer"]),
        then=reverse("checkins-survey", kwargs={"token": token}),
    ):
        return done
    return _show(request, "checkins/survey.html", found, token, form=form)


@never_cache
def survey_stop(request: HttpRequest, token: str) -> HttpResponse:
    """No more surveys for this contact: a button, so a link preview cannot press it."""
    found = peace_of_mind.survey_for(token)
    if found is None:
        return _gone(request)
    if request.method == "POST":
        peace_of_mind.surveys_refuse(survey=found)
        return _show(request, "checkins/survey_stopped.html", found, token)
    return _show(request, "checkins/survey_stop.html", found, token)
