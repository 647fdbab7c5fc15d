from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "whatworks.measures"
    label = "measures"
