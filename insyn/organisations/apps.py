from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "insyn.organisations"
    verbose_name = "Organisationer"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import registry
        from insyn.organisations import demo

        registry.register_demo_loader("organisations", demo.load_demo, order=10)
