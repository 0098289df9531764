from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "insyn.goals"
    verbose_name = "Mål och uppföljning"
