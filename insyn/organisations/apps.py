from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "insyn.organisations"
    verbose_name = "Organisationer"
