"""`insyn outbox`: the newest e-mails (the demo outbox), with their bodies, on the console."""

from django.core.management.base import BaseCommand

from insyn.core.models import OutgoingEmail


class Command(BaseCommand):
    help = "Visar de senaste e-postmeddelandena (demo-utkorgen) med innehåll."

    def add_arguments(self, parser):
        parser.add_argument("--antal", type=int, default=10, help="Hur många (standard 10)")
        parser.add_argument("--till", default="", help="Bara till den här adressen")

    def handle(self, *args, antal: int = 10, till: str = "", **options):
        emails = OutgoingEmail.objects.order_by("-created_at", "-pk")
        if till:
            emails = emails.filter(to__iexact=till.strip())
        rows = list(emails[: max(1, min(antal, 500))])
        if not rows:
            self.stdout.write("Ingen e-post ännu.")
        for email in rows:
            self.stdout.write(
                f"--- {email.created_at:%Y-%m-%d %H:%M} · {email.get_state_display()}\n"
                f"Till: {email.to}\nÄmne: {email.subject}\n\n{email.body}\n"
            )
