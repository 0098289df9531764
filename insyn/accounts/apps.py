from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "insyn.accounts"
    verbose_name = "Konton"
