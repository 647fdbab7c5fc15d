"""Give each request an id and make it available to the audit log without passing it
around; sign out sessions left idle."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse

current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex  # type: ignore[attr-defined]
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-Id"] = request.request_id  # type: ignore[attr-defined]
        return response


IDLE_KEY = "last_seen"
# The session is written at most this often just to note activity: a page view a minute
# costs one write a minute, not one per request.
IDLE_RESOLUTION_S = 60


class IdleTimeoutMiddleware:
    """Sign out a session left idle for SESSION_IDLE_MINUTES (the cookie's own age, a
    working day, still caps a busy session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:  # else nobody to sign out
            accessed = request.session.accessed
            response = self._check(request)
            # Reading the clock is not the view depending on the session: a public page (the
            # open data feed) stays free of "Vary: Cookie", so proxies may still cache it.
            request.session.accessed = accessed
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        # The session's own keys, not request.user: evaluating the user here would cache it
        # on the request, and a view reading it later would no longer mark the session as
        # used, leaving a personal page without "Vary: Cookie".
        if SESSION_KEY in request.session:
            now = int(time.time())
            last = request.session.get(IDLE_KEY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if "application/json" in request.headers.get("Accept", ""):
                    return JsonResponse(
                        {"title": "Signed out after a time without activity", "status": 401},
                        status=401,
                        content_type="application/problem+json",
                    )
                messages.info(
                    request,
                    "You were signed out after "
                    f"{settings.SESSION_IDLE_MINUTES} minutes without activity.",
                )
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not isinstance(last, int) or now - last >= IDLE_RESOLUTION_S:
                request.session[IDLE_KEY] = now
        return None


@receiver(user_logged_in, dispatch_uid="core-idle-start")
def _idle_clock_starts(sender: type, request: HttpRequest | None, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_KEY] = int(time.time())
