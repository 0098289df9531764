from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "insyn.accounts"
    verbose_name = "Konton"

    def ready(self) -> None:
        # What this app contributes to shared pages and commands (insyn.core.registry).
        from insyn.accounts import demo, selectors
        from insyn.core import registry

        registry.register_demo_loader("accounts", demo.load_demo, order=30)
        # The staff home's frame: the menu entries and the sections the apps add items to.
        registry.register_staff_links("accounts.home", selectors.home_link, order=0)
        registry.register_staff_links("accounts.moderation", selectors.moderation_link, order=50)
        registry.register_staff_links("accounts.outbox", selectors.outbox_link, order=70)
        registry.register_staff_section("moderator", selectors.moderator_section, order=60)
        registry.register_staff_section("system", selectors.system_section, order=80)
