from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "whatworks.ideas"

    def ready(self) -> None:
        from whatworks.core import demo

        demo.modules.register("whatworks.ideas.demo")
        from whatworks.ideas import panels, rules  # noqa: F401
        from whatworks.initiatives.panels import register

        register(panels.came_from_staff_idea)
        from whatworks.ideas.home import campaigns_section
        from whatworks.ui import home

        home.register(campaigns_section)  # campaigns in progress on the signed-in home
        from whatworks.ideas.measures import goal_offers
        from whatworks.initiatives import hooks

        hooks.goal_metrics.register(goal_offers)  # the campaigns' figures feed their goals
