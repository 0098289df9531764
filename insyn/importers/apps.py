from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "insyn.importers"
    verbose_name = "Import"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.core import registry
        from insyn.importers import demo

        registry.register_demo_loader("importers", demo.load_demo, order=20)
