"""Public pages that need no data: home, about, and the benchmark floors."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_http_methods, require_safe

from whatworks.core.forms import submit
from whatworks.core.network import client_address
from whatworks.ui import services
from whatworks.ui.forms import FeedbackForm
from whatworks.ui.home import sections_for


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/home.html", {"sections": sections_for(request)})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/about.html")


@require_safe
def about_data(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/about_data.html")


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/accessibility.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/privacy.html")


@require_safe
def cookies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ui/cookies.html",
        {
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
        },
    )


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/contact.html", {"feedback_email": settings.FEEDBACK_EMAIL})


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    """The feedback form: to the site's staff through the outbox, rate limited per address."""
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        initial={"page": request.GET.get("from", "")[:300]},
    )
    status = 200
    if done := submit(
        request,
        form,
        lambda data: services.feedback_send(
            **data, address=client_address(request), user=request.user
        ),
        then="feedback",
        success="Thank you: your feedback has been sent to the team that runs this service.",
    ):
        return done
    if form.errors:
        status = 400
        refused = form.errors.as_data().get("feedback", [])
        if any(isinstance(e, ValidationError) and e.code == "rate_limited" for e in refused):
            status = 429
    return render(request, "ui/feedback.html", {"form": form}, status=status)


@require_safe
def floor_text(request: HttpRequest) -> HttpResponse:
    """The framework floor for benchmarks: routing and middleware, no template."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def floor_layout(request: HttpRequest) -> HttpResponse:
    """The layout floor for benchmarks: the full base layout, no database work of its own."""
    return render(request, "ui/floor_layout.html")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin, say).

    Resolved per request: the static manifest only exists after collectstatic.
    """
    return HttpResponsePermanentRedirect(static("ui/favicon.svg"))
