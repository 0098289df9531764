from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "insyn.feedback"
    verbose_name = "Synpunkter och felanmälan"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from django.urls import path

        from insyn.core import reference, registry
        from insyn.feedback import demo, selectors, signals, staff_home, staff_views
        from insyn.feedback.models import Category, CategoryQuestion, Open311ApiKey, RoutingRule

        # Cases counted by what they are linked to (themes, a goal's assignments).
        registry.register_panels(
            "feedback",
            areas=("feedback", "follow_up"),
            goal=selectors.goal_panel,
            assignment=selectors.assignment_panel,
        )
        registry.register_loop(
            "feedback", goal=selectors.goal_loop, assignment=selectors.assignment_loop
        )
        for signal in signals.SIGNALS:
            registry.register_signal(signal)
        registry.register_demo_loader("feedback", demo.load_demo, order=70)
        # Kept in each process between requests: the Open311 keys and services, the routing
        # rules (insyn.core.reference).
        reference.track(Category, CategoryQuestion, RoutingRule, Open311ApiKey)
        registry.register_staff_links("feedback", staff_home.links, order=40)
        registry.register_staff_section(
            "contact_centre", staff_home.contact_centre_section, order=40
        )
        registry.register_staff_section("case_handler", staff_home.case_handler_section, order=50)
        registry.register_staff_items("moderator", "feedback", staff_home.moderator_items, order=20)
        registry.register_moderation("feedback", staff_home.moderation_panel, order=20)
        registry.register_staff_urls(
            "feedback",
            [
                path(
                    "moderering/arende/<str:number>/",
                    staff_views.moderate_case,
                    name="moderate_case",
                )
            ],
        )
