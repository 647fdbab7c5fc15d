"""The register's one filter engine: filters, facet counts, search and sorting, all in SQL.

Everything starts from `initiatives_visible_to(user)`, so neither a result nor a count can
reach a record the reader may not see. The pages, the exports and the API all read through
`find()`, and a search is the same engine over the records that match the words (ranked by
`core.search.ranked`), so a list and a search cannot disagree about a filter, a count or an
order.

Facet counts are "disjunctive": the count beside an option is how many records you would get
by ticking it, given your choices in the *other* facets (options within one facet are
alternatives, joined with OR; facets are joined with AND). Each facet is one GROUP BY.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from whatworks.core.search import ranked
from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives.filters import (
    COST_BANDS,
    FACETS,
    FACETS_BY_NAME,
    NO_VERDICT,
    Facet,
    Filters,
    Outcome,
    Sort,
)
from whatworks.initiatives.models import (
    Initiative,
    InitiativeTag,
    LedgerLine,
    Partner,
    Status,
    Verdict,
)
from whatworks.initiatives.selectors import initiatives_visible_to
from whatworks.initiatives.similar_councils import CouncilProfile, similarity_expression
from whatworks.organisations.models import LocalAuthority

PAGE_SIZE = 50


# --- Turning filters into SQL ----------------------------------------------------------


def _band_case(column: str) -> Case:
    whens = []
    for key, _, low, high in COST_BANDS:
        if key == "none":
            continue
        condition = Q()
        if low is not None:
            condition &= Q(**{f"{column}__gte": low})
        if high is not None:
            condition &= Q(**{f"{column}__lt": high})
        whens.append(When(condition, then=Value(key)))
    return Case(*whens, default=Value("none"), output_field=CharField())


def cost_band_expression() -> Coalesce:
    """The record's cost band, from its ledger: one correlated subquery per record.

    Total cost is upfront plus a year of recurring cost, estimated or realised: the size
    of the thing. The band is worked out inside the subquery so that the sum is computed
    once per record (a CASE outside would repeat the subquery for every band). A
    denormalised, indexed `Initiative.total_cost` would make this a plain column read.
    """
    per_record = (
        LedgerLine.objects.filter(initiative_id=OuterRef("pk"), kind=LedgerLine.Kind.COST)
        .order_by()
        .values("initiative_id")
        .annotate(total=Sum("amount"))
        .annotate(band=_band_case("total"))
        .values("band")[:1]
    )
    return Coalesce(Subquery(per_record, output_field=CharField()), Value("none"))


def _with_cost_band(qs: QuerySet[Initiative], *, select: bool) -> QuerySet[Initiative]:
    # alias() keeps the subquery out of the SELECT list (and the GROUP BY) when only
    # filtering; annotate() when the band itself is wanted.
    if select:
        return qs.annotate(cost_band=cost_band_expression())
    return qs.alias(cost_band=cost_band_expression())


def _tagged(kind: str, values: Sequence[str]) -> Q:
    # Uses the (kind, value, initiative) index: no need to touch the initiative rows.
    tagged = InitiativeTag.objects.filter(kind=kind, value__in=values)
    return Q(pk__in=tagged.values("initiative_id"))


def _condition(name: str, values: Sequence[str]) -> Q:
    if name == "collaboration":
        return _tagged(InitiativeTag.Kind.COLLABORATION, values)
    if name == "mechanism":
        return _tagged(InitiativeTag.Kind.MECHANISM, values)
    if name == "verdict":
        return Q(verdict__in=["" if v == NO_VERDICT else v for v in values])
    if name == "evidence_level":
        return Q(evidence_level__in=[int(v) for v in values])
    if name == "council_type":
        return Q(organisation__local_authority__authority_type__in=values)
    if name == "region":
        return Q(organisation__local_authority__region__in=values)
    if name == "partner_kind":
        return Q(
            pk__in=Partner.objects.filter(organisation__kind__in=values).values("initiative_id")
        )
    if name == "cost_band":
        return Q(cost_band__in=values)
    return Q(**{f"{name}__in": values})  # service_area, failure_cause, status


def apply_filters(
    qs: QuerySet[Initiative], filters: Filters, *, skip: str | None = None
) -> QuerySet[Initiative]:
    """`qs` narrowed by every selected facet except `skip` (and by the outcome)."""
    if filters.outcome == Outcome.WORKED:
        qs = qs.filter(verdict=Verdict.MET)
    elif filters.outcome == Outcome.DID_NOT_WORK:
        qs = qs.filter(
            Q(verdict__in=[Verdict.NOT_MET, Verdict.INCONCLUSIVE]) | Q(status=Status.STOPPED)
        )
    for name, values in filters.selected.items():
        if name == skip or not values or name not in FACETS_BY_NAME:
            continue
        if name == "cost_band":
            qs = _with_cost_band(qs, select=False)
        qs = qs.filter(_condition(name, values))
    return qs


# --- Facet counts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool
    input_id: str


@dataclass(frozen=True)
class OptionGroup:
    legend: str
    options: list[Option]


@dataclass(frozen=True)
class FacetCounts:
    facet: Facet
    groups: list[OptionGroup]
    selected: list[Option]
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.facet.name

    @property
    def label(self) -> str:
        return self.facet.label


def _ids(qs: QuerySet[Initiative]) -> QuerySet[Any]:
    return qs.order_by().values("pk")


def _count_values(qs: QuerySet[Any], column: str, count: str = "pk") -> dict[str, int]:
    rows = qs.order_by().values(column).annotate(n=Count(count)).values_list(column, "n")
    return {("" if value is None else str(value)): n for value, n in rows}


def _raw_counts(name: str, base: QuerySet[Initiative]) -> dict[str, int]:
    """{value: count} for one facet over `base`, in one GROUP BY query."""
    if name in ("collaboration", "mechanism"):
        tags = InitiativeTag.objects.filter(kind=name, initiative_id__in=_ids(base))
        return _count_values(tags, "value", "initiative_id")
    if name == "partner_kind":
        partners = Partner.objects.filter(initiative_id__in=_ids(base))
        rows = (
            partners.order_by()
            .values("organisation__kind")
            .annotate(n=Count("initiative_id", distinct=True))
            .values_list("organisation__kind", "n")
        )
        return dict(rows)
    if name == "council_type":
        return _count_values(base, "organisation__local_authority__authority_type")
    if name == "region":
        return _count_values(base, "organisation__local_authority__region")
    if name == "cost_band":
        return _count_values(_with_cost_band(base, select=True), "cost_band")
    counts = _count_values(base, name)
    if name == "verdict":
        counts[NO_VERDICT] = counts.pop("", 0)
    return counts


def _data_labels(name: str, values: set[str]) -> dict[str, str]:
    if name == "council_type" and values:
        # One small query over the reference data for the labels ("Non-metropolitan district").
        return dict(
            LocalAuthority.objects.filter(authority_type__in=values)
            .order_by()
            .values_list("authority_type", "authority_type_name")
            .distinct()
        )
    return {value: value for value in values}


def _build_facets(
    counts_for: Callable[[str], dict[str, int]],
    filters: Filters,
    errors: Mapping[str, Any] | None,
) -> list[FacetCounts]:
    result = []
    for facet in FACETS:
        counts = counts_for(facet.name)
        chosen = set(filters.values(facet.name))
        if facet.choices:
            options = [(value, label) for value, label in facet.choices]
        else:
            present = {v for v, n in counts.items() if v and n} | chosen
            labels = _data_labels(facet.name, present)
            options = sorted(((v, labels.get(v, v)) for v in present), key=lambda o: o[1])
        made = {
            value: Option(
                value=value,
                label=label,
                count=counts.get(value, 0),
                selected=value in chosen,
                input_id=f"id_{facet.name}" if index == 0 else f"id_{facet.name}-{index + 1}",
            )
            for index, (value, label) in enumerate(options)
        }
        if facet.groups:
            groups = [
                OptionGroup(legend, [made[v] for v in values if v in made])
                for legend, values in facet.groups
            ]
        else:
            groups = [OptionGroup(facet.label, list(made.values()))]
        result.append(
            FacetCounts(
                facet=facet,
                groups=groups,
                selected=[o for o in made.values() if o.selected],
                errors=[str(e) for e in (errors or {}).get(facet.name, [])],
            )
        )
    return result


def facet_counts(
    base: QuerySet[Initiative], filters: Filters, errors: Mapping[str, Any] | None = None
) -> list[FacetCounts]:
    """Counts over the database: one GROUP BY per facet."""
    return _build_facets(
        lambda name: _raw_counts(name, apply_filters(base, filters, skip=name)),
        filters,
        errors,
    )


# --- Putting it together -----------------------------------------------------------------

LIST_FIELDS = [
    "id",
    "title",
    "summary",
    "service_area",
    "status",
    "verdict",
    "evidence_level",
    "failure_cause",
    "pseudonymous",
    "visibility",
    "embargo_until",
    "updated_at",
    "organisation_id",
    "organisation__name",
    "organisation__kind",
    "organisation__local_authority__authority_type",
    "organisation__local_authority__authority_type_name",
    "organisation__local_authority__region",
    "organisation__local_authority__nation",
    "organisation__local_authority__population",
]


@dataclass
class Found:
    """The outcome of a browse: the ordered results and what the reader can filter by."""

    filters: Filters
    results: QuerySet[Initiative]
    sort: str
    searching: bool
    reader: CouncilProfile | None
    base: QuerySet[Initiative]  # before the facets: what the facet counts start from

    def page(self, number: Any) -> Page:
        return Paginator(self.results, PAGE_SIZE).get_page(number)

    def facets(self, errors: Mapping[str, Any] | None = None) -> list[FacetCounts]:
        return facet_counts(self.base, self.filters, errors)


def effective_sort(filters: Filters, reader: CouncilProfile | None) -> str:
    sort = filters.sort
    if sort == Sort.RELEVANCE and not filters.q:
        sort = ""
    if sort == Sort.SIMILAR and reader is None:
        sort = ""
    return sort or (Sort.RELEVANCE if filters.q else Sort.NEWEST)


def find(
    user: Any,
    filters: Filters,
    *,
    reader: CouncilProfile | None = None,
    queryset: QuerySet[Initiative] | None = None,
    fields: Sequence[str] | None = LIST_FIELDS,
) -> Found:
    """The records `user` may see that match `filters`, in the order asked for.

    `reader` is the reader's council (`reader_council(user)`), needed to sort by
    similarity. `queryset` narrows the start further (the open-data feed passes public
    records); it must come from `initiatives_visible_to`. With search words, the start is
    the records that match them (`core.search.ranked`), and everything else is the same.
    """
    base = queryset if queryset is not None else initiatives_visible_to(user)
    sort = effective_sort(filters, reader)
    if fields:
        base = base.only(*fields)
    if filters.organisation:
        base = base.filter(organisation__slug=filters.organisation).filter(
            Q(pseudonymous=False) | Q(organisation_id__in=member_organisation_ids(user))
        )
    if filters.q:
        base = ranked(base, filters.q)
    qs = apply_filters(base, filters)
    if sort == Sort.SIMILAR and reader is not None:
        qs = qs.annotate(
            similarity=similarity_expression(reader, member_organisation_ids(user))
        ).order_by("-similarity", "-updated_at", "-id")
    elif sort == Sort.EVIDENCE:
        qs = qs.order_by(F("evidence_level").desc(nulls_last=True), "-updated_at", "-id")
    elif sort == Sort.RELEVANCE:
        # search_rank is annotated by core.search.ranked, which the plugin cannot see.
        qs = qs.order_by("-search_rank", "-updated_at", "-id")  # type: ignore[misc]
    else:
        qs = qs.order_by("-updated_at", "-id")
    return Found(
        filters=filters,
        results=qs,
        sort=sort,
        searching=bool(filters.q),
        reader=reader,
        base=base,
    )
