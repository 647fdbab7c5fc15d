import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from whatworks.core import backups


class Command(BaseCommand):
    help = (
        "Check the database: the engine's own integrity check, references between rows, "
        "and every migration applied. With --counts, print the rows in each table as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--counts", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        found = backups.problems()
        if found:
            raise CommandError("The database fails its checks:\n" + "\n".join(found))
        if options["counts"]:
            self.stdout.write(json.dumps(backups.row_counts()))
        else:
            self.stdout.write("The database passes its checks.")
