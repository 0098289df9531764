"""`insyn reset-totp USERNAME`: recovery when a staff member lost their authenticator.

Deletes the user's second-factor devices; at the next sign-in (with their password) they set
up a new authenticator app, as the first time. Run by an operator with access to the server;
the change is logged."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import devices_for_user

logger = logging.getLogger("insyn.accounts")


class Command(BaseCommand):
    help = "Tar bort en användares tvåstegsverifiering så att en ny app kan kopplas vid nästa inloggning."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"Ingen användare heter {options['username']!r}.") from exc
        removed = 0
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
        logger.warning(
            "second factor reset for %s (%d devices)",
            user.username,
            removed,
            extra={"event": "totp_reset"},
        )
        self.stdout.write(
            f"Tvåstegsverifieringen för {user.username} är borttagen ({removed} enheter). "
            "Vid nästa inloggning kopplar användaren en ny app."
        )
