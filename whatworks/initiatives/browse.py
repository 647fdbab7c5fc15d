"""Finding records in the register: filters, facet counts, search and sorting.

Everything starts from `initiatives_visible_to(user)`, so neither a result nor a count
can reach a record the reader may not see. The pages, the exports and the API all read
through `find()` here, so they cannot disagree about what a filter means.

Facet counts are "disjunctive": the count beside an option is how many records you would
get by ticking it, given your choices in the *other* facets (options within one facet are
alternatives, joined with OR; facets are joined with AND). Each facet is one GROUP BY.

Owner names never appear here: facets by owner use the council's type and region, which
are exactly what a pseudonymous record shows ("a district council in the South East").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from whatworks.core.formatting import show_number
from whatworks.core.search import search
from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives import similarity
from whatworks.initiatives.ledger import LedgerSummary, summarise
from whatworks.initiatives.models import (
    EAST,
    MARYLAND_LEVEL,
    MINDSPACE,
    Collaboration,
    Direction,
    FailureCause,
    Goal,
    GoalResult,
    Initiative,
    InitiativeTag,
    LedgerLine,
    Mechanism,
    Partner,
    ServiceArea,
    Status,
    Verdict,
    owner_label,
)
from whatworks.initiatives.selectors import initiatives_visible_to, primary_results
from whatworks.organisations.models import LocalAuthority, Organisation, OrganisationKind

PAGE_SIZE = 50
MAX_VALUES_PER_FACET = 30


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    EVIDENCE = "evidence"
    SIMILAR = "similar"

    choices = [
        (RELEVANCE, "Best match"),
        (NEWEST, "Recently updated"),
        (EVIDENCE, "Strongest evidence"),
        (SIMILAR, "Councils like mine"),
    ]


class Outcome:
    WORKED = "worked"
    DID_NOT_WORK = "did-not-work"

    choices = [(WORKED, "What worked"), (DID_NOT_WORK, "What didn't work")]


# Bands of total cost (upfront plus a year of recurring cost, estimated or realised).
COST_BANDS: list[tuple[str, str, int | None, int | None]] = [
    ("under-10k", "Under £10,000", None, 10_000),
    ("10k-100k", "£10,000 to £100,000", 10_000, 100_000),
    ("100k-1m", "£100,000 to £1 million", 100_000, 1_000_000),
    ("over-1m", "Over £1 million", 1_000_000, None),
    ("none", "No costs recorded", None, None),
]
NO_VERDICT = "none"
EVIDENCE_LEVELS = [
    (str(level), f"Level {level}: {design.label.lower()}")
    for design, level in sorted(MARYLAND_LEVEL.items(), key=lambda item: item[1])
]


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    # Fixed options; empty when the options come from the data (council type, region).
    choices: tuple[tuple[str, str], ...] = ()
    # Sub-groups shown as separate fieldsets (the EAST and MINDSPACE checklists).
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()


FACETS: tuple[Facet, ...] = (
    Facet("service_area", "Service area", tuple(ServiceArea.choices)),
    Facet("collaboration", "Who it involves", tuple(Collaboration.choices)),
    Facet(
        "mechanism",
        "Mechanism",
        tuple(Mechanism.choices),
        groups=(
            ("EAST: easy, attractive, social, timely", tuple(m.value for m in EAST)),
            ("MINDSPACE", tuple(m.value for m in MINDSPACE)),
        ),
    ),
    Facet("verdict", "Verdict", (*Verdict.choices, (NO_VERDICT, "No result yet"))),
    Facet("failure_cause", "Why it didn't work", tuple(FailureCause.choices)),
    Facet("status", "Status", tuple(Status.choices)),
    Facet("evidence_level", "Evidence level (Maryland scale)", tuple(EVIDENCE_LEVELS)),
    Facet("council_type", "Type of council"),
    Facet("region", "Region"),
    Facet("partner_kind", "Partners", tuple(OrganisationKind.choices)),
    Facet("cost_band", "Total cost", tuple((key, label) for key, label, _, _ in COST_BANDS)),
)
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}


# --- What the reader asked for ---------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    selected: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    outcome: str = ""
    sort: str = ""

    def values(self, name: str) -> tuple[str, ...]:
        return self.selected.get(name, ())

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.outcome or any(self.selected.values()))


class _AnyValuesField(forms.MultipleChoiceField):
    """Options that come from the data: any short value is acceptable (it just matches nothing)."""

    def valid_value(self, value: str) -> bool:
        # No NUL: PostgreSQL refuses it in a query parameter.
        return 0 < len(value) <= 100 and "\x00" not in value


class BrowseForm(forms.Form):
    """Validates the query string. A bad value is reported and ignored, never a 500."""

    q = forms.CharField(label="Search the register", max_length=200, required=False)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "All records"), *Outcome.choices],
        required=False,
        error_messages={"invalid_choice": "Choose ‘what worked’ or ‘what didn't work’"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        choices=Sort.choices,
        required=False,
        error_messages={"invalid_choice": "Choose a sort order from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for facet in FACETS:
            messages = {
                "invalid_choice": f"“%(value)s” is not one of the {facet.label.lower()} "
                "options: choose from the list",
                "invalid_list": f"Choose {facet.label.lower()} from the list",
            }
            field_class = forms.MultipleChoiceField if facet.choices else _AnyValuesField
            self.fields[facet.name] = field_class(
                label=facet.label,
                choices=facet.choices,
                required=False,
                error_messages=messages,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for facet in FACETS:
            if len(cleaned.get(facet.name) or ()) > MAX_VALUES_PER_FACET:
                self.add_error(facet.name, f"Choose at most {MAX_VALUES_PER_FACET} options")
        return cleaned

    def filters(self, *, outcome: str = "") -> Filters:
        """What to filter by: the valid parts of the query (`is_valid()` must have run)."""
        data = getattr(self, "cleaned_data", {})
        return Filters(
            q=(data.get("q") or "").strip(),
            selected={
                facet.name: tuple(dict.fromkeys(data.get(facet.name) or ()))
                for facet in FACETS
                if data.get(facet.name)
            },
            outcome=outcome or data.get("outcome") or "",
            sort=data.get("sort") or "",
        )


def filters_from_query(params: Any, *, outcome: str = "") -> tuple[Filters, BrowseForm]:
    form = BrowseForm(params)
    form.is_valid()
    return form.filters(outcome=outcome), form


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
    labels_for: Callable[[str, set[str]], dict[str, str]],
) -> list[FacetCounts]:
    result = []
    for facet in FACETS:
        counts = counts_for(facet.name)
        chosen = set(filters.values(facet.name))
        if facet.choices:
            options = [(value, label) for value, label in facet.choices]
        else:
            present = {v for v, n in counts.items() if v and n} | chosen
            labels = labels_for(facet.name, present)
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
        _data_labels,
    )


# --- Counting in memory, for a search (at most 200 records) --------------------------------


def _attributes(records: list[Initiative]) -> dict[int, dict[str, set[str]]]:
    """Each record's value(s) for every facet: three small queries for the related rows.

    A search returns at most 200 records; reading their facets once and counting in
    Python beats eleven GROUP BY queries whose plans the database may get wrong.
    """
    ids = [r.pk for r in records]
    attrs: dict[int, dict[str, set[str]]] = {}
    for r in records:
        la = r.organisation.local_authority
        attrs[r.pk] = {
            "service_area": {r.service_area},
            "verdict": {r.verdict or NO_VERDICT},
            "failure_cause": {r.failure_cause} if r.failure_cause else set(),
            "status": {r.status},
            "evidence_level": {str(r.evidence_level)} if r.evidence_level else set(),
            "council_type": {la.authority_type} if la and la.authority_type else set(),
            "region": {la.region} if la and la.region else set(),
            "collaboration": set(),
            "mechanism": set(),
            "partner_kind": set(),
            "cost_band": {"none"},
        }
    for initiative_id, kind, value in InitiativeTag.objects.filter(
        initiative_id__in=ids
    ).values_list("initiative_id", "kind", "value"):
        attrs[initiative_id][kind].add(value)
    for initiative_id, kind in Partner.objects.filter(initiative_id__in=ids).values_list(
        "initiative_id", "organisation__kind"
    ):
        attrs[initiative_id]["partner_kind"].add(kind)
    totals = (
        LedgerLine.objects.filter(initiative_id__in=ids, kind=LedgerLine.Kind.COST)
        .order_by()
        .values("initiative_id")
        .annotate(total=Sum("amount"))
        .values_list("initiative_id", "total")
    )
    for initiative_id, total in totals:
        attrs[initiative_id]["cost_band"] = {band_for(total)}
    return attrs


def band_for(total: Decimal | None) -> str:
    if total is None:
        return "none"
    for key, _, low, high in COST_BANDS:
        if key != "none" and (low is None or total >= low) and (high is None or total < high):
            return key
    return "none"


def _outcome_matches(record: Initiative, outcome: str) -> bool:
    if outcome == Outcome.WORKED:
        return record.verdict == Verdict.MET
    if outcome == Outcome.DID_NOT_WORK:
        return record.verdict in (Verdict.NOT_MET, Verdict.INCONCLUSIVE) or (
            record.status == Status.STOPPED
        )
    return True


def _matches(attrs: dict[str, set[str]], filters: Filters, skip: str | None = None) -> bool:
    return all(
        attrs[name] & set(values)
        for name, values in filters.selected.items()
        if name != skip and values and name in attrs
    )


def _memory_labels(records: list[Initiative]) -> Callable[[str, set[str]], dict[str, str]]:
    """Labels for the facets whose options come from the data, from records in memory."""
    type_names: dict[str, str] = {}
    for record in records:
        la = record.organisation.local_authority
        if la is not None:
            type_names[la.authority_type] = la.authority_type_name

    def labels(name: str, values: set[str]) -> dict[str, str]:
        known = type_names if name == "council_type" else {}
        return {value: known.get(value, value) for value in values}

    return labels


# --- Councils like mine -----------------------------------------------------------------

_LA_FIELDS = ["authority_type", "region", "nation", "population", "area_km2"]


def _profile(row: Mapping[str, Any], prefix: str = "") -> similarity.CouncilProfile:
    return similarity.CouncilProfile(
        authority_type=row[f"{prefix}authority_type"] or "",
        region=row[f"{prefix}region"] or row[f"{prefix}nation"] or "",
        population=row[f"{prefix}population"],
        area_km2=row.get(f"{prefix}area_km2"),
    )


def reader_council(user: Any) -> similarity.CouncilProfile | None:
    """The profile of the reader's council (the first, by name, if they belong to several)."""
    org_ids = member_organisation_ids(user)
    if not org_ids:
        return None
    row = (
        LocalAuthority.objects.filter(organisations__pk__in=org_ids, organisations__is_active=True)
        .order_by("organisations__name")
        .values(*_LA_FIELDS)
        .first()
    )
    return _profile(row) if row else None


