from typing import Any

from django.core.management.base import BaseCommand, CommandError

from whatworks.checkins.demo import load_demo as load_demo_checkins
from whatworks.forum.demo import load_demo as load_demo_forum
from whatworks.ideas.demo import load_demo as load_demo_ideas
from whatworks.initiatives.demo import load_demo_initiatives
from whatworks.organisations.demo import DemoDataRefused, load_demo_data
from whatworks.trials.demo import load_demo_trials


class Command(BaseCommand):
    help = "Create the demo organisations, people and initiatives (only when DEBUG is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            orgs, people = load_demo_data()
            # The report's cases; they need the demo organisations and people above.
            initiatives = load_demo_initiatives()
            # Synthetic trials (each on its own labelled record); idempotent, DEBUG only.
            trials = load_demo_trials()
            # The later apps' demos build on the records above; each returns a summary line.
            later = [load() for load in (load_demo_forum, load_demo_ideas, load_demo_checkins)]
        except DemoDataRefused as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            self.stdout.write(
                f"Demo data: {orgs} organisations, {people} people and {initiatives} "
                f"initiatives created; {trials} synthetic demo trials created."
            )
            for line in filter(None, later):
                self.stdout.write(line)
