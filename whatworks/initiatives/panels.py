"""Sections other apps add to an initiative's page: its forum questions, the staff idea it
came from, a welfare scheme's outcomes.

An app registers a function in its AppConfig.ready(). Given the initiative and the reader
(AnonymousUser for the public), the function returns a Panel to show, or None. The page is
rendered once per reader, but the anonymous page is cached: an app whose panel shows data
must call `whatworks.initiatives.signals.touched()` (or send a model signal the register
listens to) whenever that data changes, and must show the anonymous reader only public data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str  # rendered with the initiative page's context plus `panel` (this object)
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50  # lower comes first


PanelFunction = Callable[[Any, Any], "Panel | None"]
_registry: list[PanelFunction] = []


def register(function: PanelFunction) -> PanelFunction:
    if function not in _registry:
        _registry.append(function)
    return function


def panels_for(initiative: Any, user: Any) -> list[Panel]:
    found = [panel for function in _registry if (panel := function(initiative, user))]
    return sorted(found, key=lambda panel: panel.order)
