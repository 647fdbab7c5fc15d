from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "whatworks.initiatives"
    label = "initiatives"
    verbose_name = "The initiative register"

    def ready(self) -> None:
        from whatworks.core import demo

        demo.modules.register("whatworks.initiatives.demo")
        from whatworks.initiatives import search_index, signals, tasks  # noqa: F401
        from whatworks.initiatives.home import evidence_section
        from whatworks.ui import home

        home.register(evidence_section)
        from whatworks.initiatives.home_mine import due_section, my_records_section

        home.register(due_section)
        home.register(my_records_section)
        from whatworks.initiatives.organisation_panel import records_section
        from whatworks.organisations import panels as organisation_panels

        organisation_panels.register(records_section)
