from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "insyn.dialogue"
    verbose_name = "Dialog"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import registry
        from insyn.dialogue import demo, indexing, selectors, signals

        registry.register_panels(
            "dialogue",
            goal=selectors.goal_panel,
            assignment=selectors.assignment_panel,
            organisation=selectors.organisation_panel,
        )
        registry.register_search_contributor("dialogue", indexing.reindex_search)
        registry.register_loop(
            "dialogue", goal=selectors.goal_loop, assignment=selectors.assignment_loop
        )
        registry.register_population(signals.population)
        registry.register_signal(signals.PARTICIPATION)
        registry.register_demo_loader("dialogue", demo.load_demo, order=60)
