"""insyn import-areas FILE.geojson — districts and service areas with their polygons.

All or nothing: a file with one wrong feature saves nothing and lists every problem."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insyn.organisations.geometry import GeometryError, crs_from_name
from insyn.organisations.services import AreaImportError, import_areas


class Command(BaseCommand):
    help = (
        "Läser in områden (stadsdelar, driftområden) med gränser från en GeoJSON-fil "
        "(WGS 84 eller SWEREF 99 TM)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON-fil (FeatureCollection med Polygon/MultiPolygon)")
        parser.add_argument(
            "--crs",
            help="Koordinatsystem om filen inte anger det: EPSG:4326 (WGS 84) eller "
            "EPSG:3006 (SWEREF 99 TM).",
        )
        parser.add_argument(
            "--kind", choices=["district", "service_area"], help="Typ för alla områden i filen."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Kan inte läsa {path}: {exc.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} är inte UTF-8-kodad text.") from None
        try:
            crs = crs_from_name(options["crs"]) if options["crs"] else None
            created, updated = import_areas(text, crs=crs, kind=options["kind"])
        except GeometryError as exc:
            raise CommandError(str(exc)) from None
        except AreaImportError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"Inget sparades: {len(exc.problems)} fel i {path.name}.") from None
        self.stdout.write(f"Områden: {created} nya, {updated} ändrade.")
