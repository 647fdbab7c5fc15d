from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "whatworks.forum"
    label = "forum"
    verbose_name = "Peer network"

    def ready(self) -> None:
        from whatworks.core import demo

        demo.modules.register("whatworks.forum.demo")
        from whatworks.forum import notifications, search_index, services, signals, tasks  # noqa: F401
        from whatworks.forum.panels import questions_panel, watch_action
        from whatworks.initiatives import hooks
        from whatworks.initiatives.panels import register, register_action

        register(questions_panel)
        from whatworks.forum.organisation_panel import champions_section
        from whatworks.organisations import panels as organisation_panels

        organisation_panels.register(champions_section)
        from whatworks.forum.header import notifications_link
        from whatworks.ui.context_processors import account_links

        account_links.register(notifications_link)
        from whatworks.forum.home import questions_section
        from whatworks.ui import home

        home.register(questions_section)
        register_action(watch_action)
        from whatworks.forum.contact_links import contact_owner_action, is_champion
        from whatworks.organisations.contact import champion_checks

        register_action(contact_owner_action)
        champion_checks.register(is_champion)
        hooks.record_created.register(notifications.record_created)
        hooks.result_published.register(notifications.result_published)
        hooks.record_updated.register(services.questions_follow_record)
