from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _cache_table(**kwargs: Any) -> None:
    """With CACHE_URL=database the cache is a table: make it whenever the database is
    migrated (Django's createcachetable does nothing when the table exists)."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        call_command("createcachetable", verbosity=0)


class CoreConfig(AppConfig):
    name = "whatworks.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from whatworks.core import search, tasks  # noqa: F401  (signal handlers, periodic tasks)

        post_migrate.connect(_cache_table, sender=self, dispatch_uid="core-cache-table")

        from whatworks.core.forms import install_govuk_error_wording

        install_govuk_error_wording()
