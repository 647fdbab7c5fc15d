"""Sections of the home page that the apps contribute (registered in their AppConfig.ready()).

Each function takes the request and returns a Panel, or None when it has nothing for this
reader. The register adds what worked and what didn't; later apps add the reader's own work.
"""

from __future__ import annotations

from django.http import HttpRequest

from whatworks.core.registry import Panel, PanelRegistry

sections = PanelRegistry("home page sections")
register = sections.register


def sections_for(request: HttpRequest) -> list[Panel]:
    return sections.panels(request)
