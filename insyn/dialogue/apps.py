from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "insyn.dialogue"
    verbose_name = "Dialog"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from django.urls import path

        from insyn.core import registry
        from insyn.dialogue import demo, indexing, selectors, signals, staff_home, staff_views

        # Dialogues and budget projects, with their organisations and assignments.
        registry.register_panels(
            "dialogue",
            areas=("dialogue", "follow_up"),
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
        registry.register_staff_links("dialogue", staff_home.links, order=30)
        registry.register_staff_section("dialogue", staff_home.dialogue_section, order=30)
        registry.register_staff_items("moderator", "dialogue", staff_home.moderator_items, order=10)
        registry.register_moderation("dialogue", staff_home.moderation_panel, order=10)
        registry.register_staff_urls(
            "dialogue",
            [
                path(
                    "moderering/inlagg/<int:pk>/<str:action>/",
                    staff_views.moderate_post,
                    name="moderate_post",
                ),
                path(
                    "moderering/forslag/<int:pk>/<str:action>/",
                    staff_views.moderate_proposal,
                    name="moderate_proposal",
                ),
            ],
        )
