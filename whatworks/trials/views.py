"""Trial pages: design, power, allocation, analysis plan, outcomes, results, verdict.

Thin views: an access helper fetches and checks, a form validates, a service writes.
The allocation list names units (which can identify residents): every view and export of it
is written to the audit log as personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from whatworks.core import audit
from whatworks.core.forms import ShowErrors, act, add_service_errors, submit
from whatworks.core.models import Job
from whatworks.initiatives.selectors import access_initiative
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.stats import StatsRefusal
from whatworks.trials import charts, exports, power, quasi, selectors, services
from whatworks.trials import jobs as trial_jobs
from whatworks.trials.forms import (
    AllocateForm,
    PowerForm,
    SeriesForm,
    StopForm,
    TrialForm,
    UploadForm,
)
from whatworks.trials.imports import UploadRejected, columns_for
from whatworks.trials.models import (
    DESIGN_FIELDS,
    PLAN_FIELDS,
    PendingUpload,
    TrialStatus,
    UploadKind,
)

CHANGE = "trials.change_trial"
VIEW_ALLOCATION = "trials.view_allocation"
ALLOCATION_PAGE = 100


def _file(data: dict[str, Any]) -> dict[str, Any]:
    """The uploaded file's bytes and name, as the services that read uploads take them."""
    upload = data["file"]
    return {"raw": upload.read(), "filename": upload.name or ""}


def _rejected(row_errors: list[Any]) -> ShowErrors:
    """Show a refused upload: its summary on the file field, its rows in ``row_errors``."""

    def show(form: forms.BaseForm, error: ValidationError) -> None:
        if isinstance(error, UploadRejected):
            form.add_error("file", error.summary)
            row_errors.extend(error.row_errors)
        else:
            add_service_errors(form, error)

    return show


# --- Design ----------------------------------------------------------------------------


def trial_list(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    trials = list(selectors.trials_for_initiative(initiative))
    return render(
        request,
        "trials/list.html",
        {
            "initiative": initiative,
            "trials": trials,
            "can_add": request.user.has_perm(CHANGE, initiative),
        },
    )


@login_required
def trial_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    if not request.user.has_perm(CHANGE, initiative):
        raise PermissionDenied
    form = TrialForm(request.POST or None, initiative=initiative)
    if not initiative.goals.exists():
        messages.error(request, "Add a goal to the initiative first: a trial measures a goal.")
        return redirect("initiative-detail", pk=pk)
    if done := submit(
        request,
        form,
        lambda data: services.trial_create(
            initiative=initiative,
            goal=data["goal"],
            actor=request.user,
            arms=data["arms"],
            **form.trial_fields(),
        ),
        then=lambda trial: reverse("trial-detail", kwargs={"pk": trial.pk}),
        success="The trial is designed. Next, check what it can detect.",
    ):
        return done
    return render(request, "trials/form.html", {"form": form, "initiative": initiative})


@login_required
def trial_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    locked: tuple[str, ...] = ()
    if trial.plan_locked:
        locked += PLAN_FIELDS
    if trial.status != TrialStatus.DESIGNING:
        locked += (*DESIGN_FIELDS, "arms", "goal")
    form = TrialForm(
        request.POST or None, instance=trial, initiative=trial.initiative, locked=locked
    )
    if done := submit(
        request,
        form,
        lambda data: services.trial_update(
            trial=trial,
            actor=request.user,
            arms=None if "arms" in locked else data["arms"],
            **form.trial_fields(),
        ),
        then=reverse("trial-detail", kwargs={"pk": pk}),
        success="The design is saved.",
    ):
        return done
    return render(
        request,
        "trials/form.html",
        {"form": form, "initiative": trial.initiative, "trial": trial, "locked": locked},
    )


def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk)
    allocation = selectors.allocation_of(trial)
    return render(
        request,
        "trials/detail.html",
        {
            "trial": trial,
            "initiative": trial.initiative,
            "arms": list(trial.arms.all()),
            "allocation": allocation,
            "outcomes": selectors.latest_outcomes(trial),
            "series": None if trial.is_randomised else selectors.latest_series(trial),
            "history": list(trial.status_changes.select_related("changed_by")),
            "can_change": request.user.has_perm(CHANGE, trial),
            "can_view_allocation": request.user.has_perm(VIEW_ALLOCATION, trial),
            "interim": trial.is_interim(),
        },
    )


