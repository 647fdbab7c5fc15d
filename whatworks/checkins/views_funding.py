"""Funding pages: each payer's rate and this month's costs per payer, and who pays for one
person's visits (services in funding.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import funding, selectors, twofactor
from whatworks.checkins.forms_manage import PayerForm, RatesForm
from whatworks.core.forms import submit
from whatworks.organisations.http import AuthenticatedRequest


@twofactor.two_factor_required
def funding_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = RatesForm(request.POST or None, scheme=scheme)
    if done := submit(
        request,
        form,
        lambda data: funding.rates_save(scheme=scheme, actor=request.user, **data),
        then=reverse("checkins-funding", kwargs={"pk": scheme.pk}),
        success="The rates are saved.",
    ):
        return done
    month = timezone.localdate().replace(day=1)
    rows = funding.costs(scheme, month)
    return render(
        request,
        "checkins/funding.html",
        {
            "scheme": scheme,
            "form": form,
            "month": month,
            "rows": rows,
            "total_visits": sum(r.visits for r in rows),
            "total_cost": sum(r.cost for r in rows),
        },
    )


@twofactor.two_factor_required
def resident_payer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    posted = request.POST if request.method == "POST" else None  # empty: show the error
    form = PayerForm(posted, initial={"payer": resident.payer or None})
    if done := submit(
        request,
        form,
        lambda data: funding.payer_set(resident=resident, actor=request.user, **data),
        then=resident,
        success="Who pays is recorded: visits from now on are costed to them.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": resident.scheme,
            "back_url": resident.get_absolute_url(),
            "title": f"Who pays for visits to {resident.full_name}?",
            "button": "Save",
            "inset": "Visits already made stay with whoever paid for them then.",
        },
    )
