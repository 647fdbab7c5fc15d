"""What a production process refuses to start with (DEBUG off, outside the tests).

Each rule names the variable to change. The settings module checks last, so every value
has been read, and raises ``ConfigurationError`` with all the problems at once.
"""

from __future__ import annotations

from urllib.parse import urlparse

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def problems(
    *,
    allowed_hosts: list[str],
    site_url: str,
    email_host: str | None,
    email_use_tls: bool,
    notify_base_url: str = "https://api.notifications.service.gov.uk",
) -> list[str]:
    """The unsafe parts of a production configuration, each as a sentence naming its variable."""
    found = []
    if not allowed_hosts or any(host.strip() in {"*", ".*"} for host in allowed_hosts):
        found.append(
            "ALLOWED_HOSTS must list the site's host names; a wildcard lets anyone's host "
            "name reach the site and poisons the links in emails."
        )
    site = urlparse(site_url)
    if not site_url:
        found.append("SITE_URL must be set: it is the address used in links in emails.")
    elif site.scheme != "https" and site.hostname not in LOCAL_HOSTS:
        found.append(
            f"SITE_URL must start with https:// (got {site_url!r}): links in emails "
            "would send sign-in and reset tokens in clear."
        )
    elif site.hostname and not _allowed(site.hostname, allowed_hosts):
        found.append(
            f"SITE_URL's host {site.hostname!r} is not in ALLOWED_HOSTS: every link in an "
            "email would answer 400."
        )
    if email_host and not email_use_tls and email_host not in LOCAL_HOSTS:
        found.append(
            f"EMAIL_USE_TLS must be on to send email through {email_host!r}: messages "
            "carry personal data and sign-in links."
        )
    notify = urlparse(notify_base_url)
    if notify.scheme != "https" and notify.hostname not in LOCAL_HOSTS:
        found.append(
            f"NOTIFY_BASE_URL must start with https:// (got {notify_base_url!r}): messages "
            "carry personal data."
        )
    return found


def _allowed(host: str, allowed_hosts: list[str]) -> bool:
    for pattern in allowed_hosts:
        pattern = pattern.strip().lower()
        if host == pattern or (pattern.startswith(".") and f".{host}".endswith(pattern)):
            return True
    return False
