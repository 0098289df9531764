"""Cross-cutting models: the outgoing email queue.

Emails are never sent inside a request. Services call insyn.core.mail.queue_email(), which writes
a row in the same transaction as the change that caused it; `insyn send-queued-mail` (run by cron
or in a loop, see docs/deployment.md) claims rows with a conditional UPDATE and sends them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("I kö")
        SENDING = "sending", _("Skickas")
        SENT = "sent", _("Skickat")
        FAILED = "failed", _("Misslyckades")
        DELIVERED_LOCALLY = "outbox", _("Levererat till demo-utkorgen")

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


class NoticeFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Direkt, ett e-brev per händelse")
    DAILY = "daily", _("En sammanfattning per dag")
    WEEKLY = "weekly", _("En sammanfattning per vecka")


class NoticePreference(models.Model):
    """How often one e-mail address wants the notices about what it follows (cases, dialogues,
    areas, goals …): at once, or gathered into a daily or weekly digest. Keyed by the address in
    lower case; residents set it through the signed link in every notice, staff on their page."""

    email = models.EmailField(unique=True)
    frequency = models.CharField(
        _("hur ofta"),
        max_length=10,
        choices=NoticeFrequency,
        default=NoticeFrequency.IMMEDIATE,
    )
    language = models.CharField(max_length=10, default="sv")
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inställning för e-post")
        verbose_name_plural = _("inställningar för e-post")

    def __str__(self) -> str:
        return f"{self.email}: {self.frequency}"


class PendingNotice(models.Model):
    """A notice waiting for its recipient's next digest (insyn.core.notices.send_digests)."""

    email = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["email", "sent_at"], name="core_notice_pending")]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "email"],
                condition=~models.Q(dedupe_key=""),
                name="unique_pending_notice_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.subject}"


class RateCounter(models.Model):
    """One rate-limit counter (django-ratelimit's window key → requests counted so far) for the
    embedded default without Redis: `insyn.core.cache.CounterDatabaseCache` adds and increments
    it with one statement each, where Django's database cache needed six queries and two write
    transactions per request. Rows expire with their window and are deleted in passing."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    count = models.BigIntegerField()
    expires = models.BigIntegerField()  # seconds since the epoch

    class Meta:
        db_table = "insyn_rate_counter"

    def __str__(self) -> str:
        return f"{self.cache_key}: {self.count}"


class StoredFragment(models.Model):
    """A page's rendered part kept between requests (insyn.core.stored): valid only while its
    `stamp` (the version of what it shows, and the code that drew it) is the current one. Derived
    from public records, so it has no history of its own and changing it bumps no version."""

    key = models.CharField(max_length=200, primary_key=True)
    stamp = models.CharField(max_length=200)
    data = models.TextField()  # JSON: the rendered parts and what the live parts need
    stored_at = models.DateTimeField()

    class Meta:
        db_table = "insyn_stored_fragment"

    def __str__(self) -> str:
        return self.key
