"""Request types for views, and the one "too many requests" answer every limit gives."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from whatworks.organisations.models import User


class AuthenticatedRequest(HttpRequest):
    """After @login_required, request.user is a real person."""

    user: User  # type: ignore[assignment]


def too_many_requests(
    request: HttpRequest, title: str, text: str, *, retry_after: int = 3600
) -> HttpResponse:
    """A 429 page saying what was limited and when to try again."""
    response = render(
        request, "core/too_many_requests.html", {"title": title, "text": text}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response
