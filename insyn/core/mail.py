"""Queue and send email notices (see insyn.core.models.OutgoingEmail).

With settings.MAIL_OUTBOX (the demo, DEBUG) an e-mail is delivered to the local outbox at once:
the row is stored as "Levererat till demo-utkorgen" and never sent; staff read it at
/personal/utgaende-epost/ and anyone with a shell by `insyn outbox`."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from insyn.core.models import OutgoingEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


SUBJECT_LENGTH = 300


def delivery_state() -> tuple[str, dt.datetime | None]:
    """(state, sent_at) of an e-mail queued now: queued, or (MAIL_OUTBOX) already delivered to
    the demo outbox. A service that writes its e-mail row inside a statement of its own (the
    Open311 intake, insyn.feedback.services) takes the row's state from here and calls
    `delivered()` afterwards, so that the rule stays in this module."""
    if getattr(settings, "MAIL_OUTBOX", False):
        return OutgoingEmail.State.DELIVERED_LOCALLY, timezone.now()
    return OutgoingEmail.State.QUEUED, None


def delivered(email_id: int, subject: str) -> None:
    """What follows a queued e-mail's INSERT: with MAIL_OUTBOX, the outbox's log line."""
    if getattr(settings, "MAIL_OUTBOX", False):
        logger.info(
            "e-mail delivered to the demo outbox",
            extra={"event": "email_outbox", "email_id": email_id, "subject": subject},
        )


def queue_email(to: str, subject: str, body: str, *, dedupe_key: str = "") -> bool:
    """Queue one email; returns False if one with the same dedupe_key was already queued."""
    if not to:
        return False
    state, sent_at = delivery_state()
    email = OutgoingEmail(
        to=to,
        subject=subject[:SUBJECT_LENGTH],
        body=body,
        dedupe_key=dedupe_key,
        state=state,
        sent_at=sent_at,
    )
    if not dedupe_key:  # nothing to collide with: no savepoint around the INSERT
        email.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                email.save(force_insert=True)
        except IntegrityError:
            return False
    delivered(email.pk, email.subject)
    return True


def send_queued(limit: int = 100) -> tuple[int, int]:
    """Send up to `limit` queued emails. Returns (sent, failed). Safe to run in parallel."""
    sent = failed = 0
    candidates = list(
        OutgoingEmail.objects.filter(state=OutgoingEmail.State.QUEUED)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in candidates:
        # Claim the row: only one worker's UPDATE matches while it is still queued.
        claimed = OutgoingEmail.objects.filter(pk=pk, state=OutgoingEmail.State.QUEUED).update(
            state=OutgoingEmail.State.SENDING
        )
        if not claimed:
            continue
        email = OutgoingEmail.objects.get(pk=pk)
        try:
            EmailMessage(email.subject, email.body, to=[email.to]).send()
        except Exception as exc:  # any transport error is retried later
            email.attempts += 1
            email.last_error = str(exc)[:2000]
            email.state = (
                OutgoingEmail.State.FAILED
                if email.attempts >= MAX_ATTEMPTS
                else OutgoingEmail.State.QUEUED
            )
            email.save(update_fields=["attempts", "last_error", "state"])
            logger.warning("email failed", extra={"event": "email_failed"})
            failed += 1
        else:
            email.state = OutgoingEmail.State.SENT
            email.sent_at = timezone.now()
            email.attempts += 1
            email.save(update_fields=["state", "sent_at", "attempts"])
            sent += 1
    return sent, failed
