"""Public pages that need no data: home, about, and the benchmark floors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # What didn't work sits beside what worked, with the same weight (the report's ask).
    from whatworks.core.cache import cached
    from whatworks.initiatives.selectors import evidence_highlights
    from whatworks.initiatives.signals import NAMESPACE

    if request.user.is_authenticated:
        evidence = evidence_highlights(request.user)
    else:  # the same for every anonymous reader until the register changes
        evidence = cached(
            NAMESPACE, ("home", timezone.localdate()), lambda: evidence_highlights(None)
        )
    return render(request, "ui/home.html", {"evidence": evidence})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/about.html")


@require_safe
def about_data(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/about_data.html")


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
