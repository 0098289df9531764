import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from insyn.goals import following, notifications
from insyn.goals.models import FollowUpPeriod, PeriodState


class Command(BaseCommand):
    help = (
        "Köar påminnelser 7 och 1 dagar före sista rapporteringsdag till dem som inte har "
        "lämnat in (kör dagligen från cron; samma påminnelse skickas aldrig två gånger), och "
        "raderar önskemål om att följa ett mål som inte har bekräftats inom en vecka."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Datum att räkna från, ÅÅÅÅ-MM-DD (för test)")

    def handle(self, *args, today: str | None = None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today ska vara ett datum som 2025-09-08") from exc
        queued = 0
        for period in FollowUpPeriod.objects.filter(state=PeriodState.OPEN, deadline__isnull=False):
            queued += notifications.deadline_reminders(period, today=day)
        deleted = following.delete_unconfirmed()
        self.stdout.write(f"Köade {queued} påminnelser. Raderade {deleted} obekräftade följare.")
