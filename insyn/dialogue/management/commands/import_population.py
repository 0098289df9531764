"""insyn import-population FILE [--year YYYY] — population per district and age band from a CSV
in SCB's table layout (see insyn/dialogue/population.py); used by the representativeness view."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insyn.dialogue.population import PopulationParseError, decode, parse_population
from insyn.dialogue.services import population_import


class Command(BaseCommand):
    help = "Läser in befolkning per område och åldersgrupp (CSV i SCB:s tabellformat)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="Vilken årskolumn som ska läsas (standard: den senaste).",
        )

    def handle(self, *args, file: Path, year: int | None, **options):
        try:
            text = decode(file.read_bytes())
        except OSError as exc:
            raise CommandError(f"Kan inte läsa {file}: {exc}") from exc
        try:
            table = parse_population(text, year=year)
        except PopulationParseError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        districts, figures = population_import(table=table)
        self.stdout.write(
            f"Befolkning {table.year}: {districts} områden, {figures} siffror, "
            f"totalt {table.total()} invånare."
        )
