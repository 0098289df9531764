"""insyn import-followup FILE... — import published follow-up pages (see insyn.importers)."""

import json

from django.core.management.base import BaseCommand, CommandError

from insyn.importers.services import FollowupImportError, import_followup_files


class Command(BaseCommand):
    help = "Läser in publicerade uppföljningssidor (text) och sparar mål, uppdrag och status."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Tolka bara filerna; skriv ingenting till databasen.",
        )
        parser.add_argument(
            "--json", action="store_true", help="Skriv tolkningen som JSON på standard ut."
        )

    def handle(self, *args, files, dry_run=False, json=False, **options):
        try:
            progress = self.stderr.write if options.get("verbosity", 1) >= 2 else None
            result = import_followup_files(files, dry_run=dry_run, progress=progress)
        except FollowupImportError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(_dumps(result.to_json()))
            return
        for warning in result.warnings:
            self.stderr.write(f"Varning: {warning}")
        verb = "Tolkade" if dry_run else "Importerade"
        self.stdout.write(
            f"{verb} {len(files)} fil(er): {result.goals} mål, "
            f"{result.assignments} uppdrag, {result.created} nya poster."
        )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
