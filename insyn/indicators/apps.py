from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "insyn.indicators"
    verbose_name = "Indikatorer"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import registry
        from insyn.indicators import demo, selectors, staff_home

        # Only indicator rows: kept with the goal page's stored follow-up (insyn.core.stored).
        registry.register_panels(
            "indicators",
            areas=("follow_up",),
            goal=selectors.goal_panel,
            assignment=selectors.assignment_panel,
            organisation=selectors.organisation_panel,
        )
        # After dialogue (60) and feedback (70): the resident signals are computed from theirs.
        registry.register_demo_loader("indicators", demo.load_demo, order=80)
        registry.register_staff_links("indicators", staff_home.links, order=60)
        registry.register_staff_items("system", "indicators", staff_home.import_runs, order=20)
