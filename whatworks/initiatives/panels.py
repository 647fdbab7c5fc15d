"""Sections other apps add to an initiative's page: its trials and pooled evidence, its forum
questions, the staff idea it came from, a welfare scheme's outcomes.

An app registers a function in its AppConfig.ready(). Given the initiative and the reader
(AnonymousUser for the public), the function returns a Panel to show, or None. The page is
rendered once per reader, but the anonymous page is cached: an app whose panel shows data
must call `whatworks.initiatives.signals.touched()` (or send a model signal the register
listens to) whenever that data changes, and must show the anonymous reader only public data.
"""

from __future__ import annotations

from typing import Any

from whatworks.core.registry import Panel, PanelRegistry

__all__ = ["Panel", "panels_for", "register"]

registry = PanelRegistry("initiative page panels")
register = registry.register


def panels_for(initiative: Any, user: Any) -> list[Panel]:
    return registry.panels(initiative, user)
