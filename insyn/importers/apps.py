from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "insyn.importers"
    verbose_name = "Import"
