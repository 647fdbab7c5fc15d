from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "whatworks.organisations"
    label = "organisations"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from whatworks.core import demo

        demo.modules.register("whatworks.organisations.demo")
        from whatworks.organisations import panels, search_index, signals  # noqa: F401  (registrations)
        from whatworks.organisations.home import campaigns_section, schemes_section, tasks_section
        from whatworks.ui import home

        home.register(tasks_section)
        home.register(campaigns_section)
        panels.register(schemes_section)
