"""Public pages that need no data: home, about, and the benchmark floors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

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
