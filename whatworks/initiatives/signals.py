"""Keep cached initiative pages and lists fresh: any change to a record or any of its parts
bumps the "initiatives" cache version (writes are rare next to reads, so one version for
the whole register keeps this simple and safe)."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from whatworks.core.cache import bump
from whatworks.initiatives.models import (
    Decision,
    Goal,
    GoalAmendment,
    GoalResult,
    Initiative,
    InitiativeTag,
    LedgerLine,
    Partner,
    PrimaryResultChange,
    ResultDraft,
    ResultJudgement,
    StatusChange,
    SustainabilityCheck,
)

NAMESPACE = "initiatives"


def touched() -> None:
    """Call after writes that send no signal (QuerySet.update)."""
    bump(NAMESPACE)


def _changed(sender: type, **kwargs: Any) -> None:
    touched()


PARTS = (
    Initiative,
    Goal,
    GoalAmendment,
    GoalResult,
    InitiativeTag,
    LedgerLine,
    Partner,
    PrimaryResultChange,
    ResultDraft,
    ResultJudgement,
    StatusChange,
    SustainabilityCheck,
    Decision,
)
for model in PARTS:
    post_save.connect(_changed, sender=model, dispatch_uid=f"cache-{model.__name__}-save")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"cache-{model.__name__}-delete")
