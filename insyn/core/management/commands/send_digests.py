"""`insyn send-digests`: send the daily and weekly digests that are due (insyn.core.notices).

Run hourly (systemd timer insyn-digests.timer): a recipient's digest goes out once their day or
week since the previous one has passed, with everything that waited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from insyn.core import notices


class Command(BaseCommand):
    help = "Send the daily and weekly digests of notices that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        count = notices.send_digests()
        self.stdout.write(f"{count} sammanfattningar köade.")
