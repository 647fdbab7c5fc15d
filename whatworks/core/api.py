"""The API's shared parts: session authentication, pagination and problem bodies (the
organisations' API keys are in `whatworks.organisations.api_auth`).

Errors follow RFC 9457 (application/problem+json) and name the field at fault.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import SessionAuth


class OptionalSession(SessionAuth):
    """The signed-in browser session, or anonymous: public data needs no credentials."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None else request.user


class Pages(PageNumberPagination):
    """Page-number pagination with bounds, so a huge page number is a 422, not a crash."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=100)


class ProblemField(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem body."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemField] | None = None


def with_problems(ok: Any, *statuses: int) -> dict[int, Any]:
    """The response map for an operation: its success schema plus the problems it may answer."""
    return {200: ok, 422: Problem, **{status: Problem for status in statuses}}


class AccessibleSwagger(Swagger):
    """Swagger UI in a page with its language set and contrast raised (core/api-docs.css),
    and without deep links, whose anchors inside each operation's button nest one control in
    another for screen readers."""

    template = "core/api_docs.html"

    def __init__(self) -> None:
        super().__init__(settings={"deepLinking": False})


class WhatWorksAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        # Credentials are optional: public data is open to all. OpenAPI says so with an
        # empty requirement in each operation's list.
        # Problems are served as application/problem+json.
        for path in schema["paths"].values():
            for operation in path.values():
                if not isinstance(operation, dict):
                    continue
                if "security" in operation:
                    operation["security"].append({})
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if not str(status).startswith("2") and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        return schema


def problem(status: int, title: str, detail: str = "", errors: list[dict] | None = None) -> dict:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return body


def _field_name(loc: list[Any]) -> str:
    # ninja reports ["query", "kind"] or ["body", "payload", "name"]; keep the useful part.
    parts = [str(p) for p in loc if p not in ("body", "payload")]
    return ".".join(parts) or "request"


def install_problem_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict) -> HttpResponse:
        response = api.create_response(request, body, status=body["status"])
        response["Content-Type"] = "application/problem+json"
        return response

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _field_name(list(e.get("loc", []))), "message": e.get("msg", "Invalid value")}
            for e in exc.errors
        ]
        return respond(request, problem(422, "Some values are not valid", errors=errors))

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, problem(401, "Sign in or send a valid API key"))

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, problem(404, "Not found", str(exc) or ""))

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, problem(exc.status_code, str(exc)))
