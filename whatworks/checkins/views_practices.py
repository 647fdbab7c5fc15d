"""GP practices' email addresses, as the coordinator verified them with each practice.

A referrer types a GP email on the public form; nothing is ever sent to it. A concern is
emailed only to an address on this list, and names no one (see escalations.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from whatworks.checkins import selectors, services, twofactor
from whatworks.checkins.forms_manage import PracticeForm, PracticeNamingForm
from whatworks.checkins.models import PracticeAddress, PracticeNaming, Resident, ResidentStatus
from whatworks.core.forms import act, submit
from whatworks.organisations.http import AuthenticatedRequest


def _page(request: AuthenticatedRequest, scheme: Any, form: Any, naming: Any) -> HttpResponse:
    own = scheme.gp_practices == PracticeNaming.OWN
    key = "gp_practice_name" if own else "gp_practice_ods"
    # The entries that count under the scheme's way of naming practices.
    entries = PracticeAddress.objects.filter(scheme=scheme).select_related("verified_by")
    verified = list(entries.filter(ods_code="") if own else entries.exclude(ods_code=""))
    known = {p.name if own else p.ods_code for p in verified}
    # Practices people on the scheme are registered with, counted: no one is named here.
    missing = [
        {"practice": row[key], "people": row["people"]}
        for row in Resident.objects.filter(scheme=scheme)
        .exclude(status=ResidentStatus.ERASED)
        .exclude(**{key: ""})
        .values(key)
        .annotate(people=Count("id"))
        .order_by(key)
        if row[key] not in known
    ]
    return render(
        request,
        "checkins/practices.html",
        {
            "scheme": scheme,
            "form": form,
            "naming": naming,
            "own_list": own,
            "verified": verified,
            "missing": missing,
        },
    )


def _url(scheme: Any) -> str:
    return reverse("checkins-practices", kwargs={"pk": scheme.pk})


@twofactor.two_factor_required
def practices(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = PracticeForm(request.POST or None, scheme=scheme)
    if done := submit(
        request,
        form,
        lambda data: services.practice_address_save(scheme=scheme, actor=request.user, **data),
        then=_url(scheme),
        success="The practice's address is recorded as verified.",
    ):
        return done
    naming = PracticeNamingForm(initial={"gp_practices": scheme.gp_practices})
    return _page(request, scheme, form, naming)


@require_POST
@twofactor.two_factor_required
def practice_naming(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    naming = PracticeNamingForm(request.POST)
    if done := submit(
        request,
        naming,
        lambda data: services.practice_naming_set(
            scheme=scheme, naming=data["gp_practices"], actor=request.user
        ),
        then=_url(scheme),
        success="Saved: the referral asks for the GP practice that way from now on.",
    ):
        return done
    return _page(request, scheme, PracticeForm(scheme=scheme), naming)


@require_POST
@twofactor.two_factor_required
def practice_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    practice = get_object_or_404(PracticeAddress, pk=pk)
    scheme = selectors.access_scheme(request.user, practice.scheme_id)
    return act(
        request,
        lambda: services.practice_address_remove(practice=practice, actor=request.user),
        then=reverse("checkins-practices", kwargs={"pk": scheme.pk}),
        success=f"{practice.name} is removed: concerns will not be emailed there.",
    )
