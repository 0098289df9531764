"""`insyn compute-signals [--ar YEAR ...]`: compute the resident signals (fault reports per 1,000
residents, time to resolution, reopen rate, dialogue participation …) from Insyn's own data and
store them, so goal pages show them without computing live. Without --ar: this year and last
year (cases received last year may be resolved this year). Run daily (a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from insyn.indicators import services


class Command(BaseCommand):
    help = "Compute and store the resident signals for this year and last year (or --ar)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ar", type=int, action="append", dest="years", help="Calendar year")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        years = options["years"] or [today.year - 1, today.year]
        for year in years:
            if not 1990 <= year <= today.year + 1:
                raise CommandError(f"--ar {year}: ange ett år mellan 1990 och {today.year + 1}.")
        for year in sorted(set(years)):
            count = services.signals_compute(year=year)
            self.stdout.write(f"{year}: {count} signalvärden beräknade.")
