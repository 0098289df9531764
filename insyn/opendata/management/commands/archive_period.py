"""`insyn archive-period <period-id> [--output DIR|FILE.zip]`: an e-archive package (ZIP) of a
published follow-up period — an E-ARK information package (CSIP/SIP: METS, PREMIS, the folder
structure) holding PDF/A, XLSX, CSV, the open data as JSON and the public pages as HTML, with
metadata.json/metadata.xml and SHA-256 checksums. See insyn/opendata/archive.py and insyn/core/eark.py.

Prints the path of the written file. Refuses periods that are not published (exit status 1 and
a Swedish message); the package is read back and its checksums verified before it is reported.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from insyn.opendata.archive import ArchiveError, archivable_period, verify_archive, write_archive


class Command(BaseCommand):
    help = "Skriver ett arkivpaket (ZIP) för kommunens e-arkiv av en publicerad uppföljningsperiod."

    def add_arguments(self, parser) -> None:
        parser.add_argument("period_id", type=int, help="Uppföljningsperiodens id.")
        parser.add_argument(
            "--output",
            "-o",
            default=None,
            help="En katalog (filen får paketets namn) eller en fil som slutar på .zip. "
            "Standard: aktuell katalog.",
        )

    def handle(self, *args, period_id: int, output: str | None = None, **options) -> None:
        try:
            period = archivable_period(period_id)
            path = write_archive(period, output)
            metadata = verify_archive(path)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        if options.get("verbosity", 1) > 1:
            for item in metadata["files"]:
                self.stderr.write(f"{item['sha256']}  {item['path']}")
            self.stderr.write(
                f"{len(metadata['files'])} filer, version {metadata['version']}, "
                f"paket {metadata['package_id']}"
            )
        self.stdout.write(str(path))
