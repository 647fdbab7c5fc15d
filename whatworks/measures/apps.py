from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "whatworks.measures"
    label = "measures"

    def ready(self) -> None:
        from whatworks.measures import search_index  # noqa: F401  (the site search's metrics)
