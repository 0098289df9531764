from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "insyn.goals"
    verbose_name = "Mål och uppföljning"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import registry
        from insyn.goals import demo, indexing, selectors, staff_home

        registry.register_loop(
            "goals", goal=selectors.goal_loop, assignment=selectors.assignment_loop
        )
        registry.register_search_contributor("goals", indexing.reindex_goals)
        registry.register_demo_loader("goals", demo.load_demo, order=40)
        registry.register_staff_links("goals", staff_home.links, order=10)
        registry.register_staff_section("reporter", staff_home.reporter_section, order=10)
        registry.register_staff_section("compiler", staff_home.compiler_section, order=20)
        registry.register_staff_section("reader", staff_home.reader_section, order=70)
        registry.register_staff_items("system", "goals", staff_home.periods_to_open, order=10)
