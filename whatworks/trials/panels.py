"""The trials section of an initiative's page: its trials and the evidence pooled across the
councils that tried it (registered in TrialsConfig.ready())."""

from __future__ import annotations

from typing import Any

from whatworks.initiatives.panels import Panel
from whatworks.trials.selectors import pooled_evidence


def trials_panel(initiative: Any, user: Any) -> Panel:
    # First of the panels: the trials are the record's own evidence.
    return Panel(
        template="trials/_pooled_panel.html",
        context={"pooled": pooled_evidence(user, initiative)},
        order=10,
    )
