"""Who pays for visits: the council (or the States), the health service, or a relative
privately, each at the scheme's rate per visit or a rate of its own. A visit keeps the payer
its person had when it was recorded; the costs per payer are among the scheme's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from whatworks.checkins import services
from whatworks.checkins.models import (
    SEEN,
    Payer,
    PayerRate,
    Resident,
    ResidentStatus,
    Scheme,
    Visit,
)

NOT_RECORDED = "Not recorded"


def rates(scheme: Scheme) -> dict[str, Decimal]:
    """The rate per visit for each payer ("" for people whose payer is not recorded)."""
    own = {r.payer: r.cost_per_visit for r in scheme.rates.all()}
    return {"": scheme.cost_per_visit, **{p: own.get(p, scheme.cost_per_visit) for p in Payer}}


@transaction.atomic
def rates_save(*, scheme: Scheme, actor: Any, **by_payer: Decimal | None) -> None:
    """Set each payer's rate; None means the scheme's own rate."""
    for payer in Payer:
        rate = by_payer.get(f"rate_{payer}")
        if rate is None:
            PayerRate.objects.filter(scheme=scheme, payer=payer).delete()
        elif rate < 0:
            raise ValidationError({f"rate_{payer}": "Cost per visit must be £0 or more"})
        else:
            PayerRate.objects.update_or_create(
                scheme=scheme, payer=payer, defaults={"cost_per_visit": rate}
            )
    services.audit_event("funding.rates_saved", scheme, scheme, actor)


@transaction.atomic
def payer_set(*, resident: Resident, payer: str, actor: Any) -> Resident:
    if payer not in Payer.values:
        raise ValidationError({"payer": "Select who pays for the visits"})
    if resident.status == ResidentStatus.ERASED:
        raise ValidationError("This record has been erased.")
    resident.payer = payer
    resident.save(update_fields=["payer"])
    services.audit_event("resident.payer_set", resident, resident.scheme, actor, payer=payer)
    return resident


@dataclass(frozen=True)
class PayerCosts:
    label: str
    people: int
    visits: int
    rate: Decimal

    @property
    def cost(self) -> Decimal:
        return self.rate * self.visits


def costs(scheme: Scheme, month: date) -> list[PayerCosts]:
    """Each payer's people (on the scheme now), visits delivered in `month`, and cost."""
    by_payer = rates(scheme)
    people = dict(
        Resident.objects.filter(scheme=scheme, status=ResidentStatus.ACTIVE)
        .values("payer")
        .annotate(n=Count("id"))
        .values_list("payer", "n")
    )
    visits = dict(
        Visit.objects.filter(
            resident__scheme=scheme,
            outcome__in=SEEN,
            visited_on__year=month.year,
            visited_on__month=month.month,
        )
        .values("payer")
        .annotate(n=Count("id"))
        .values_list("payer", "n")
    )
    labels = [(p.value, p.label) for p in Payer] + [("", NOT_RECORDED)]
    return [
        PayerCosts(label, people.get(payer, 0), visits.get(payer, 0), by_payer[payer])
        for payer, label in labels
        if payer or people.get("") or visits.get("")
    ]
