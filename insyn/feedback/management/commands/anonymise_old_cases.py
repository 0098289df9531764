"""`insyn anonymise-old-cases`: clear personal data from cases closed longer ago than the
retention period (settings.FEEDBACK_RETENTION_DAYS), and delete area alerts never confirmed
within a week. Run daily from cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from insyn.feedback import alerts, services


class Command(BaseCommand):
    help = "Anonymise feedback cases closed longer ago than FEEDBACK_RETENTION_DAYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Override the retention period (days) for this run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else services.retention_days()
        if days < 0:
            self.stderr.write("--days must be 0 or more")
            return
        count = services.anonymise_old_cases(days=days)
        self.stdout.write(
            f"Anonymiserade {count} ärenden (avslutade för mer än {days} dagar sedan)."
        )
        deleted = alerts.delete_unconfirmed()
        self.stdout.write(
            f"Raderade {deleted} områdesbevakningar som inte bekräftades inom "
            f"{alerts.UNCONFIRMED_DAYS} dagar."
        )
