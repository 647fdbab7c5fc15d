"""The register's section of the home page: what worked beside what didn't."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from whatworks.core.cache import cached
from whatworks.core.registry import Panel
from whatworks.initiatives.selectors import evidence_highlights
from whatworks.initiatives.signals import NAMESPACE


def evidence_section(request: HttpRequest) -> Panel:
    if request.user.is_authenticated:
        evidence = evidence_highlights(request.user)
    else:  # the same for every anonymous reader until the register changes
        evidence = cached(
            NAMESPACE, ("home", timezone.localdate()), lambda: evidence_highlights(None)
        )
    return Panel(template="initiatives/_home_evidence.html", context={"evidence": evidence})
