from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "insyn.dialogue"
    verbose_name = "Dialog"
