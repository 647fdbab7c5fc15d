"""Keep cached initiative pages fresh: any change to a record or its parts bumps its version."""

from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from whatworks.core.cache import bump
from whatworks.initiatives.models import (
    Goal,
    GoalAmendment,
    GoalResult,
    Initiative,
    InitiativeTag,
    LedgerLine,
    Partner,
    StatusChange,
    SustainabilityCheck,
)


def page_namespace(initiative_id: int) -> str:
    return f"initiative-page:{initiative_id}"


def _initiative_id(instance: Model) -> int | None:
    if isinstance(instance, Initiative):
        return instance.pk
    if isinstance(instance, GoalAmendment | GoalResult):
        return instance.goal.initiative_id
    return getattr(instance, "initiative_id", None)


def touched(initiative_id: int | None) -> None:
    if initiative_id is not None:
        bump(page_namespace(initiative_id))


def _changed(sender: type, instance: Model, **kwargs: Any) -> None:
    touched(_initiative_id(instance))
    if isinstance(instance, Initiative) and instance.replicated_from_id:
        touched(instance.replicated_from_id)  # the original lists its replications


PARTS = (
    Initiative,
    Goal,
    GoalAmendment,
    GoalResult,
    InitiativeTag,
    LedgerLine,
    Partner,
    StatusChange,
    SustainabilityCheck,
)
for model in PARTS:
    post_save.connect(_changed, sender=model, dispatch_uid=f"page-{model.__name__}-save")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"page-{model.__name__}-delete")
