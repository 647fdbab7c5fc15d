from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "whatworks.trials"
    label = "trials"
