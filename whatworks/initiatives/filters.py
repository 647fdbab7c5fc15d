"""What a reader asks the register for: the facets, a validated query, and the sort orders.

The browse page, the exports and the API all turn their input into `Filters` here, and
`finding.find()` turns `Filters` into SQL, so they cannot disagree about what a filter means.

Owner names never appear in a facet: facets by owner use the council's type and region, which
are exactly what a pseudonymous record shows ("a district council in the South East").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms

from whatworks.initiatives.models import (
    EAST,
    MARYLAND_LEVEL,
    MINDSPACE,
    Collaboration,
    FailureCause,
    Mechanism,
    ServiceArea,
    Status,
    Verdict,
)
from whatworks.organisations.models import OrganisationKind

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
    # One owner's records, by the organisation's slug (never a pseudonymous record of
    # another organisation: see finding.find). Not a facet: owner names never are.
    organisation: str = ""

    def values(self, name: str) -> tuple[str, ...]:
        return self.selected.get(name, ())


class _AnyValuesField(forms.MultipleChoiceField):
    """Options that come from the data: any short value is acceptable (it just matches nothing)."""

    def valid_value(self, value: str) -> bool:
        # No NUL: PostgreSQL refuses it in a query parameter.
        return 0 < len(value) <= 100 and "\x00" not in value


class BrowseForm(forms.Form):
    """Validates the query string. A bad value is reported and ignored, never a 500."""

    q = forms.CharField(label="Search the register", max_length=200, required=False)
    organisation = forms.SlugField(
        label="Organisation",
        max_length=100,
        required=False,
        error_messages={"invalid": "Choose an organisation from its page"},
    )
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
            organisation=data.get("organisation") or "",
        )


def filters_from_query(params: Any, *, outcome: str = "") -> tuple[Filters, BrowseForm]:
    form = BrowseForm(params)
    form.is_valid()
    return form.filters(outcome=outcome), form
