from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "insyn.search"
    verbose_name = "Sök"
