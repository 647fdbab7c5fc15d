from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from whatworks.core import backups


class Command(BaseCommand):
    help = "Restore a backup into the database DATABASE_URL names, which must be new and empty."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a file written by backup_database")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backups.restore(options["file"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        found = backups.problems()
        if found:
            raise CommandError("Restored, but the copy fails its checks:\n" + "\n".join(found))
        self.stdout.write(f"Restored {options['file']}; the database passes its checks.")
