from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "insyn.opendata"
    verbose_name = "Öppna data"

    def ready(self) -> None:
        from insyn.opendata import checks  # noqa: F401  (registers the system check)
