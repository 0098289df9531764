import time

from django.core.management.base import BaseCommand

from insyn.core.mail import send_queued


class Command(BaseCommand):
    help = "Skickar köade e-postnotiser (kör från cron, eller med --loop som en tjänst)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Fortsätt och kontrollera kön")
        parser.add_argument("--interval", type=float, default=10.0)

    def handle(self, *args, loop: bool = False, interval: float = 10.0, **options):
        while True:
            sent, failed = send_queued()
            if sent or failed or not loop:
                self.stdout.write(f"Skickade {sent}, misslyckades {failed}.")
            if not loop:
                return
            time.sleep(interval)
