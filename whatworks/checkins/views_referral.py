"""The referral question pages: one topic a page, a check-answers page, then a confirmation.

Why public: the people who refer (GPs, nurses, carers, social workers, families, the person
themselves) mostly have no account here and should not need one. So each scheme has an
unguessable referral link it hands to its referrers (and can change if it leaks); the pages
behind it are open, rate-limited per address, and reveal nothing back: a referral lands as
"waiting" for the coordinator, and duplicates are flagged to the coordinator only. The draft
lives in the referrer's session until they confirm; the pages are never cached ("no-store").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.cache import never_cache

from whatworks.checkins import services
from whatworks.checkins.forms import ConsentForm, ContactForm, HealthForm, PersonForm, ReferrerForm
from whatworks.checkins.models import ConsentMethod, QuestionModule, Referral, Scheme
from whatworks.core import ratelimit
from whatworks.core.forms import submit
from whatworks.core.network import client_address

STEPS: list[tuple[str, str, type[forms.Form]]] = [
    ("referrer", "About you and the referral", ReferrerForm),
    ("person", "The person to be visited", PersonForm),
    ("consent", "Their consent", ConsentForm),
    ("contact", "Their nominated contact", ContactForm),
    ("health", "Their GP, reminders and appointments", HealthForm),
]
STEP_NAMES = [name for name, _, _ in STEPS]
# Per client address: enough for a practice sending several referrals, too few for a flood.
POSTS_PER_HOUR = 120
REFERRALS_PER_HOUR = 10
POST_LIMIT = ratelimit.Limit("checkins-referral-pages", count=POSTS_PER_HOUR, seconds=3600)
REFERRAL_LIMIT = ratelimit.Limit("checkins-referrals", count=REFERRALS_PER_HOUR, seconds=3600)


def _scheme(token: str) -> Scheme:
    scheme = Scheme.objects.filter(referral_token=token).select_related("organisation").first()
    if scheme is None:
        raise Http404("No such referral link")
    return scheme


def _draft(request: HttpRequest, scheme: Scheme) -> dict[str, dict[str, Any]]:
    drafts: dict[str, dict[str, dict[str, Any]]] = request.session.setdefault(
        "checkins_referrals", {}
    )
    return drafts.setdefault(str(scheme.pk), {})


def _typed(request: HttpRequest) -> dict[str, list[str]]:
    """What was typed on a page, as the draft keeps it (every value of every box, so a date's
    three boxes come back as typed): the check page validates it again."""
    return {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}


def _as_posted(typed: dict[str, Any]) -> MultiValueDict:
    """A page's draft as the form reads a POST (a draft from before kept one value a field)."""
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in typed.items()})


def _save_draft(request: HttpRequest, scheme: Scheme, step: str, data: dict[str, Any]) -> None:
    _draft(request, scheme)[step] = data
    request.session.modified = True


# Public pages carry no site navigation, search or account links.
NO_NAVIGATION: dict[str, Any] = {"service_nav": [], "account_nav": [], "search_url": ""}


def public_page(
    request: HttpRequest,
    template: str,
    scheme: Scheme,
    context: dict[str, Any],
    status: int = 200,
    home: str | None = None,
) -> HttpResponse:
    """A public page of the scheme (a referral, a contact's survey): minimal chrome under the
    scheme's own name (a GP receptionist or a relative has no use for the site's
    navigation), no sign-in links. `home` is where the name links: the referral's start
    page unless given."""
    chrome = {
        **NO_NAVIGATION,
        "service_name": scheme.name,
        "service_url": home
        or reverse("checkins-refer-start", kwargs={"token": scheme.referral_token}),
    }
    return render(request, template, {**chrome, "scheme": scheme, **context}, status=status)


def _too_many(request: HttpRequest, scheme: Scheme) -> HttpResponse:
    return public_page(request, "checkins/refer_too_many.html", scheme, {}, status=429)


def _form(step: str, scheme: Scheme, data: Any = None) -> forms.Form:
    form_class = dict((name, cls) for name, _, cls in STEPS)[step]
    if form_class is HealthForm:
        return HealthForm(data, scheme=scheme)
    if form_class is PersonForm:
        return PersonForm(data, scheme=scheme)
    return form_class(data)


@never_cache
def refer_start(request: HttpRequest, token: str) -> HttpResponse:
    scheme = _scheme(token)
    return public_page(request, "checkins/refer_start.html", scheme, {"token": token})


