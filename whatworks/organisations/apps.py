from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "whatworks.organisations"
    label = "organisations"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from whatworks.core import demo

        demo.modules.register("whatworks.organisations.demo")
        from whatworks.organisations import panels, search_index, signals  # noqa: F401  (registrations)
