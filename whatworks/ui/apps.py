from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "whatworks.ui"
    label = "ui"
    verbose_name = "User interface"
