from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "whatworks.measures"
    label = "measures"

    def ready(self) -> None:
        from whatworks.measures import (
            jobs,
            search_index,  # noqa: F401  (the site search's metrics)
        )

        jobs.register()  # large files of figures are imported in the background