def similarity_expression(
    reader: similarity.CouncilProfile, viewer_org_ids: frozenset[int]
) -> Case | Value:
    """A SQL score per record: how alike its owning council is to the reader's.

    Scored in Python (similarity.py) once per council, then written into the query as a
    CASE on the owner's id. A pseudonymous record is scored only on what its pseudonym
    shows (type and region), so its place in the ranking says nothing more.
    """
    prefix = "local_authority__"
    rows = Organisation.objects.filter(local_authority__isnull=False).values(
        "pk", *[prefix + name for name in _LA_FIELDS]
    )
    named: dict[int, list[int]] = {}
    pseudonymous: dict[int, list[int]] = {}
    for row in rows:
        profile = _profile(row, prefix)
        named.setdefault(round(100 * similarity.similarity(reader, profile)), []).append(row["pk"])
        shown = similarity.pseudonym_profile(profile)
        pseudonymous.setdefault(round(100 * similarity.similarity(reader, shown)), []).append(
            row["pk"]
        )
    by_name = Q(pseudonymous=False) | Q(organisation_id__in=viewer_org_ids)
    whens = [
        When(by_name & Q(organisation_id__in=ids), then=Value(float(score)))
        for score, ids in named.items()
    ] + [
        When(Q(pseudonymous=True) & Q(organisation_id__in=ids), then=Value(float(score)))
        for score, ids in pseudonymous.items()
    ]
    if not whens:
        return Value(0.0, output_field=FloatField())
    return Case(*whens, default=Value(0.0), output_field=FloatField())


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
    results: QuerySet[Initiative] | list[Initiative]
    sort: str
    searching: bool
    reader: similarity.CouncilProfile | None
    count_facets: Callable[[Mapping[str, Any] | None], list[FacetCounts]]

    def page(self, number: Any) -> Page:
        return Paginator(self.results, PAGE_SIZE).get_page(number)

    def facets(self, errors: Mapping[str, Any] | None = None) -> list[FacetCounts]:
        return self.count_facets(errors)


