"""Pages for metrics, their figures and charts, and uploading figures.

Thin views: an access helper fetches and checks, a form validates, a service writes.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_GET, require_POST

from whatworks.core.forms import submit
from whatworks.core.visibility import Visibility
from whatworks.measures import jobs, selectors, services
from whatworks.measures.charts import series_svg
from whatworks.measures.forms import (
    DuplicatePolicyForm,
    MetricFilterForm,
    MetricForm,
    UploadForm,
)
from whatworks.measures.importing import MAX_LISTED_ERRORS, PREVIEW_ROWS, CheckedFile
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.organisations.models import Organisation

PAGE_SIZE = 25
FIGURES_PAGE_SIZE = 50
CHANGE = "measures.change_metric"
# The chart is data, not a document: it may not run or load anything, and only its own
# style attributes apply (matplotlib writes them). Pages show it through <img>.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def metric_list(request: HttpRequest) -> HttpResponse:
    form = MetricFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    metrics = selectors.metrics_visible_to(
        request.user, kind=filters.get("kind", ""), query=filters.get("q", "").strip()
    )
    page = Paginator(metrics, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "measures/metric_list.html",
        {
            "page": page,
            "metrics": page.object_list,
            "filter_form": form,
            "can_add": bool(selectors.recording_organisations(request.user)),
        },
    )


def metric_detail(request: HttpRequest, pk: int) -> HttpResponse:
    metric = selectors.access_metric(request.user, pk)
    series = selectors.metric_series(metric)
    return render(
        request,
        "measures/metric_detail.html",
        {
            "metric": metric,
            "series": series,
            "can_change": request.user.has_perm(CHANGE, metric),
            "can_upload": bool(selectors.recording_organisations(request.user)),
        },
    )


@require_GET
def metric_chart(request: HttpRequest, pk: int) -> HttpResponse:
    metric = selectors.access_metric(request.user, pk)
    count, newest = selectors.series_version(metric)
    # Any new, replaced or redefined figure changes the newest timestamp or the count.
    stamp = f"{metric.pk}:{count}:{newest.isoformat() if newest else ''}"
    etag = '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'
    last_modified = int(newest.timestamp()) if newest else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(
            series_svg(selectors.metric_series(metric)), content_type="image/svg+xml"
        )
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Content-Security-Policy"] = SVG_CSP
    response["X-Content-Type-Options"] = "nosniff"
    # Private: who may see it depends on the person; revalidate, then reuse on a 304.
    patch_cache_control(response, private=True, no_cache=True)
    response["Vary"] = "Cookie"
    return response


def metric_observations(request: HttpRequest, pk: int) -> HttpResponse:
    metric = selectors.access_metric(request.user, pk)
    page = Paginator(selectors.metric_observations(metric), FIGURES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "measures/observation_list.html",
        {"metric": metric, "page": page, "observations": page.object_list},
    )


def _choose_organisation(request: HttpRequest) -> Organisation:
    """Where a new metric belongs: ?organisation=<slug>, or the first I may record for."""
    mine = selectors.recording_organisations(request.user)
    slug = request.GET.get("organisation") or request.POST.get("organisation")
    if slug:
        chosen = next((o for o in mine if o.slug == slug), None)
        if chosen is None:
            raise PermissionDenied
        return chosen
    if not mine:
        raise PermissionDenied
    return mine[0]


@login_required
def metric_new(request: AuthenticatedRequest) -> HttpResponse:
    organisation = _choose_organisation(request)
    if not request.user.has_perm("measures.add_metric", organisation):
        raise PermissionDenied
    form = MetricForm(request.POST or None, initial={"visibility": Visibility.PEERS})
    if done := submit(
        request,
        form,
        lambda data: services.metric_create(organisation=organisation, actor=request.user, **data),
        then=lambda metric: reverse("metric-detail", kwargs={"pk": metric.pk}),
        success="The metric is saved. Now upload its figures.",
    ):
        return done
    return render(
        request,
        "measures/metric_form.html",
        {
            "form": form,
            "organisation": organisation,
            "mine": selectors.recording_organisations(request.user),
        },
    )


@login_required
def metric_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    metric = selectors.access_metric(request.user, pk, CHANGE)
    form = MetricForm(request.POST or None, instance=metric)
    if done := submit(
        request,
        form,
        lambda data: services.metric_update(metric=metric, actor=request.user, **data),
        then=reverse("metric-detail", kwargs={"pk": pk}),
        success="The metric has been updated.",
    ):
        return done
    return render(
        request,
        "measures/metric_form.html",
        {"form": form, "metric": metric, "organisation": metric.organisation},
    )


@login_required
def observation_import(request: AuthenticatedRequest) -> HttpResponse:
    organisations = selectors.recording_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    initial: dict[str, Any] = {"organisation": organisations[0].pk}
    chosen_metric = request.GET.get("metric", "")
    if chosen_metric.isdigit() and len(chosen_metric) < 10:
        initial["metric"] = int(chosen_metric)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        metrics=selectors.recordable_metrics(organisations),
        initial=initial,
    )

    def stage(data: dict[str, Any]) -> Any:
        return services.import_stage(
            organisation=data["organisation"],
            actor=request.user,
            content=data["file"].read(),
            filename=data["file"].name or "",
            metric=data["metric"],
            on_duplicate=data["on_duplicate"],
        )

    if done := submit(request, form, stage, then=lambda staged: staged):
        return done
    return render(
        request, "measures/import_upload.html", {"form": form, "multiple": len(organisations) > 1}
    )


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "measures/import_expired.html", status=410)


@login_required
def observation_import_preview(request: AuthenticatedRequest, token: UUID) -> HttpResponse:
    staged = selectors.access_staged_import(request.user, token)
    if staged.is_expired:
        return _expired(request)
    return import_preview(
        request,
        staged,
        caption=f"{staged.filename} for {staged.organisation.name}",
        upload_again=_upload_again_url(staged),
        confirm_url=reverse("observation-import-confirm", kwargs={"token": staged.pk}),
    )


def import_preview(
    request: AuthenticatedRequest, staged: Any, *, caption: str, upload_again: str, confirm_url: str
) -> HttpResponse:
    """Every row of a staged import as it will be saved, and every problem, before anything
    is written; the duplicate policy can be changed here. Shared by every page that imports
    figures (here, and a staff ideas campaign's data pack)."""
    form = DuplicatePolicyForm(request.POST or None, initial={"on_duplicate": staged.on_duplicate})
    if done := submit(
        request,
        form,
        lambda data: services.import_set_policy(staged=staged, on_duplicate=data["on_duplicate"]),
        then=request.path,
    ):
        return done
    if staged.checked is not None:
        check: Any = CheckedFile.from_json(staged.checked)
    elif jobs.is_large(staged):  # checked on a consumer: its page leads back here
        return redirect(
            jobs.observations_check_later(
                staged=staged, actor=request.user, preview_url=request.path
            )
        )
    else:
        check = services.import_check(staged)
    return render(
        request,
        "measures/import_preview.html",
        {
            "staged": staged,
            "check": check,
            "policy_form": form,
            "preview_rows": PREVIEW_ROWS,
            "max_listed": MAX_LISTED_ERRORS,
            "caption": caption,
            "upload_again": upload_again,
            "confirm_url": confirm_url,
        },
    )


def _upload_again_url(staged: Any) -> str:
    url = reverse("observation-import")
    return f"{url}?metric={staged.metric_id}" if staged.metric_id else url


@login_required
@require_POST
def observation_import_confirm(request: AuthenticatedRequest, token: UUID) -> HttpResponse:
    staged = selectors.access_staged_import(request.user, token)
    if staged.is_expired:
        return _expired(request)
    if job := jobs.observations_import_or_later(staged=staged, actor=request.user):
        return redirect(job)  # a large file: its progress, then the result, on the job's page
    # Not core.forms.act: a refused file gets its own message, as the preview lists its rows.
    try:
        outcome = services.observations_import(staged=staged, actor=request.user)
    except services.ImportRefused:
        messages.error(request, "Nothing was imported: the file has problems, listed below.")
        return redirect(staged)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(staged)
    replaced = f", replacing {outcome.replaced}" if outcome.replaced else ""
    messages.success(request, f"{outcome.created + outcome.replaced:,} figures imported{replaced}.")
    if len(outcome.metrics) == 1:
        return redirect("metric-detail", pk=outcome.metrics[0].pk)
    return redirect("metric-list")
