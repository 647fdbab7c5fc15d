"""The API's shared parts: session authentication, pagination and problem bodies (the
organisations' API keys are in `whatworks.organisations.api_auth`).

Errors follow RFC 9457 (application/problem+json) and name the field at fault.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
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
    row: int | None = Field(
        None,
        description="The row at fault: for a list in the body its position, counting from 0; "
        "for an uploaded file its row as a spreadsheet numbers it",
    )
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem body."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemField] | None = None


class JobOut(Schema):
    """Work the API accepted and does on the task consumers (a large file): poll `status_url`
    until `status` is done (the result is at `result_url`) or failed (`errors` name the rows)."""

    id: int
    status: str = Field(description="queued, running, done or failed")
    rows_total: int = Field(description="Rows expected (an estimate until checked)")
    rows_checked: int
    rows_written: int
    message: str = Field(description="The outcome, in words, once finished")
    errors: list[ProblemField]
    status_url: str
    result_url: str | None = Field(description="The page of the result, once done")


def job_out(job: Any, status_url: str) -> dict[str, Any]:
    from whatworks.core.links import absolute_url

    return {
        "id": job.pk,
        "status": job.status,
        "rows_total": job.rows_total,
        "rows_checked": job.rows_checked,
        "rows_written": job.rows_written,
        "message": job.message,
        "errors": [
            {"row": e.get("row"), "field": e.get("column") or "file", "message": e["message"]}
            for e in job.errors
        ],
        "status_url": absolute_url(status_url),
        "result_url": absolute_url(job.next_url) if job.status == "done" and job.next_url else None,
    }


def with_problems(ok: Any, *statuses: int, success: int = 200) -> dict[int, Any]:
    """The response map for an operation: its success schema plus the problems it may answer."""
    return {success: ok, 422: Problem, **{status: Problem for status in statuses}}


class ApiProblem(Exception):
    """Raise anywhere in an operation (or its authentication) to answer with a problem body."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def refusal(error: DjangoValidationError, title: str) -> ApiProblem:
    """A service's refusal as a problem: errors about fields are a 422 naming each field;
    a refusal of the whole request (the record's state does not allow it) is a 409 with the
    service's own words, the same as the pages show."""
    if hasattr(error, "error_dict"):
        errors = [
            {"field": "request" if name == NON_FIELD_ERRORS else name, "message": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        return ApiProblem(422, "Some values are not valid", errors=errors)
    return ApiProblem(409, title, " ".join(error.messages))


#: Operations that need a credential with a scope say so in their OpenAPI entry under this key
#: (route option ``openapi_extra={SCOPES_KEY: [...]}``); the schema turns it into security
#: requirements and a sentence in the description.
SCOPES_KEY = "x-scopes"


_PROBLEM_TITLES = {
    400: "The body cannot be read (not JSON, or not the form it should be)",
    401: "No valid API key",
    403: "The API key lacks the scope this needs",
    413: "The body is larger than the API takes in one request",
    429: "Too many requests with this API key",
}


def _add_problems(operation: dict[str, Any], *statuses: int) -> None:
    """Document the problems a credential can meet (a key without the scope, over its limit)."""
    responses = operation.setdefault("responses", {})
    for status in statuses:
        if status in responses or str(status) in responses:
            continue
        responses.setdefault(
            status,
            {
                "description": _PROBLEM_TITLES[status],
                "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
        )


class AccessibleSwagger(Swagger):
    """Swagger UI in a page with its language set and contrast raised (core/api-docs.css),
    and without deep links, whose anchors inside each operation's button nest one control in
    another for screen readers."""

    template = "core/api_docs.html"

    def __init__(self) -> None:
        super().__init__(settings={"deepLinking": False})


class WhatWorksAPI(NinjaAPI):
    """`key_scheme` names the security scheme of scoped keys and `read_scope` the scope every
    operation without scopes of its own needs from a key (reads)."""

    def __init__(self, *args: Any, key_scheme: str = "", read_scope: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key_scheme = key_scheme
        self.read_scope = read_scope

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        # Reads: credentials are optional, public data is open to all. OpenAPI says so with
        # an empty requirement in each operation's list. Writes need a key with their scope.
        # Problems are served as application/problem+json.
        for path in schema["paths"].values():
            for operation in path.values():
                if not isinstance(operation, dict):
                    continue
                scopes = operation.pop(SCOPES_KEY, None)
                if scopes:
                    operation["security"] = [{self.key_scheme: list(scopes)}]
                    needs = " or ".join(f"`{scope}`" for scope in scopes)
                    operation["description"] = (
                        f"{operation.get('description', '')}\n\nNeeds an API key with the "
                        f"{needs} scope; a key without it is refused with 403."
                    ).strip()
                    _add_problems(operation, 401, 403, 429)
                    if "requestBody" in operation:
                        _add_problems(operation, 400, 413)
                elif "security" in operation:
                    for requirement in operation["security"]:
                        if self.key_scheme in requirement and self.read_scope:
                            requirement[self.key_scheme] = [self.read_scope]
                    operation["security"].append({})
                    if self.read_scope:
                        _add_problems(operation, 403, 429)
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


def _field_error(loc: list[Any], message: str) -> dict[str, Any]:
    """A validation error as a problem's `errors` item: an item of a list in the body is
    named by its position (`row`) and its own field."""
    if loc[:1] == ["body"]:
        for i, part in enumerate(loc):
            if isinstance(part, int) and i > 0:
                field = ".".join(str(p) for p in loc[i + 1 :]) or str(loc[i - 1])
                return {"row": part, "field": field, "message": message}
    return {"field": _field_name(loc), "message": message}


def install_problem_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict) -> HttpResponse:
        response = api.create_response(request, body, status=body["status"])
        response["Content-Type"] = "application/problem+json"
        return response

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            _field_error(list(e.get("loc", [])), e.get("msg", "Invalid value")) for e in exc.errors
        ]
        return respond(request, problem(422, "Some values are not valid", errors=errors))

    @api.exception_handler(ApiProblem)
    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        body = problem(exc.status, exc.title, exc.detail, exc.errors)
        response = respond(request, body)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, problem(401, "Sign in or send a valid API key"))

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, problem(404, "Not found", str(exc) or ""))

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return respond(request, problem(
            413, _PROBLEM_TITLES[413],
            f"Send at most {limit / (1024 * 1024):g} MB in one request: split the rows over "
            "several requests.",
        ))  # fmt: skip

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, problem(exc.status_code, str(exc)))
