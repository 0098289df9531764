from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "insyn.opendata"
    verbose_name = "Öppna data"
