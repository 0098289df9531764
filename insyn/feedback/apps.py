from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "insyn.feedback"
    verbose_name = "Synpunkter och felanmälan"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import registry
        from insyn.feedback import demo, selectors, signals

        registry.register_panels(
            "feedback", goal=selectors.goal_panel, assignment=selectors.assignment_panel
        )
        registry.register_loop(
            "feedback", goal=selectors.goal_loop, assignment=selectors.assignment_loop
        )
        for signal in signals.SIGNALS:
            registry.register_signal(signal)
        registry.register_demo_loader("feedback", demo.load_demo, order=70)
