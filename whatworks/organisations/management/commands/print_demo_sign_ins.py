import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from whatworks.organisations.demo import DEMO_PASSWORD, demo_sign_ins


class Command(BaseCommand):
    help = "Print the demo sign-ins (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            return
        address = os.environ.get("SITE_ADDRESS", "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(f"\nWhat Works is starting on {address}/")
        self.stdout.write(f"Demo sign-ins (local use only), password '{DEMO_PASSWORD}':")
        for email, what in demo_sign_ins():
            self.stdout.write(f"  {email:28} {what}")
        self.stdout.write(f"Outbox (invitations, password resets): {address}/outbox/\n")
