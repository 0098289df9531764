"""Cross-cutting models: the outgoing email queue.

Emails are never sent inside a request. Services call insyn.core.mail.queue_email(), which writes
a row in the same transaction as the change that caused it; `insyn send-queued-mail` (run by cron
or in a loop, see docs/deployment.md) claims rows with a conditional UPDATE and sends them.
"""

from __future__ import annotations

from django.db import models


class OutgoingEmail(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "I kö"
        SENDING = "sending", "Skickas"
        SENT = "sent", "Skickat"
        FAILED = "failed", "Misslyckades"
        DELIVERED_LOCALLY = "outbox", "Levererat till demo-utkorgen"

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # What caused it, e.g. "period_opened:12:user:5" — prevents sending the same notice twice.
    dedupe_key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "to"],
                condition=~models.Q(dedupe_key=""),
                name="unique_outgoing_email_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
