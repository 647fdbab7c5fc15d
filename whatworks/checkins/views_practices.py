"""GP practices' email addresses, as the coordinator verified them with each practice.

A referrer types a GP email on the public form; nothing is ever sent to it. A concern is
emailed only to an address on this list, and names no one (see escalations.py).
"""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from whatworks.checkins import selectors, services, twofactor
from whatworks.checkins.forms_manage import PracticeForm
from whatworks.checkins.models import PracticeAddress, Resident, ResidentStatus
from whatworks.core.forms import act, submit
from whatworks.organisations.http import AuthenticatedRequest


@twofactor.two_factor_required
def practices(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = PracticeForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.practice_address_save(scheme=scheme, actor=request.user, **data),
        then=reverse("checkins-practices", kwargs={"pk": scheme.pk}),
        success="The practice's address is recorded as verified.",
    ):
        return done
    verified = list(PracticeAddress.objects.filter(scheme=scheme).select_related("verified_by"))
    known = {p.ods_code for p in verified}
    # Practices people on the scheme are registered with, counted: no one is named here.
    missing = [
        row
        for row in Resident.objects.filter(scheme=scheme)
        .exclude(status=ResidentStatus.ERASED)
        .exclude(gp_practice_ods="")
        .values("gp_practice_ods")
        .annotate(people=Count("id"))
        .order_by("gp_practice_ods")
        if row["gp_practice_ods"] not in known
    ]
    return render(
        request,
        "checkins/practices.html",
        {"scheme": scheme, "form": form, "verified": verified, "missing": missing},
    )


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