@login_required
def trial_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    if request.method == "POST":
        return act(
            request,
            lambda: services.trial_lock_plan(trial=trial, actor=request.user),
            then=reverse("trial-detail", kwargs={"pk": pk}),
            success="The analysis plan is locked.",
        )
    return render(request, "trials/plan.html", {"trial": trial, "initiative": trial.initiative})


@login_required
def trial_stop(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    form = StopForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.trial_stop(trial=trial, actor=request.user, reason=data["reason"]),
        then=reverse("trial-detail", kwargs={"pk": pk}),
        success="The trial is stopped.",
    ):
        return done
    return render(
        request, "trials/stop.html", {"form": form, "trial": trial, "initiative": trial.initiative}
    )


# --- Power -----------------------------------------------------------------------------


def trial_power(request: HttpRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk)
    form = PowerForm(request.GET or None, trial=trial, initial={"power": 80})
    answer, refusal = None, ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            answer = power.answer(
                trial,
                n_total=data["n_total"],
                power=data["power"] / 100,
                control_rate=(data["control_rate"] / 100)
                if data.get("control_rate") is not None
                else None,
                sd=data.get("sd"),
                expected=(
                    data["expected"] / 100
                    if data.get("expected") is not None and trial.outcome_kind == "proportion"
                    else data.get("expected")
                ),
                cluster_size=data.get("cluster_size"),
                icc=data.get("icc"),
                cluster_cv=data.get("cluster_cv"),
                rate_control=data.get("rate_control"),
                exposure=data.get("exposure"),
                event_share=(data["event_share"] / 100)
                if data.get("event_share") is not None
                else None,
            )
        except StatsRefusal as error:
            form.add_error(None, error.reason)
    return render(
        request,
        "trials/power.html",
        {
            "trial": trial,
            "initiative": trial.initiative,
            "form": form,
            "answer": answer,
            "refusal": refusal,
        },
    )


# --- Units and allocation --------------------------------------------------------------


