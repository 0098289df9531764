"""insyn import-kolada — KPI metadata, municipalities, groups and values from Kolada (v3 JSON).

Offline (files):   insyn import-kolada path/to/dir-or-file.json [...]
Live API:          insyn import-kolada --base-url https://api.kolada.se/v3 --kpi N00097,N00945 \
                       [--municipality 0380,0580] [--group G37329] [--years 2015-2024] \
                       [--from-date 2025-01-01] [--save-dir DIR]

The base URL may also come from the setting or environment variable KOLADA_BASE_URL. Without
--municipality the live import asks for the municipality itself, Riket (0000) and every member of
the peer groups. Everything is written in one transaction: any bad page (malformed JSON, an
unknown KPI, a value of the wrong type, a missing next page) stops the run with a message naming
the file or URL and the item, exit status 1, and the database unchanged. See
insyn/indicators/sources.py for how pages map to files.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from insyn.indicators.kolada import KoladaImportError
from insyn.indicators.models import PeerGroup, PeerGroupKind
from insyn.indicators.services import home_area_id, import_kolada, record_failed_import
from insyn.indicators.sources import ApiSource, FileSource


def _id_list(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_years(text: str) -> list[int]:
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                first, last = (int(x) for x in part.split("-", 1))
                if last < first or last - first > 200:
                    raise ValueError
                years.update(range(first, last + 1))
            else:
                years.add(int(part))
        except ValueError as exc:
            raise CommandError(f"Ogiltiga år: {text!r} (skriv t.ex. 2015-2024)") from exc
    return sorted(years)


class Command(BaseCommand):
    help = "Läser in nyckeltal från Kolada (filer i Koladas JSON-format, eller API:t v3)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="JSON-filer eller kataloger med sidor")
        parser.add_argument(
            "--base-url",
            default=None,
            help="Koladas API, t.ex. https://api.kolada.se/v3 "
            "(annars inställningen KOLADA_BASE_URL)",
        )
        parser.add_argument(
            "--kpi",
            action="append",
            default=[],
            help="KPI-id att hämta, kommaseparerade (API-läge)",
        )
        parser.add_argument(
            "--municipality",
            action="append",
            default=[],
            help="kommun-id att hämta data för, kommaseparerade (API-läge)",
        )
        parser.add_argument(
            "--group",
            action="append",
            default=[],
            help="Kolada-grupper (G…) att hämta, kommaseparerade (API-läge)",
        )
        parser.add_argument(
            "--years", default="", help="år, t.ex. 2015-2024 eller 2022,2023 (API-läge)"
        )
        parser.add_argument(
            "--from-date", default=None, help="bara ändringar sedan ÅÅÅÅ-MM-DD (API-läge)"
        )
        parser.add_argument(
            "--save-dir", default=None, help="spara hämtade sidor som filer här (API-läge)"
        )
        parser.add_argument(
            "--fetched-at", default=None, help="när filerna hämtades, ÅÅÅÅ-MM-DD[THH:MM] (filläge)"
        )

    def handle(self, *args, **options) -> None:
        base_url = (
            options["base_url"]
            or getattr(settings, "KOLADA_BASE_URL", "")
            or os.environ.get("KOLADA_BASE_URL", "")
        )
        paths = options["paths"]
        fetched_at = None
        if options["fetched_at"]:
            try:
                fetched_at = dt.datetime.fromisoformat(options["fetched_at"])
            except ValueError as exc:
                raise CommandError(
                    "--fetched-at ska vara ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DDTHH:MM"
                ) from exc
            if timezone.is_naive(fetched_at):
                fetched_at = timezone.make_aware(fetched_at)
        try:
            if paths:
                source = FileSource(paths)
            elif base_url:
                source = self._api_source(base_url, options)
            else:
                raise CommandError(
                    "Ange filer eller kataloger att läsa in, eller --base-url "
                    "(eller KOLADA_BASE_URL) för att hämta från Kolada."
                )
            run = import_kolada(source=source, fetched_at=fetched_at)
        except KoladaImportError as exc:
            record_failed_import(description=" ".join(paths) or base_url, message=str(exc))
            raise CommandError(f"Kolada-importen avbröts, inget lästes in.\n{exc}") from exc
        self.stdout.write(
            f"Kolada-import klar: {run.kpis} KPI:er, {run.areas} områden, {run.groups} grupper; "
            f"värden: {run.created} nya, {run.changed} ändrade, {run.deleted} borttagna, "
            f"{run.unchanged} oförändrade, {run.missing} saknade (null)."
        )
        if run.message:
            self.stdout.write(run.message)

    def _api_source(self, base_url: str, options: dict) -> ApiSource:
        kpis = _id_list(options["kpi"])
        municipalities = _id_list(options["municipality"])
        groups = _id_list(options["group"])
        if not municipalities:
            municipalities = [home_area_id(), "0000"]
            for group in PeerGroup.objects.prefetch_related("members"):
                if group.kind == PeerGroupKind.KOLADA and group.kolada_id:
                    groups.append(group.kolada_id)
                municipalities.extend(
                    area.pk for area in group.members.all() if area.type in ("K", "L")
                )
            municipalities = list(dict.fromkeys(municipalities))
        this_year = timezone.localdate().year
        years = (
            parse_years(options["years"])
            if options["years"]
            else list(range(this_year - 10, this_year + 1))
        )
        from_date = None
        if options["from_date"]:
            try:
                from_date = dt.date.fromisoformat(options["from_date"])
            except ValueError as exc:
                raise CommandError("--from-date ska vara ÅÅÅÅ-MM-DD") from exc
        save_dir = Path(options["save_dir"]) if options["save_dir"] else None
        return ApiSource(
            base_url,
            kpis=kpis,
            municipalities=municipalities,
            groups=list(dict.fromkeys(groups)),
            years=years,
            from_date=from_date,
            save_dir=save_dir,
        )
