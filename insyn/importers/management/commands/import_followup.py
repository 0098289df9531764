"""insyn import-followup FILE... — import published follow-up pages (see insyn.importers).

--dry-run reads without writing; --json prints what was read (the dry-run contract); --strict
stops before writing anything if a page has a warning (a line that could not be placed, a
cross-check that disagrees); --report FILE.html writes a review page of every page's original
text beside what it became (also when --strict stopped the import).
"""

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insyn.importers.services import (
    FollowupImportError,
    FollowupStrictError,
    ImportResult,
    import_followup_files,
)


class Command(BaseCommand):
    # Django's system checks (every model, the URL configuration, ...) have nothing to say about
    # pages being read, and cost about half a second of every run (issue 13); `insyn check`,
    # `migrate` and `serve` run them (the installer runs `insyn check --deploy`).
    requires_system_checks: list[str] = []
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
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Avbryt utan att spara något om en sida har en varning (t.ex. en rad som "
            "inte kunde placeras).",
        )
        parser.add_argument(
            "--report",
            metavar="FILE.html",
            help="Skriv en granskningssida: varje sidas originaltext bredvid vad den blev.",
        )

    def handle(self, *args, files, dry_run=False, json=False, strict=False, report=None, **options):
        try:
            progress = self.stderr.write if options.get("verbosity", 1) >= 2 else None
            with _no_cyclic_gc():
                result = import_followup_files(
                    files, dry_run=dry_run, strict=strict, progress=progress
                )
        except FollowupStrictError as exc:
            self._write_warnings(exc.result)
            if report:
                self._write_report(report, exc.result, dry_run=True)
            raise CommandError(str(exc)) from exc
        except FollowupImportError as exc:
            raise CommandError(str(exc)) from exc
        if report:
            self._write_report(report, result, dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(result.to_json()))
            return
        self._write_warnings(result)
        verb = "Tolkade" if dry_run else "Importerade"
        unplaced = len(result.unplaced_lines)
        self.stdout.write(
            f"{verb} {len(files)} fil(er): {result.goals_read} mål, "
            f"{result.assignments_read} uppdrag, {result.created} nya poster; "
            f"{result.line_count} rader, {unplaced} rad(er) kunde inte placeras, "
            f"{len(result.warnings)} varning(ar)."
        )

    def _write_warnings(self, result: ImportResult) -> None:
        for source, number, text in result.unplaced_lines:
            excerpt = text if len(text) <= 80 else text[:77] + "…"
            self.stderr.write(f'Ej placerad: {source}, rad {number}: "{excerpt}"')
        for warning in result.warnings:
            self.stderr.write(f"Varning: {warning}")

    def _write_report(self, path: str, result: ImportResult, *, dry_run: bool) -> None:
        from insyn.importers.report import render_report

        try:
            Path(path).write_text(render_report(result.parses, dry_run=dry_run), encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                f"{path}: granskningssidan kan inte skrivas ({exc.strerror})."
            ) from exc
        self.stderr.write(f"Granskningssida: {path}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector paused while the command imports (issue 13).

    An import builds millions of objects that all live until it ends (every page's parse, the
    rows it writes); the collector walked them again and again and freed almost nothing: about
    1.2 of 9 s of CPU for 1,000 pages, with the same peak memory without it. Reference counting
    still frees everything else at once; the collector runs again when the import is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
