from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from whatworks.core import backups


class Command(BaseCommand):
    help = "Back up the database to a new file (SQLite's online backup, or pg_dump -Fc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write the backup (must be new)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backups.backup(options["file"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        size = options["file"].stat().st_size
        self.stdout.write(f"Backed up to {options['file']} ({size:,} bytes).")