def effective_sort(filters: Filters, reader: similarity.CouncilProfile | None) -> str:
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
    reader: similarity.CouncilProfile | None = None,
    queryset: QuerySet[Initiative] | None = None,
    fields: Sequence[str] | None = LIST_FIELDS,
) -> Found:
    """The records `user` may see that match `filters`, in the order asked for.

    `reader` is the reader's council (`reader_council(user)`), needed to sort by
    similarity. `queryset` narrows the start further (the open-data feed passes public
    records); it must come from `initiatives_visible_to`.
    """
    base = queryset if queryset is not None else initiatives_visible_to(user)
    sort = effective_sort(filters, reader)
    if fields:
        base = base.only(*fields)
    if filters.q:
        return _find_in_search(user, filters, base, sort, reader)
    qs = apply_filters(base, filters)
    if sort == Sort.SIMILAR and reader is not None:
        qs = qs.annotate(
            similarity=similarity_expression(reader, member_organisation_ids(user))
        ).order_by("-similarity", "-updated_at", "-id")
    elif sort == Sort.EVIDENCE:
        qs = qs.order_by(F("evidence_level").desc(nulls_last=True), "-updated_at", "-id")
    else:
        qs = qs.order_by("-updated_at", "-id")
    return Found(
        filters=filters,
        results=qs,
        sort=sort,
        searching=False,
        reader=reader,
        count_facets=lambda errors: facet_counts(base, filters, errors),
    )


