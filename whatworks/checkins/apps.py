from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "whatworks.checkins"

    def ready(self) -> None:
        from whatworks.core import demo

        demo.modules.register("whatworks.checkins.demo")
        from whatworks.checkins import rules, tasks  # noqa: F401  (permissions, periodic jobs)
        from whatworks.checkins.outcomes import goal_offers, initiative_panel
        from whatworks.initiatives import hooks, panels

        panels.register(initiative_panel)
        from whatworks.checkins.home import schemes_section, tasks_section
        from whatworks.organisations import panels as organisation_panels
        from whatworks.ui import home

        home.register(tasks_section)  # a coordinator's open tasks on the signed-in home
        organisation_panels.register(schemes_section)
        hooks.goal_metrics.register(goal_offers)  # the scheme's figures feed its goals

        from django.db.models.signals import post_delete, post_save

        from whatworks.checkins.models import EscalationRule, Question, QuestionModule
        from whatworks.checkins.selectors import QUESTIONS_CACHE
        from whatworks.core import cache

        def questions_changed(sender: type, **kwargs: object) -> None:
            cache.bump(QUESTIONS_CACHE)  # the lists cache the question sets and their forms

        # weak=False: a function defined here is gone once ready() returns, and a weak
        # receiver goes with it (the cache was then never bumped, unless something else
        # happened to hold the function).
        for model in (Question, QuestionModule, EscalationRule):  # rules mark emergencies
            post_save.connect(
                questions_changed, sender=model, weak=False, dispatch_uid=f"checkins-{model}"
            )
            post_delete.connect(
                questions_changed, sender=model, weak=False, dispatch_uid=f"checkins-d-{model}"
            )
