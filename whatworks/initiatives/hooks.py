"""Points in the register's services where higher apps act (registered in their
AppConfig.ready()). Each hook runs inside the service's transaction, with the saved record,
so what it writes (notifications in the outbox, copies of the visibility) commits or rolls
back with the change itself.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from whatworks.core.registry import HookRegistry, Registry

#: A record was registered (`initiative_create`).
record_created = HookRegistry("initiative created")
#: A record's fields changed (`initiative_update`): its visibility or embargo may have.
record_updated = HookRegistry("initiative updated")
#: A record's result was published (`initiative_change_status` to published).
result_published = HookRegistry("result published")


@dataclass(frozen=True)
class MetricOffer:
    """A metric a scheme keeps for an initiative, offered to its goals: a goal whose name
    contains ``phrase`` (any case) is linked to ``metric``, with the default baseline rule and
    design (``design`` applies when the goal has a judge-by date)."""

    phrase: str
    metric: Any
    design: str = "before_after"
    baseline_rule: str = "last_periods"
    baseline_periods: int = 12


#: Functions of an initiative giving the `MetricOffer`s of the schemes that feed it.
goal_metrics: Registry[Callable[[Any], list[MetricOffer]]] = Registry("goal metrics")