def _similarity_in_memory(
    records: list[Initiative], reader: similarity.CouncilProfile, user: Any
) -> None:
    """The same score as `similarity_expression`, for records already in memory."""
    own = member_organisation_ids(user)
    for record in records:
        la = record.organisation.local_authority
        score = 0.0
        if la is not None:
            profile = similarity.CouncilProfile(
                authority_type=la.authority_type or "",
                region=la.region or la.nation or "",
                population=la.population,
                area_km2=la.area_km2,
            )
            if record.pseudonymous and record.organisation_id not in own:
                profile = similarity.pseudonym_profile(profile)
            score = float(round(100 * similarity.similarity(reader, profile)))
        record.similarity = score  # type: ignore[attr-defined]


def _find_in_search(
    user: Any,
    filters: Filters,
    base: QuerySet[Initiative],
    sort: str,
    reader: similarity.CouncilProfile | None,
) -> Found:
    """A search: at most 200 records, best first, then narrowed by the facets in memory."""
    candidates = search(base, filters.q)
    candidates = [r for r in candidates if _outcome_matches(r, filters.outcome)]
    attrs = _attributes(candidates) if candidates else {}
    results = [r for r in candidates if _matches(attrs[r.pk], filters)]
    if sort == Sort.SIMILAR and reader is not None:
        _similarity_in_memory(results, reader, user)
        results.sort(key=lambda r: (-r.similarity, -r.updated_at.timestamp(), -r.pk))  # type: ignore[attr-defined]
    elif sort == Sort.EVIDENCE:
        results.sort(key=lambda r: (-(r.evidence_level or 0), -r.updated_at.timestamp(), -r.pk))
    elif sort == Sort.NEWEST:
        results.sort(key=lambda r: (-r.updated_at.timestamp(), -r.pk))
    # Otherwise the search's own order: best match first.

    def counts_for(name: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in candidates:
            if _matches(attrs[record.pk], filters, skip=name):
                for value in attrs[record.pk][name]:
                    counts[value] = counts.get(value, 0) + 1
        return counts

    return Found(
        filters=filters,
        results=results,
        sort=sort,
        searching=True,
        reader=reader,
        count_facets=lambda errors: _build_facets(
            counts_for, filters, errors, _memory_labels(candidates)
        ),
    )


def cost_band_label(key: str) -> str:
    return next((label for k, label, _, _ in COST_BANDS if k == key), "")


# --- Compare -----------------------------------------------------------------------------

MAX_COMPARE = 4


@dataclass(frozen=True)
class Column:
    """One record in the side-by-side comparison."""

    initiative: Initiative
    owner: str
    goal: Goal | None
    result: GoalResult | None
    criterion: str
    ledger: LedgerSummary
    replications: list[tuple[Initiative, str]]
    replication_verdicts: list[tuple[str, int]]
    figures: dict[str, str] = field(default_factory=dict)  # the goal's numbers, for reading


@dataclass(frozen=True)
class Comparison:
    columns: list[Column]
    errors: list[str]
    asked: int


def parse_ids(raw: Sequence[str]) -> tuple[list[int], list[str]]:
    """Record numbers from ?id=..., in order, without repeats; messages for the bad ones."""
    ids: list[int] = []
    errors: list[str] = []
    for value in raw:
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            errors.append(f"“{value[:20]}” is not a record number")
            continue
        if int(value) not in ids:
            ids.append(int(value))
    return ids, errors


def show_net(value: Decimal) -> str:
    if value < 0:
        return f"−£{show_number(float(-value))} (a net cost)"
    return f"£{show_number(float(value))}"


def _figures(goal: Goal | None, result: GoalResult | None, ledger: LedgerSummary) -> dict[str, str]:
    money = {
        "net_realised": show_net(ledger.realised.first_year_net),
        "net_with_estimates": show_net(ledger.with_estimates.first_year_net),
    }
    if goal is None:
        return money
    figures = {
        **money,
        "baseline": show_number(goal.baseline_value),
        "target": show_number(goal.target_value),
    }
    if result is not None:
        figures["result"] = result.summary
        if not result.is_effect and result.ci_low is not None and result.ci_high is not None:
            figures["interval"] = f"{show_number(result.ci_low)} to {show_number(result.ci_high)}"
    return figures


def criterion_text(goal: Goal) -> str:
    comparison = "at least" if goal.direction == Direction.HIGHER else "at most"
    return f"{comparison} {show_number(goal.success_threshold)} {goal.unit}".strip()


def _replication_verdicts(replications: list[Initiative]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for replication in replications:
        label = replication.get_verdict_display() if replication.verdict else "No result yet"
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items())


def comparison(user: Any, raw_ids: Sequence[str]) -> Comparison:
    ids, errors = parse_ids(raw_ids)
    if len(ids) > MAX_COMPARE:
        errors.append(
            f"You can compare up to {MAX_COMPARE} records at a time. You chose {len(ids)}: "
            "untick some and try again."
        )
        return Comparison(columns=[], errors=errors, asked=len(ids))
    if not ids:
        return Comparison(columns=[], errors=errors, asked=0)
    replications = initiatives_visible_to(user).order_by("created_at", "pk")
    found = {
        initiative.pk: initiative
        for initiative in initiatives_visible_to(user)
        .filter(pk__in=ids)
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.prefetch_related(primary_results())),
            "ledger",
            Prefetch("replications", queryset=replications),
        )
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        # The same words whether a record does not exist or the reader may not see it.
        numbers = ", ".join(str(pk) for pk in missing)
        errors.append(
            f"We could not find record{'s' if len(missing) > 1 else ''} {numbers}, or you "
            "do not have access to "
            f"{'them' if len(missing) > 1 else 'it'}"
        )
    columns = []
    for pk in ids:
        initiative = found.get(pk)
        if initiative is None:
            continue
        goal = initiative.primary_goal()
        result = goal.primary_result() if goal else None
        copies = list(initiative.replications.all())
        ledger = summarise(initiative.ledger.all())
        columns.append(
            Column(
                initiative=initiative,
                owner=owner_label(initiative, user),
                goal=goal,
                result=result,
                criterion=criterion_text(goal) if goal else "",
                ledger=ledger,
                replications=[(copy, owner_label(copy, user)) for copy in copies],
                replication_verdicts=_replication_verdicts(copies),
                figures=_figures(goal, result, ledger),
            )
        )
    return Comparison(columns=columns, errors=errors, asked=len(ids))
