from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "insyn.organisations"
    verbose_name = "Organisationer"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import reference, registry
        from insyn.organisations import demo
        from insyn.organisations.models import District, Organisation

        registry.register_demo_loader("organisations", demo.load_demo, order=10)
        # Kept in each process between requests (districts_at, the routing of fault reports).
        reference.track(District, Organisation)
