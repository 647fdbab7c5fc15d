"""Print a demo account's current two-factor code, so a demo sign-in needs no phone."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from whatworks.checkins.twofactor import demo_code


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of a demo account (an address ending .demo; only "
        "when DEBUG is on), setting up its authenticator if it has none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the demo account, like postie@jerseypost.demo")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = demo_code(options["email"])
        except (PermissionError, LookupError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(code)
