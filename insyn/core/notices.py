"""Notices about what someone follows, sent at once or gathered into a daily or weekly digest.

Every app that tells a resident or a staff member that something they follow has changed (a case
update, a dialogue's feedback, a participatory budget's delivery, a new fault report in a
followed area, a goal's follow-up) calls :func:`notify` instead of `queue_email`. The recipient's
`NoticePreference` decides: *immediate* (the default) queues the e-mail now; *daily* or *weekly*
stores a `PendingNotice`, and `insyn send-digests` (hourly timer) sends each recipient whose
period has passed one e-mail with everything since the last one. One-time links, receipts and
staff work notices are not "following" and keep using `queue_email`.

Every notice and digest ends with a personal link (signed, no account needed) where the
recipient chooses how often: :func:`settings_url`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insyn.core.errors import ServiceError
from insyn.core.mail import queue_email
from insyn.core.models import NoticeFrequency, NoticePreference, PendingNotice

__all__ = [
    "PERIODS",
    "email_from_token",
    "frequency_of",
    "notify",
    "send_digests",
    "set_frequency",
    "settings_url",
]

SALT = "insyn.core.notices"
# A digest is due this long after the previous one; an hour's slack so that an hourly timer
# sends a daily digest at about the same hour every day instead of drifting later.
PERIODS = {
    NoticeFrequency.DAILY: dt.timedelta(days=1) - dt.timedelta(hours=1),
    NoticeFrequency.WEEKLY: dt.timedelta(days=7) - dt.timedelta(hours=1),
}


def _normal(email: str) -> str:
    return (email or "").strip().lower()


def settings_url(email: str) -> str:
    """The recipient's own link for choosing how often (signed; works without an account)."""
    token = signing.dumps(_normal(email), salt=SALT, compress=True)
    return settings.SITE_URL + reverse("notice_settings", args=[token])


def email_from_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None


def frequency_of(email: str) -> str:
    preference = NoticePreference.objects.filter(email=_normal(email)).first()
    return preference.frequency if preference else NoticeFrequency.IMMEDIATE


def set_frequency(
    *, email: str, frequency: str, now: dt.datetime | None = None
) -> NoticePreference:
    """Choose immediate, daily or weekly. Switching to immediate sends what was waiting in one
    last digest, so nothing is lost; switching to a digest starts its period now."""
    if frequency not in NoticeFrequency.values:
        raise ServiceError({"frequency": _("Välj hur ofta du vill få e-post.")})
    now = now or timezone.now()
    address = _normal(email)
    with transaction.atomic():
        preference, _created = NoticePreference.objects.get_or_create(
            email=address, defaults={"language": translation.get_language() or "sv"}
        )
        changed = preference.frequency != frequency
        preference.frequency = frequency
        preference.language = translation.get_language() or preference.language
        if changed and frequency != NoticeFrequency.IMMEDIATE and preference.last_digest_at is None:
            preference.last_digest_at = now
        preference.save()
        if changed and frequency == NoticeFrequency.IMMEDIATE:
            _send_digest(preference, now)
    return preference


def _footer(email: str) -> str:
    return "\n\n" + _("Välj hur ofta du får e-post om det du följer: %(url)s") % {
        "url": settings_url(email)
    }


def notify(
    to: str,
    subject: str,
    body: str,
    *,
    dedupe_key: str = "",
    url: str = "",
    now: dt.datetime | None = None,
) -> bool:
    """A notice about something the recipient follows: e-mailed now, or kept for the digest.
    Returns False for an empty address or a notice already given (same dedupe_key)."""
    address = _normal(to)
    if not address:
        return False
    if frequency_of(address) == NoticeFrequency.IMMEDIATE:
        return queue_email(to, subject, body + _footer(address), dedupe_key=dedupe_key)
    try:
        with transaction.atomic():
            PendingNotice.objects.create(
                email=address,
                subject=subject[:300],
                body=body,
                url=url[:500],
                dedupe_key=dedupe_key,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return False
    return True


def _send_digest(preference: NoticePreference, now: dt.datetime) -> bool:
    notices = list(
        PendingNotice.objects.filter(
            email=preference.email, sent_at__isnull=True, created_at__lte=now
        )
    )
    if not notices:
        return False
    with translation.override(preference.language or "sv"):
        count = len(notices)
        subject = ngettext(
            "Sammanfattning: %(n)s ny händelse i det du följer",
            "Sammanfattning: %(n)s nya händelser i det du följer",
            count,
        ) % {"n": count}
        body = render_to_string(
            "core/email/digest.txt",
            {
                "notices": notices,
                "since": preference.last_digest_at,
                "frequency": preference.get_frequency_display(),
                "settings_url": settings_url(preference.email),
            },
        )
    queue_email(
        preference.email,
        subject,
        body,
        dedupe_key=f"digest:{notices[-1].pk}",
    )
    PendingNotice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=now)
    return True


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Send every digest that is due at `now`: one e-mail per recipient with everything that
    waited since their last digest. Returns how many digests were queued."""
    now = now or timezone.now()
    sent = 0
    waiting = set(
        PendingNotice.objects.filter(sent_at__isnull=True).values_list("email", flat=True)
    )
    for preference in NoticePreference.objects.filter(
        email__in=waiting, frequency__in=list(PERIODS)
    ).order_by("pk"):
        due = preference.last_digest_at is None or (
            now >= preference.last_digest_at + PERIODS[preference.frequency]
        )
        if not due:
            continue
        with transaction.atomic():
            # Claim the recipient: a second run at the same time finds the period not yet over.
            claimed = NoticePreference.objects.filter(
                pk=preference.pk, last_digest_at=preference.last_digest_at
            ).update(last_digest_at=now)
            if claimed and _send_digest(preference, now):
                sent += 1
    return sent
