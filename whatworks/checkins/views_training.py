"""The scheme's training page: the modules workers must have done, each worker's standing,
and recording a completed module (services in training.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import selectors, training, twofactor
from whatworks.checkins.forms_manage import TrainingModuleForm, TrainingRecordForm
from whatworks.core.forms import submit
from whatworks.organisations.http import AuthenticatedRequest


@twofactor.two_factor_required
def training_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    here = reverse("checkins-training", kwargs={"pk": scheme.pk})
    # Two forms on one page: the button pressed says which.
    adding = request.method == "POST" and "add_module" in request.POST
    module_form = TrainingModuleForm(request.POST if adding else None)
    record_form = TrainingRecordForm(
        request.POST if request.method == "POST" and not adding else None, scheme=scheme
    )
    if adding:
        done = submit(
            request,
            module_form,
            lambda data: training.module_add(scheme=scheme, actor=request.user, **data),
            then=here,
            success="The training is on the list: workers need a current record of it.",
        )
    else:
        done = submit(
            request,
            record_form,
            lambda data: training.training_record(
                module=data["module"],
                user=data["worker_email"],
                completed_on=data["completed_on"],
                actor=request.user,
            ),
            then=here,
            success="The training is recorded.",
        )
    if done:
        return done
    return render(
        request,
        "checkins/training.html",
        {
            "scheme": scheme,
            "modules": scheme.training_modules.all(),
            "standings": training.standings(scheme, timezone.localdate()),
            "module_form": module_form,
            "record_form": record_form,
        },
    )
