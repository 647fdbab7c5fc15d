from typing import Any

from django.core.management.base import BaseCommand, CommandError

from whatworks.organisations.demo import DemoDataRefused, load_demo_data


class Command(BaseCommand):
    help = "Create the demo organisations and people (only when DEBUG is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            orgs, people = load_demo_data()
        except DemoDataRefused as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            self.stdout.write(f"Demo data: {orgs} organisations and {people} people created.")
