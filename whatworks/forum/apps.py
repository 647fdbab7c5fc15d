from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "whatworks.forum"
    label = "forum"
    verbose_name = "Peer network"

    def ready(self) -> None:
        from whatworks.forum import search_index, signals, tasks  # noqa: F401
        from whatworks.forum.panels import questions_panel
        from whatworks.initiatives.panels import register

        register(questions_panel)
