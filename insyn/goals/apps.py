from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "insyn.goals"
    verbose_name = "Mål och uppföljning"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import registry
        from insyn.goals import demo, indexing, selectors

        registry.register_loop(
            "goals", goal=selectors.goal_loop, assignment=selectors.assignment_loop
        )
        registry.register_search_contributor("goals", indexing.reindex_goals)
        registry.register_demo_loader("goals", demo.load_demo, order=40)
