"""insyn import-places FILE — the gazetteer (places, streets, addresses) from GeoJSON or CSV.

All or nothing: a file with one wrong row saves nothing and lists every problem."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insyn.organisations.geometry import GeometryError, crs_from_name
from insyn.organisations.places import PlaceImportError, import_places


class Command(BaseCommand):
    help = (
        "Läser in ortnamnsregistret (platser, gator, adresser med koordinater) från GeoJSON "
        "eller CSV (kolumner namn;typ;ort;lat;long, eller x;y med --crs EPSG:3006)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--crs", help="EPSG:4326 (WGS 84, standard) eller EPSG:3006.")

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
            created, updated = import_places(text, crs=crs)
        except GeometryError as exc:
            raise CommandError(str(exc)) from None
        except PlaceImportError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"Inget sparades: {len(exc.problems)} fel i {path.name}.") from None
        self.stdout.write(f"Platser: {created} nya, {updated} ändrade.")
