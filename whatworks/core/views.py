"""The audit log page (for the site's staff; organisations reuse `audit_page`), the
development outbox, and /healthz."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from whatworks.core import jobs, selectors
from whatworks.core.forms import AuditFilterForm, OutboxFilterForm, act
from whatworks.core.messaging import message_retry, render_email
from whatworks.core.models import Job, Message, MessageStatus

PAGE_SIZE = 50


def audit_page(
    request: HttpRequest, organisation: object, template_context: dict
) -> HttpResponseBase:
    """The audit log page (or its CSV) for one organisation, or for the site when None."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(organisation=organisation, **filters)
    if request.GET.get("format") == "csv" and form.is_valid():
        response = StreamingHttpResponse(
            selectors.audit_csv_rows(events.iterator()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "csv_query": query.urlencode(), **template_context},
    )


@login_required
def site_audit_log(request: HttpRequest) -> HttpResponseBase:
    if not request.user.has_perm("core.view_site_audit_log"):
        raise PermissionDenied
    return audit_page(request, None, {"organisation": None})


def _require_outbox_access(request: HttpRequest) -> None:
    # The outbox shows message bodies (invitation links): development only, staff only.
    if not settings.DEBUG:
        raise Http404("The outbox is only available in development.")
    if not request.user.has_perm("core.view_outbox"):
        raise PermissionDenied


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    _require_outbox_access(request)
    form = OutboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.outbox_messages(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/outbox.html", {"form": form, "page": page})


@login_required
def outbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    _require_outbox_access(request)
    message = get_object_or_404(Message, pk=pk)
    if message.redacted_at is not None:
        subject, body = message.template, ""
    else:
        subject, body = render_email(message)
    return render(
        request, "core/outbox_message.html", {"message": message, "subject": subject, "body": body}
    )


@login_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_outbox_access(request)
    message = get_object_or_404(Message, pk=pk, status=MessageStatus.FAILED)
    return act(
        request,
        lambda: message_retry(message=message),
        then=reverse("outbox-message", kwargs={"pk": pk}),
        success="The message is back in the queue.",
    )


@never_cache
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress, for the person who started it (anyone else: 404)."""
    job = get_object_or_404(Job, pk=pk, owner=request.user)
    return render(
        request,
        "core/job.html",
        {"job": job, "title": jobs.title_of(job), "progress": jobs.status_of(job)},
    )


@never_cache
@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(Job, pk=pk, owner=request.user)
    return JsonResponse(jobs.status_of(job))


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Reports the database and the task queue; 503 if either is down."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # report, don't crash: this is what monitoring reads
        checks["database"] = f"error: {type(error).__name__}"
    try:
        from huey.contrib.djhuey import HUEY

        checks["tasks"] = f"ok ({HUEY.pending_count()} pending)"
    except Exception as error:
        checks["tasks"] = f"error: {type(error).__name__}"
    healthy = all(v.startswith("ok") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
