from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "insyn.accounts"
    verbose_name = "Konton"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.accounts import demo
        from insyn.core import registry

        registry.register_demo_loader("accounts", demo.load_demo, order=30)