def _upload_page(
    request: AuthenticatedRequest,
    trial: Any,
    stage: Callable[..., PendingUpload | Job],
    *,
    confirm: str,
    template: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """A page that takes a file and stages it (nothing is written until it is confirmed at
    ``confirm``); a rejected file's problems are shown on the page, with ``context()``."""
    form = UploadForm(request.POST or None, request.FILES or None)
    row_errors: list[Any] = []
    if done := submit(
        request,
        form,
        lambda data: stage(trial=trial, actor=request.user, **_file(data)),
        then=lambda staged: (
            staged  # a large file's job page, or the confirmation
            if isinstance(staged, Job)
            else reverse(confirm, kwargs={"pk": trial.pk, "upload_id": staged.pk})
        ),
        errors=_rejected(row_errors),
    ):
        return done
    return render(
        request,
        template,
        {
            "trial": trial,
            "initiative": trial.initiative,
            "form": form,
            "row_errors": row_errors,
            **context(),
        },
    )


@login_required
def trial_units(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    return _upload_page(
        request,
        trial,
        trial_jobs.units_receive,
        confirm="trial-units-confirm",
        template="trials/units.html",
        context=lambda: {"locked": selectors.has_outcomes(trial)},
    )


@login_required
def trial_units_confirm(request: AuthenticatedRequest, pk: int, upload_id: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    upload = get_object_or_404(
        PendingUpload.objects.defer("content"), pk=upload_id, trial=trial, kind=UploadKind.UNITS
    )
    form = AllocateForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: trial_jobs.allocate_or_later(
            trial=trial,
            actor=request.user,
            upload=PendingUpload.objects.get(pk=upload.pk),
            seed=data["seed"],
        ),
        # A large list is allocated on a consumer: its job's page, then the balance table.
        then=lambda done: done if isinstance(done, Job) else reverse("trial-allocation", args=[pk]),
        success=lambda done: (
            "" if isinstance(done, Job) else "The units are allocated. Check the balance table."
        ),
    ):
        return done
    return render(
        request,
        "trials/units_confirm.html",
        {
            "trial": trial,
            "initiative": trial.initiative,
            "upload": upload,
            "form": form,
            "arms": list(trial.arms.all()),
            "rerun": selectors.allocation_of(trial) is not None,
        },
    )


@login_required
def trial_allocation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, VIEW_ALLOCATION)
    allocation = selectors.allocation_of(trial)
    if allocation is None:
        raise Http404("No allocation yet.")
    view = selectors.allocation_view(trial, allocation)
    rows = list(zip(view.units, view.arms, strict=True))
    page = Paginator(rows, ALLOCATION_PAGE).get_page(request.GET.get("page"))
    audit.record(
        "trial.allocation_viewed",
        obj=trial,
        organisation=trial.initiative.organisation,
        personal_data=True,
        detail={"page": page.number, "units": len(page.object_list)},
    )
    return render(
        request,
        "trials/allocation.html",
        {
            "trial": trial,
            "initiative": trial.initiative,
            "view": view,
            "page": page,
            "arms": list(trial.arms.all()),
            "counts": list(zip([a.name for a in trial.arms.all()], allocation.counts, strict=True)),
            "locked": selectors.has_outcomes(trial),
            "can_change": request.user.has_perm(CHANGE, trial),
        },
    )


@login_required
def trial_allocation_export(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, VIEW_ALLOCATION)
    allocation = selectors.allocation_of(trial)
    if allocation is None or fmt not in ("csv", "xlsx"):
        raise Http404
    view = selectors.allocation_view(trial, allocation)
    audit.record(
        "trial.allocation_exported",
        obj=trial,
        organisation=trial.initiative.organisation,
        personal_data=True,
        detail={"format": fmt, "units": len(view.units)},
    )
    return exports.allocation_response(trial, view, fmt)


# --- Outcomes --------------------------------------------------------------------------


@login_required
def trial_outcomes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    required, optional = columns_for(trial.outcome_kind)
    return _upload_page(
        request,
        trial,
        trial_jobs.outcomes_receive,  # a large file is checked on a consumer, with a job page
        confirm="trial-outcomes-confirm",
        template="trials/outcomes.html",
        context=lambda: {
            "required": required,
            "optional": optional,
            "allocation": selectors.allocation_of(trial),
        },
    )


@login_required
def trial_outcomes_confirm(request: AuthenticatedRequest, pk: int, upload_id: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    upload = get_object_or_404(
        PendingUpload.objects.defer("content"), pk=upload_id, trial=trial, kind=UploadKind.OUTCOMES
    )
    # A confirmation: a POST with no fields, so the form is bound on any POST.
    form = forms.Form(request.POST if request.method == "POST" else None)
    if done := submit(
        request,
        form,
        lambda _: trial_jobs.outcomes_confirm_or_later(
            trial=trial, actor=request.user, upload=PendingUpload.objects.get(pk=upload.pk)
        ),
        # A large file is imported on a consumer: its job's page follows the import.
        then=lambda done: done if isinstance(done, Job) else reverse("trial-results", args=[pk]),
        success=lambda done: "" if isinstance(done, Job) else "The outcomes are imported.",
    ):
        return done
    error_message = next(iter(form.non_field_errors()), "")
    return render(
        request,
        "trials/outcomes_confirm.html",
        {
            "trial": trial,
            "initiative": trial.initiative,
            "upload": upload,
            "error_message": error_message,
            "allocation": selectors.allocation_of(trial),
        },
    )


# --- Results ---------------------------------------------------------------------------


def _refusal(error: StatsRefusal | ValidationError) -> str:
    return error.reason if isinstance(error, StatsRefusal) else error.messages[0]


def _criteria(trial: Any) -> dict[str, Any]:
    """The criterion the goal was locked with and, when it has been amended since the outcomes
    were seen, the amended one (read post hoc, beside the other)."""
    registered = trial.goal.registered_criterion()
    current = trial.goal.snapshot()
    return {
        "criterion": registered,
        "amended_criterion": current if current != registered else None,
        "amendments": trial.goal.post_hoc_amendments(),
    }


def _results_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    trial = selectors.access_trial(request.user, pk)
    results = selectors.trial_results(trial)
    context: dict[str, Any] = {
        "trial": trial,
        "initiative": trial.initiative,
        "results": results,
        "analysis": results.analysis,
        "verdict": None,
        "post_hoc_verdict": None,
        "verdict_refusal": "",
        **_criteria(trial),
    }
    if results.analysis is not None:
        try:
            comparison, verdict = services.trial_verdict(trial, results.analysis)
            if context["amended_criterion"] is not None:
                context["post_hoc_verdict"] = services.trial_verdict(
                    trial, results.analysis, context["amended_criterion"]
                )[1]
        except (StatsRefusal, ValidationError) as error:
            context["verdict_refusal"] = _refusal(error)
        else:
            context.update(verdict=verdict, judged=comparison)
    return context


def _recorded(trial: Any) -> Any:
    """The register's row of the trial's recorded result (frozen verdict), or None."""
    stored = selectors.recorded_result(trial)
    return None if stored is None else stored.goal_result


def trial_results(request: HttpRequest, pk: int) -> HttpResponse:
    context = _results_context(request, pk)
    trial = context["trial"]
    context.update(
        can_change=request.user.has_perm(CHANGE, trial),
        recorded=_recorded(trial),
        rows=exports.readable_rows(exports.result_rows(trial, context["analysis"]))
        if context["analysis"]
        else [],
    )
    if context["analysis"] is not None:
        comparisons = context["analysis"].comparisons
        context["chart_measure"] = comparisons[0].measure + (
            ", percentage points" if comparisons[0].kind == "proportion" else ""
        )
        context["chart_rows"] = [
            {
                "label": f"{c.arm} vs {c.control}",
                "estimate": _fmt(_scaled(c.kind, c.estimate)),
                "low": "–" if c.ci_low is None else _fmt(_scaled(c.kind, c.ci_low)),
                "high": "–" if c.ci_high is None else _fmt(_scaled(c.kind, c.ci_high)),
            }
            for c in comparisons
        ]
    return render(request, "trials/results.html", context)


def trial_results_chart(request: HttpRequest, pk: int) -> HttpResponse:
    context = _results_context(request, pk)
    result = context["analysis"]
    if result is None:
        raise Http404("No results yet.")
    rows = [
        charts.Interval(
            label=f"{c.arm} vs {c.control}",
            estimate=_scaled(c.kind, c.estimate),
            low=None if c.ci_low is None else _scaled(c.kind, c.ci_low),
            high=None if c.ci_high is None else _scaled(c.kind, c.ci_high),
        )
        for c in result.comparisons
    ]
    first = result.comparisons[0]
    label = first.measure + (" (percentage points)" if first.kind == "proportion" else "")
    svg = charts.interval_chart(rows, null_value=first.null_value, xlabel=label)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _scaled(kind: str, value: float) -> float:
    return 100.0 * value if kind == "proportion" else value


def trial_results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404
    context = _results_context(request, pk)
    trial = context["trial"]
    if context["analysis"] is None:
        raise Http404("No results yet.")
    rows = exports.result_rows(trial, context["analysis"])
    filename = f"trial-{trial.pk}-results.{fmt}"
    if fmt == "json":
        body = exports.result_json(trial, context["analysis"], context.get("verdict"))
        response: HttpResponse = JsonResponse(body, json_dumps_params={"indent": 1})
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return exports.result_csv_response(trial, rows)


@login_required
@require_POST
def trial_verdict(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = selectors.access_trial(request.user, pk, CHANGE)
    if not trial.is_randomised:
        return _series_verdict(request, trial)
    return act(
        request,
        lambda: services.trial_record_verdict(trial=trial, actor=request.user),
        then=reverse("initiative-detail", kwargs={"pk": trial.initiative_id}),
        success=lambda result: (
            f"The verdict ({result.get_verdict_display()}) is on the initiative's goal."
        ),
        refused=reverse("trial-results", kwargs={"pk": pk}),
    )


# --- Before and after, comparison group -----------------------------------------------


def _series_verdict(request: AuthenticatedRequest, trial: Any) -> HttpResponse:
    return act(
        request,
        lambda: services.series_record_verdict(trial=trial, actor=request.user),
        then=reverse("initiative-detail", kwargs={"pk": trial.initiative_id}),
        success=lambda outcome: f"The verdict ({outcome.label}) is on the initiative's goal.",
        refused=reverse("trial-series-results", kwargs={"pk": trial.pk}),
    )


def _non_randomised(request: Any, pk: int, perm: str | None = None) -> Any:
    trial = selectors.access_trial(request.user, pk, perm)
    if trial.is_randomised:
        raise Http404("A randomised trial has no time series.")
    return trial


@login_required
def trial_series(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    trial = _non_randomised(request, pk, CHANGE)
    form = SeriesForm(request.POST or None, request.FILES or None)
    row_errors: list[Any] = []
    if done := submit(
        request,
        form,
        lambda data: services.series_import(
            trial=trial,
            actor=request.user,
            start=data["start"],
            **_file(data),
        ),
        then=reverse("trial-series-results", kwargs={"pk": pk}),
        success="The time series is imported.",
        errors=_rejected(row_errors),
    ):
        return done
    return render(
        request,
        "trials/series.html",
        {
            "trial": trial,
            "initiative": trial.initiative,
            "form": form,
            "row_errors": row_errors,
            "comparison": trial.design == "comparison",
            "series": selectors.latest_series(trial),
            "min_its": quasi.MIN_ITS_POINTS,
            "min_did": quasi.MIN_DID_PERIODS,
        },
    )


def trial_series_results(request: HttpRequest, pk: int) -> HttpResponse:
    trial = _non_randomised(request, pk)
    results = selectors.series_results(trial)
    context: dict[str, Any] = {
        "trial": trial,
        "initiative": trial.initiative,
        "results": results,
        "result": results.result,
        "can_change": request.user.has_perm(CHANGE, trial),
        "verdict": None,
        "post_hoc_verdict": None,
        "verdict_refusal": "",
        "its": isinstance(results.result, quasi.TimeSeriesResult),
        "table": _series_table(results.result),
        "recorded": _recorded(trial),
        "min_its": quasi.MIN_ITS_POINTS,
        "min_did": quasi.MIN_DID_PERIODS,
        "calibration_note": quasi.CALIBRATION_NOTE,
        **_criteria(trial),
    }
    if results.result is not None:
        try:
            context["verdict"] = services.series_verdict(trial, results.result)
            if context["amended_criterion"] is not None:
                context["post_hoc_verdict"] = services.series_verdict(
                    trial, results.result, context["amended_criterion"]
                )
        except (StatsRefusal, ValidationError) as error:
            context["verdict_refusal"] = _refusal(error)
    return render(request, "trials/series_results.html", context)


def _series_table(result: Any) -> list[list[str]]:
    if isinstance(result, quasi.TimeSeriesResult):
        return [
            [p.isoformat(), _fmt(v), _fmt(f), _fmt(c)]
            for p, v, f, c in zip(
                result.periods, result.values, result.fitted, result.counterfactual, strict=True
            )
        ]
    if isinstance(result, quasi.DiDResult):
        return [
            [p.isoformat(), _fmt(t), _fmt(c), _fmt(t - c)]
            for p, t, c in zip(result.periods, result.treated, result.comparison, strict=True)
        ]
    return []


def trial_series_chart(request: HttpRequest, pk: int) -> HttpResponse:
    trial = _non_randomised(request, pk)
    results = selectors.series_results(trial)
    result = results.result
    if result is None or results.series is None:
        raise Http404("No results yet.")
    label = trial.outcome_phrase + (f" ({trial.measure_unit})" if trial.measure_unit else "")
    lines: list[tuple[str, Any, str]]
    if isinstance(result, quasi.TimeSeriesResult):
        lines = [
            ("Observed", result.values, "points"),
            ("Fitted trend before and after", result.fitted, "fit"),
            ("Earlier trend carried on", result.counterfactual, "dashed"),
        ]
    else:
        lines = [
            ("Treated group", result.treated, "points"),
            ("Comparison group", result.comparison, "points"),
        ]
    svg = charts.series_chart(list(result.periods), lines, start=results.series.start, ylabel=label)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- Pooled evidence -------------------------------------------------------------------


def pooled_forest(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    pooled = selectors.pooled_evidence(request.user, initiative)
    if pooled["result"] is None:
        raise Http404("Nothing pooled yet.")
    scale = pooled["scale"]
    rows = [
        charts.Interval(
            label=s.label,
            estimate=s.estimate * scale,
            low=s.ci_low * scale,
            high=s.ci_high * scale,
            weight=weight,
        )
        for s, weight in zip(pooled["studies"], pooled["weights"], strict=True)
    ]
    rows.append(
        charts.Interval(
            label="Pooled",
            estimate=pooled["pooled_estimate"],
            low=pooled["pooled_low"],
            high=pooled["pooled_high"],
            pooled=True,
        )
    )
    null = 1.0 if pooled["measure"] == "rate ratio" else 0.0
    label = pooled["measure"] + (" (percentage points)" if scale == 100 else "")
    svg = charts.interval_chart(
        rows, null_value=null, xlabel=label, prediction=pooled["prediction"]
    )
    return HttpResponse(svg, content_type="image/svg+xml")
