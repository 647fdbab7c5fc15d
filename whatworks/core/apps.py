from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "whatworks.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from whatworks.core import search, tasks  # noqa: F401  (signal handlers, periodic tasks)
