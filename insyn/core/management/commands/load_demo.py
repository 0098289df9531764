"""insyn load-demo — every app's demo data (Uppsala's organisations, the seed follow-up pages,
dialogues, fault reports …), by the loaders the apps register in insyn.core.registry.

Idempotent: running it again changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from insyn.core import registry


class Command(BaseCommand):
    help = "Läser in demodata för Uppsala kommun (organisationer, uppföljning, dialoger …)."

    def handle(self, *args, **options):
        for loader in registry.demo_loaders():
            with transaction.atomic():
                summary = loader.load()
            self.stdout.write(summary if isinstance(summary, str) else f"Demodata: {loader.name}")
