from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "insyn.indicators"
    verbose_name = "Indikatorer"
