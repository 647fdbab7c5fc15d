"""Sections other apps add to an organisation's page: its records, trials, schemes, champions.

An app registers a function in its AppConfig.ready(); given the organisation and the reader
(AnonymousUser for the public) it returns a Panel, or None when it has nothing to show. Each
function applies its own visibility: a reader sees only what they may see elsewhere.
"""

from __future__ import annotations

from typing import Any

from whatworks.core.registry import Panel, PanelRegistry

registry = PanelRegistry("organisation page sections")
register = registry.register


def panels_for(organisation: Any, user: Any) -> list[Panel]:
    return registry.panels(organisation, user)
