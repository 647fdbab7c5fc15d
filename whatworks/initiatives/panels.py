"""Sections other apps add to an initiative's page: its trials and pooled evidence, its forum
questions, the staff idea it came from, a welfare scheme's outcomes.

An app registers a function in its AppConfig.ready(). Given the initiative and the reader
(AnonymousUser for the public), the function returns a Panel to show, or None. The page's
body is cached for every reader who cannot change the record, per set of memberships (the
organisations and roles that decide what a reader sees): so a panel may depend on the reader's
organisations and roles but nothing else about them, and an app whose panel shows data must
call `whatworks.initiatives.signals.touched()` (or send a model signal the register listens
to) whenever that data changes. What differs from person to person (whether they watch the
record) is an action (`register_action`), rendered on every request.
"""

from __future__ import annotations

from typing import Any

from whatworks.core.registry import Panel, PanelRegistry

__all__ = ["ACTIONS_MARKER", "Panel", "panels_for", "register", "register_action"]

registry = PanelRegistry("initiative page panels")
register = registry.register

#: What this reader can do with the record that differs from person to person (watching it):
#: rendered on every request into the page's cached body, where it shows ACTIONS_MARKER.
actions = PanelRegistry("initiative page actions for the reader")
register_action = actions.register
ACTIONS_MARKER = "<!--reader-actions-->"


def panels_for(initiative: Any, user: Any) -> list[Panel]:
    return registry.panels(initiative, user)
