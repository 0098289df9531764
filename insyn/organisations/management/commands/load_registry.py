"""`insyn load-registry FILE`: a municipality's own boards, companies, aliases and groups.

The file format is insyn/organisations/data/uppsala.json (described in docs/deployment.md).
Idempotent: run it again after editing the file and existing organisations are updated by name,
nothing is deleted. All or nothing: a file with an error changes nothing."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from insyn.organisations.services import load_registry


class Command(BaseCommand):
    help = "Läser in kommunens organisationsregister (nämnder, bolag, alias, grupper) från en JSON-fil."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="JSON-fil i samma format som organisations/data/uppsala.json"
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as exc:
            raise CommandError(f"Kan inte läsa {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path} är inte giltig JSON (rad {exc.lineno}, kolumn {exc.colno}): {exc.msg}"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("organisations"), list):
            raise CommandError(f'{path}: filen måste ha en lista "organisations" (se uppsala.json)')
        try:
            with transaction.atomic():
                created, updated = load_registry(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"{path}: registret kunde inte läsas in: {exc}") from exc
        self.stdout.write(
            f"Organisationsregistret inläst: {created} nya, {updated} uppdaterade organisationer."
        )
