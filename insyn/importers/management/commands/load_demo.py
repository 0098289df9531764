"""insyn load-demo — Uppsala's organisations, the two seed follow-up pages, and every app's demo.

Idempotent: running it again changes nothing.
"""

from importlib import import_module
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from insyn.importers.services import import_followup_files
from insyn.organisations.services import DATA_DIR, load_demo_districts, load_registry_file

DEMO_PAGES = Path(__file__).resolve().parents[2] / "demo_pages"
APP_DEMOS = [
    "insyn.accounts.demo",
    "insyn.goals.demo",
    "insyn.indicators.demo",
    "insyn.dialogue.demo",
    "insyn.feedback.demo",
]


class Command(BaseCommand):
    help = "Läser in demodata för Uppsala kommun (organisationer, uppföljning, dialoger …)."

    def handle(self, *args, **options):
        created, updated = load_registry_file(DATA_DIR / "uppsala.json")
        self.stdout.write(f"Organisationer: {created} nya, {updated} ändrade.")
        created, updated = load_demo_districts()
        self.stdout.write(f"Områden (ungefärliga demogränser): {created} nya, {updated} ändrade.")
        pages = sorted(DEMO_PAGES.glob("*.txt"))
        result = import_followup_files(pages)
        self.stdout.write(f"Uppföljning: {result.goals} mål, {result.assignments} uppdrag.")
        for module_name in APP_DEMOS:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            with transaction.atomic():
                module.load_demo()
            self.stdout.write(f"Demodata: {module_name}")
