"""`insyn issue-open311-key NAME`: issue an Open311 API key from the command line (printed
once; only its hash is stored). The back office page /personal/arenden/api-nycklar/ does the
same for administrators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insyn.feedback import services
from insyn.organisations.models import Organisation


class Command(BaseCommand):
    help = "Issue an Open311 API key and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--organisation", help="slug of the organisation the key acts for")
        parser.add_argument("--rate", type=int, default=60, help="requests per minute")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"Okänd organisation: {options['organisation']}")
        _key, raw = services.issue_api_key(
            name=options["name"], organisation=organisation, rate_per_minute=max(1, options["rate"])
        )
        self.stdout.write(raw)
