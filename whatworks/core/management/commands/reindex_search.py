"""Rebuild the search index of every registered model (after a bulk import, or when a new
kind of record becomes searchable, such as trials and metrics)."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from whatworks.core import search


class Command(BaseCommand):
    help = "Rebuild the full-text search index for every searchable kind of record."

    def handle(self, *args: Any, **options: Any) -> None:
        for label in search.registered_models():
            count = search.reindex(apps.get_model(label))
            self.stdout.write(f"{label}: {count} indexed")
