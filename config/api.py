"""The What Works API at /api/ (OpenAPI at /api/openapi.json, docs at /api/docs)."""

from whatworks.core.api import (
    AccessibleSwagger,
    OptionalSession,
    WhatWorksAPI,
    install_problem_handlers,
)
from whatworks.organisations.api import router as organisations_router
from whatworks.organisations.api_auth import OrganisationKeyAuth

api = WhatWorksAPI(
    title="What Works API",
    version="1.0.0",
    description=(
        "Read what councils and their partners have tried and what happened: organisations "
        "and people, the register of initiatives (records, goals, results, costs and "
        "savings), measures (metrics and their figures), forum threads and questions, staff "
        "ideas campaigns (never who gave an anonymous idea or any vote). Residents' data from "
        "Call & Check is never in the API. You see what you could see on the site. With a "
        "scoped key, write an organisation's figures, trial outcomes and draft initiatives. "
        "Browsers use their signed-in session (reads only); machines send "
        "`Authorization: Bearer <key>` with a key from the organisation's API keys page. A "
        "key holds scopes: `read` for every read, and `measures:write`, `trials:write` or "
        "`register:write` for the writes that name them. Writes accept an `Idempotency-Key` "
        "header. Lists are paged. Errors are RFC 9457 problem bodies "
        "(application/problem+json) naming the field, or the row and field, at fault. "
        "See docs/api.md for a worked example."
    ),
    docs=AccessibleSwagger(),
    auth=[OrganisationKeyAuth(), OptionalSession()],
    urls_namespace="api",
    key_scheme="OrganisationKeyAuth",
    read_scope="read",
)
install_problem_handlers(api)
api.add_router("/", organisations_router)
api.add_router("/", "whatworks.initiatives.api.router")
api.add_router("/", "whatworks.measures.api.router")
api.add_router("/", "whatworks.trials.api.router")
api.add_router("/", "whatworks.forum.api.router")
api.add_router("/", "whatworks.ideas.api.router")
api.add_router("/", "whatworks.checkins.api.router")
