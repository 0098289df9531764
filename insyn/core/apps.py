from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "insyn.core"
    verbose_name = "Insyn"

    def ready(self) -> None:
        from insyn.core.publication import connect_signals

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            lookups,  # noqa: F401  (integer `in` lookups ignore impossible numbers)
        )

        connect_signals()
