from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "whatworks.trials"
    label = "trials"

    def ready(self) -> None:
        from whatworks.core import demo

        demo.modules.register("whatworks.trials.demo")
        from whatworks.trials import jobs

        jobs.register()  # large outcome files are checked and imported in the background
        from whatworks.organisations import panels as organisation_panels
        from whatworks.trials import search_index  # noqa: F401  (the site search's trials)
        from whatworks.trials.organisation_panel import trials_section

        organisation_panels.register(trials_section)
        from whatworks.initiatives.panels import register
        from whatworks.trials.panels import trials_panel

        register(trials_panel)
        # Trials show on initiative pages, which are cached: a trial's changes bump them too.
        from django.db.models.signals import post_delete, post_save

        from whatworks.initiatives.signals import touched
        from whatworks.trials import models

        def changed(sender: type, **kwargs: object) -> None:
            touched()

        # weak=False: `changed` is local to ready(), and a weak receiver would be collected
        # with it once ready() returns.
        for model in (models.Trial, models.TrialArm, models.TrialStatusChange, models.TrialResult):
            post_save.connect(
                changed, sender=model, weak=False, dispatch_uid=f"cache-{model.__name__}-save"
            )
            post_delete.connect(
                changed, sender=model, weak=False, dispatch_uid=f"cache-{model.__name__}-delete"
            )

        # A goal's criterion changed after a trial's outcomes or series arrived is post hoc.
        from whatworks.initiatives import outcomes
        from whatworks.trials.selectors import goal_has_outcomes

        outcomes.register(goal_has_outcomes)
