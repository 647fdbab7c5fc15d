"""Signposting pages: the coordinator's list of events and services, and recording what a
person was told about (services in signposting.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from whatworks.checkins import selectors, signposting, twofactor
from whatworks.checkins.forms_manage import SignpostForm, SignpostingForm
from whatworks.checkins.models import Signpost
from whatworks.core.forms import act, submit
from whatworks.organisations.http import AuthenticatedRequest


@twofactor.two_factor_required
def signposts(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = SignpostForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: signposting.signpost_add(scheme=scheme, actor=request.user, **data),
        then=reverse("checkins-signposts", kwargs={"pk": scheme.pk}),
        success="It is on the list: it can be recorded on people's records.",
    ):
        return done
    return render(
        request,
        "checkins/signposts.html",
        {"scheme": scheme, "form": form, "signposts": scheme.signposts.all()},
    )


@require_POST
@twofactor.two_factor_required
def signpost_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    signpost = get_object_or_404(Signpost, pk=pk)
    scheme = selectors.access_scheme(request.user, signpost.scheme_id)
    active = not signpost.active
    return act(
        request,
        lambda: signposting.signpost_set_active(
            signpost=signpost, active=active, actor=request.user
        ),
        then=reverse("checkins-signposts", kwargs={"pk": scheme.pk}),
        success=f"{signpost.name} is "
        + ("back on the list." if active else "off the list. People told about it keep that."),
    )


@twofactor.two_factor_required
def signposting_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resident = selectors.access_resident(request.user, pk, "checkins.change_resident")
    form = SignpostingForm(request.POST or None, scheme=resident.scheme)
    if done := submit(
        request,
        form,
        lambda data: signposting.signposting_record(resident=resident, actor=request.user, **data),
        then=resident,
        success="What they were told about is recorded.",
    ):
        return done
    return render(
        request,
        "checkins/signposting_new.html",
        {"resident": resident, "scheme": resident.scheme, "form": form},
    )