@never_cache
def refer_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    scheme = _scheme(token)
    if step not in STEP_NAMES:
        raise Http404("No such question page")
    draft = _draft(request, scheme)
    index = STEP_NAMES.index(step)
    if request.method == "POST" and ratelimit.hit(POST_LIMIT, client_address(request)):
        return _too_many(request, scheme)
    if request.method == "POST":
        data: Any = request.POST
    else:  # coming back to a page: what was typed, as it was typed
        data = _as_posted(draft[step]) if step in draft else None
    form = _form(step, scheme, data)
    following = (
        reverse("checkins-refer-check", kwargs={"token": token})
        if request.GET.get("change") or index == len(STEPS) - 1
        else reverse("checkins-refer-step", kwargs={"token": token, "step": STEP_NAMES[index + 1]})
    )
    if done := submit(
        request,
        form,
        lambda data: _save_draft(request, scheme, step, _typed(request)),
        then=following,
    ):
        return done
    if not form.is_bound and step == "consent":
        form.initial = {"consent_method": ConsentMethod.VERBAL}
    back = (
        reverse("checkins-refer-step", kwargs={"token": token, "step": STEP_NAMES[index - 1]})
        if index
        else reverse("checkins-refer-start", kwargs={"token": token})
    )
    return public_page(
        request,
        "checkins/refer_step.html",
        scheme,
        {
            "form": form,
            "title": STEPS[index][1],
            "back": back,
            "step_number": index + 1,
            "step_count": len(STEPS),
        },
    )


def _answers(scheme: Scheme, draft: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """Every step's answers, re-validated; or the first step still to answer."""
    cleaned: dict[str, Any] = {}
    for step in STEP_NAMES:
        if step not in draft:
            return None, step
        form = _form(step, scheme, _as_posted(draft[step]))
        if not form.is_valid():
            return None, step
        cleaned[step] = form.cleaned_data
    return cleaned, None


def _referral(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The checked answers of every page, as the service takes a referral."""
    referrer, person, consent, contact, health = (cleaned[s] for s in STEP_NAMES)
    return {
        **referrer,
        **person,
        **consent,
        "gp_practice_ods": health["gp_practice_ods"],
        "gp_practice_name": health["gp_practice_name"],
        "gp_practice_email": health["gp_practice_email"],
        "health_notes": health["health_notes"],
        "module_ids": [int(m) for m in health["modules"]],
        "appointments": [{"on": health["appointment_on"], "what": health["appointment_what"]}]
        if health["appointment_on"]
        else [],
        "contacts": [
            {
                "name": contact["contact_name"],
                "relationship": contact["contact_relationship"],
                "phone": contact["contact_phone"],
                "email": contact["contact_email"],
                "lives_locally": contact["contact_lives_locally"],
            }
        ],
    }


def _send(request: HttpRequest, scheme: Scheme, cleaned: dict[str, Any]) -> None:
    """Send the checked referral, then forget the draft."""
    services.referral_submit(scheme=scheme, data=_referral(cleaned))
    request.session.get("checkins_referrals", {}).pop(str(scheme.pk), None)
    request.session.modified = True


@never_cache
def refer_check(request: HttpRequest, token: str) -> HttpResponse:
    scheme = _scheme(token)
    draft = _draft(request, scheme)
    cleaned, missing = _answers(scheme, draft)
    if cleaned is None:
        return redirect("checkins-refer-step", token=token, step=missing)
    if request.method == "POST" and ratelimit.hit(REFERRAL_LIMIT, client_address(request)):
        return _too_many(request, scheme)
    # One button and nothing to fill in: a refusal is shown on this page, above the answers.
    form = forms.Form(request.POST if request.method == "POST" else None)
    if done := submit(
        request,
        form,
        lambda data: _send(request, scheme, cleaned),
        then=reverse("checkins-refer-done", kwargs={"token": token}),
    ):
        return done
    modules = dict(QuestionModule.objects.filter(scheme=scheme).values_list("pk", "name"))
    return public_page(
        request,
        "checkins/refer_check.html",
        scheme,
        {
            "token": token,
            "a": cleaned,
            "error": next(iter(form.non_field_errors()), ""),
            "module_names": [modules.get(int(m), "") for m in cleaned["health"]["modules"]],
            "kind_label": Referral.Kind(cleaned["referrer"]["referrer_kind"]).label,
            "method_label": ConsentMethod(cleaned["consent"]["consent_method"]).label,
        },
    )


@never_cache
def refer_done(request: HttpRequest, token: str) -> HttpResponse:
    scheme = _scheme(token)
    return public_page(request, "checkins/refer_done.html", scheme, {"token": token})
