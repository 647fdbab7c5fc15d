"""Finding and comparing records: browse and search, what worked / what didn't, compare,
exports and the open-data feed.

Every read goes through `find()` or `compare.comparison()`, which start from
`initiatives_visible_to(user)`: what a page, an export and the API show cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from whatworks.core.cache import address_key, cached
from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives import compare, exports, similarity
from whatworks.initiatives.filters import Filters, Outcome, Sort, filters_from_query
from whatworks.initiatives.finding import FacetCounts, find
from whatworks.initiatives.models import Initiative, Verdict, owner_label
from whatworks.initiatives.selectors import initiatives_visible_to
from whatworks.initiatives.signals import NAMESPACE
from whatworks.initiatives.similar_councils import CouncilProfile, reader_council
from whatworks.organisations.models import Organisation

# What the URL says, for the two views with equal prominence.
OUTCOME_PAGES = {
    Outcome.WORKED: ("initiative-what-worked", "What worked"),
    Outcome.DID_NOT_WORK: ("initiative-what-did-not-work", "What didn't work"),
}
FEED_FORMATS = ("csv", "json")


VERDICT_TAGS: dict[str, str] = {
    Verdict.MET: "govuk-tag--green",
    Verdict.NOT_MET: "govuk-tag--red",
    Verdict.INCONCLUSIVE: "govuk-tag--yellow",
}


@dataclass(frozen=True)
class ResultRow:
    """One result, worked out here so the template only prints (50 rows render fast)."""

    initiative: Initiative
    owner: str
    similarity: int | None
    url: str
    summary: str
    details: str
    verdict: str
    verdict_class: str
    why: str

    @classmethod
    def of(cls, initiative: Initiative, viewer: Any) -> ResultRow:
        owner = owner_label(initiative, viewer)
        score = getattr(initiative, "similarity", None)
        details = [owner, initiative.get_service_area_display(), initiative.get_status_display()]
        if score is not None:
            details.append(f"{round(score)}% like your council")
        return cls(
            initiative=initiative,
            owner=owner,
            similarity=None if score is None else round(score),
            url=initiative.get_absolute_url(),
            summary=Truncator(initiative.summary).chars(200),
            details=" · ".join(details),
            verdict=initiative.get_verdict_display() if initiative.verdict else "No result yet",
            verdict_class=VERDICT_TAGS.get(initiative.verdict, "govuk-tag--grey"),
            why=initiative.get_failure_cause_display().lower() if initiative.failure_cause else "",
        )


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


def _query(params: QueryDict, *, drop: tuple[str, ...] = ("page",), **changes: Any) -> str:
    """The current query string without `drop` (and with `changes`), for links."""
    pairs = [(k, v) for k, values in params.lists() if k not in drop for v in values]
    pairs += [(k, v) for k, v in changes.items() if v]
    return urlencode(pairs)


def _chips(
    params: QueryDict, facets: list[FacetCounts], q: str, organisation: str = ""
) -> list[Chip]:
    """A 'remove this filter' link for each thing the reader chose."""
    chips = []
    if organisation:
        name = Organisation.objects.filter(slug=organisation).values_list("name", flat=True).first()
        chips.append(
            Chip(
                f"Organisation: {name or organisation}",
                "?" + _query(params, drop=("page", "organisation")),
            )
        )
    if q:
        chips.append(Chip(f"Search: {q}", "?" + _query(params, drop=("page", "q"))))
    for facet in facets:
        for option in facet.selected:
            pairs = [
                (k, v)
                for k, values in params.lists()
                if k != "page"
                for v in values
                if not (k == facet.name and v == option.value)
            ]
            chips.append(Chip(f"{facet.label}: {option.label}", "?" + urlencode(pairs)))
    return chips


def _sort_choices(filters: Filters, reader: CouncilProfile | None) -> list:
    return [
        (value, label)
        for value, label in Sort.choices
        if (value != Sort.RELEVANCE or filters.q) and (value != Sort.SIMILAR or reader is not None)
    ]


@require_safe
def initiative_list(request: HttpRequest, outcome: str = "") -> HttpResponse:
    # What the list shows depends only on the address and on the reader's organisations
    # (which records they may see, how owners are named to them, their council for "councils
    # like mine"): every member of the same organisations sees the same body, and everyone
    # outside any organisation sees the public one. So the body is cached per address and
    # organisations until any record changes (writes bump "initiatives") or the day turns
    # (embargoes end at midnight).
    readers = ",".join(str(pk) for pk in sorted(member_organisation_ids(request.user)))
    title, has_errors, body = cached(
        NAMESPACE,
        ("list", outcome, address_key(request), readers, timezone.localdate()),
        lambda: _render_list(request, outcome),
    )
    return render(
        request,
        "initiatives/browse/list.html",
        {"title": title, "has_errors": has_errors, "body": mark_safe(body)},  # noqa: S308
    )


def _render_list(request: HttpRequest, outcome: str) -> tuple[str, bool, str]:
    filters, form = filters_from_query(request.GET, outcome=outcome)
    reader = reader_council(request.user)
    found = find(request.user, filters, reader=reader)
    page = found.page(request.GET.get("page"))
    facets = found.facets(form.errors)
    rows = [ResultRow.of(initiative, request.user) for initiative in page.object_list]
    base_query = _query(request.GET, drop=("page", "outcome"))
    title, heading = "Find initiatives", "Find initiatives"
    if filters.outcome in OUTCOME_PAGES:
        title = heading = OUTCOME_PAGES[filters.outcome][1]
    body = render_to_string(
        "initiatives/browse/_list_body.html",
        {
            "form": form,
            "filters": filters,
            "facets": facets,
            "page": page,
            "rows": rows,
            "sort": found.sort,
            "sort_choices": _sort_choices(filters, reader),
            "similarity_method": similarity.METHOD if reader is not None else "",
            "chips": _chips(request.GET, facets, filters.q, filters.organisation),
            "title": title,
            "heading": heading,
            "outcome": filters.outcome,
            "outcome_links": {
                "all": reverse("initiative-list") + (f"?{base_query}" if base_query else ""),
                "worked": reverse("initiative-what-worked")
                + (f"?{base_query}" if base_query else ""),
                "did_not_work": reverse("initiative-what-did-not-work")
                + (f"?{base_query}" if base_query else ""),
            },
            "export_query": _query(request.GET, drop=("page", "outcome"), outcome=filters.outcome),
            "export_limit": exports.EXPORT_LIMIT,
            "max_compare": compare.MAX_COMPARE,
        },
        request=request,
    )
    return title, bool(form.errors), body


@require_safe
def what_worked(request: HttpRequest) -> HttpResponse:
    return initiative_list(request, outcome=Outcome.WORKED)


@require_safe
def what_did_not_work(request: HttpRequest) -> HttpResponse:
    return initiative_list(request, outcome=Outcome.DID_NOT_WORK)


@require_safe
def initiative_compare(request: HttpRequest) -> HttpResponse:
    result = compare.comparison(request.user, request.GET.getlist("id"))
    shown = [str(column.initiative.pk) for column in result.columns]
    entries = [
        (column, urlencode([("id", pk) for pk in shown if pk != str(column.initiative.pk)]))
        for column in result.columns
    ]
    return render(
        request,
        "initiatives/browse/compare.html",
        {
            "entries": entries,
            "columns": result.columns,
            "errors": result.errors,
            "max_compare": compare.MAX_COMPARE,
        },
    )


def _filename(stem: str) -> str:
    return f"{stem}-{timezone.localdate().isoformat()}"


@require_safe
def initiative_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """Everything the reader may see under the current filters, up to EXPORT_LIMIT records."""
    if fmt not in exports.FORMATS:
        raise Http404("We export CSV, XLSX and JSON.")
    filters, _ = filters_from_query(request.GET)
    reader = reader_council(request.user) if filters.sort == Sort.SIMILAR else None
    found = find(request.user, filters, reader=reader, fields=None)
    total = found.results.count()
    limit = exports.EXPORT_LIMIT
    note = (
        f"{min(total, limit)} of {total} records matching your filters "
        f"(exports hold at most {limit:,}). Records private to an organisation or shared "
        "with peers are for use within the public sector, not for republication."
    )
    meta = {
        "exported_at": timezone.now().isoformat(),
        "total_matching": total,
        "limit": limit,
        "truncated": total > limit,
        "note": note,
    }
    data = exports.rows(exports.iterate(found.results, limit), request.user)
    response = exports.response(fmt, data, filename=_filename("initiatives"), meta=meta, note=note)
    response["X-Row-Limit"] = str(limit)
    response["X-Total-Matching"] = str(total)
    # A personal selection (private and peer records): never kept by shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@cache_control(public=True, max_age=3600)
def open_data_initiatives(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """Public records only, for anyone: the same for every reader, so caches may keep it.

    Deliberately reads nothing from the request's user or session (that would add
    `Vary: Cookie` and make the feed uncacheable).
    """
    if fmt not in FEED_FORMATS:
        raise Http404("The open-data feed is CSV or JSON.")
    public = AnonymousUser()
    records = initiatives_visible_to(public).order_by("pk")
    meta = {
        **exports.LICENCE,
        "generated_at": timezone.now().isoformat(),
        "source": request.build_absolute_uri(reverse("initiative-list")),
    }
    data = exports.rows(exports.iterate(records, None), public)
    response = exports.response(
        fmt, data, filename="what-works-initiatives", meta=meta, note=exports.LICENCE["attribution"]
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline"
    )
    return response  # type: ignore[return-value]
