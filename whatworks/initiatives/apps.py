from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "whatworks.initiatives"
    label = "initiatives"
    verbose_name = "The initiative register"

    def ready(self) -> None:
        from whatworks.initiatives import search_index, signals, tasks  # noqa: F401
