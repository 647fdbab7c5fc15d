from typing import Any

from django.core.management.base import BaseCommand, CommandError

from whatworks.core.demo import DemoDataRefused, load_all


class Command(BaseCommand):
    help = "Create the demo organisations, people, records and schemes (only when DEBUG is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lines = load_all()
        except DemoDataRefused as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            for line in lines:
                self.stdout.write(line)
