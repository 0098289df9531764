"""Area alerts: e-mail about new public fault reports in a district or near a point.

A resident subscribes (`subscribe`), confirms through the link in the e-mail (`confirm`), and
leaves with the link in every alert (`unsubscribe`, which deletes the row). Only published
reports (`Case.objects.published()`) are ever sent, at the moment moderation publishes them
(`report_published`, called by services.moderate).

Each alert goes through `insyn.core.notices.notify`: at once, or gathered into the resident's
daily or weekly digest if they chose one (the link in every notice). Choosing and sending stay
split:
`alerts_for_case(case)` says who wants a newly public report, `new_reports_for(alert, since)`
lists what an alert has not been sent yet, and `deliver(alert, cases)` sends one e-mail about
one or many reports. A daily or weekly digest calls `deliver(alert, new_reports_for(alert,
alert.last_sent_at))` instead of `report_published` sending each at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insyn.core.errors import ServiceError
from insyn.core.mail import queue_email
from insyn.core.notices import notify
from insyn.feedback.models import AreaAlert, Case
from insyn.feedback.services import check_location, hash_token, new_token
from insyn.organisations.geometry import bbox_of, box_around, covers, distance_m
from insyn.organisations.models import District
from insyn.organisations.selectors import districts_at

RADII = (250, 500, 1000, 2000)  # metres a resident can choose
MAX_RADIUS = max(RADII)
MAX_ALERTS_PER_EMAIL = 10  # confirmed or not
MAX_UNCONFIRMED_PER_DAY = 3  # confirmation e-mails to one address per 24 hours
UNCONFIRMED_DAYS = 7  # an alert never confirmed is deleted after this
UNSUBSCRIBE_SALT = "insyn.feedback.alerts.unsubscribe"


@dataclass
class Subscription:
    alert: AreaAlert | None  # None: nothing created (limit reached); the page says the same
    token: str


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def manage_url(token: str) -> str:
    return _site() + reverse("feedback:alert", args=[token])


def unsubscribe_url(token: str) -> str:
    return _site() + reverse("feedback:alert_unsubscribe", args=[token])


def describe(alert: AreaAlert) -> str:
    """What the alert watches, in words (for pages and e-mail)."""
    if alert.district_id:
        return _("området %(name)s") % {"name": alert.district.name}
    return _("%(r)s meter runt punkten %(lat).5f, %(long).5f") % {
        "r": alert.radius,
        "lat": alert.lat,
        "long": alert.long,
    }


# --- Subscribing --------------------------------------------------------------------------------


@transaction.atomic
def subscribe(
    *,
    email: str,
    district: District | None = None,
    lat: float | None = None,
    long: float | None = None,
    radius: int | None = None,
    now: dt.datetime | None = None,
) -> Subscription:
    """Create an unconfirmed alert and e-mail its confirmation link.

    Nothing is said about the address's other alerts (the page is the same whether or not the
    address already subscribes): past MAX_ALERTS_PER_EMAIL, or MAX_UNCONFIRMED_PER_DAY
    confirmation e-mails in a day, nothing is created or sent."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    if not email:
        raise ServiceError(_("Ange din e-postadress."), code="email")
    if district is None:
        if lat is None or long is None:
            raise ServiceError(
                _("Välj ett område eller en plats att bevaka."), code="nothing_to_watch"
            )
        check_location(lat, long)
        if radius not in RADII:
            raise ServiceError(_("Välj en av radierna i listan."), code="radius")
    else:
        lat = long = radius = None
    raw, token_hash = new_token()
    mine = AreaAlert.objects.filter(email=email)
    if mine.count() >= MAX_ALERTS_PER_EMAIL or (
        mine.filter(confirmed_at__isnull=True, created_at__gte=now - dt.timedelta(days=1)).count()
        >= MAX_UNCONFIRMED_PER_DAY
    ):
        return Subscription(None, raw)
    alert = AreaAlert.objects.create(
        email=email,
        district=district,
        lat=lat,
        long=long,
        radius=radius,
        token_hash=token_hash,
        created_at=now,
    )
    lines = [
        _("Någon (förhoppningsvis du) vill få e-post om nya publicerade felanmälningar i %(what)s.")
        % {"what": describe(alert)},
        "",
        _("Bekräfta bevakningen här:"),
        manage_url(raw),
        "",
        _(
            "Om du inte bad om det här behöver du inte göra något: bevakningen och din "
            "e-postadress raderas efter %(days)s dagar."
        )
        % {"days": UNCONFIRMED_DAYS},
    ]
    queue_email(
        email,
        _("Bekräfta din bevakning av felanmälningar"),
        "\n".join(str(line) for line in lines),
        dedupe_key=f"feedback:alert:confirm:{token_hash[:32]}",
    )
    return Subscription(alert, raw)


def alert_by_token(token: str) -> AreaAlert | None:
    """The alert of a confirmation link's token."""
    if not token or len(token) > 100:
        return None
    return AreaAlert.objects.select_related("district").filter(token_hash=hash_token(token)).first()


def unsubscribe_token(alert: AreaAlert) -> str:
    """The token in every alert's unsubscribe link: signed with the secret key (the raw
    confirmation token is not kept), bound to this row by its token hash so it never fits an
    alert created later with a reused id."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{alert.pk}.{alert.token_hash[:16]}")


def alert_by_unsubscribe_token(token: str) -> AreaAlert | None:
    if not token or len(token) > 200:
        return None
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, prefix = value.partition(".")
    if not pk.isdigit():
        return None
    alert = AreaAlert.objects.select_related("district").filter(pk=int(pk)).first()
    return alert if alert is not None and alert.token_hash[:16] == prefix else None


def confirm(*, alert: AreaAlert, now: dt.datetime | None = None) -> AreaAlert:
    if alert.confirmed_at is None:
        alert.confirmed_at = now or timezone.now()
        alert.save(update_fields=["confirmed_at"])
    return alert


def unsubscribe(*, alert: AreaAlert) -> None:
    """Delete the alert and with it the address (nothing is kept)."""
    AreaAlert.objects.filter(pk=alert.pk).delete()


def delete_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Delete alerts never confirmed within UNCONFIRMED_DAYS (run by anonymise-old-cases)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=UNCONFIRMED_DAYS)
    deleted, _counts = AreaAlert.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


# --- Choosing (the digest hook) ------------------------------------------------------------------


def alerts_for_case(case: Case) -> list[AreaAlert]:
    """Confirmed alerts that want this report: it is public, and its point is inside an alert's
    district (or its area is that district, for a report without a point) or within an alert's
    radius. Three queries whatever the number of alerts."""
    if not case.is_public:
        return []
    confirmed = AreaAlert.objects.filter(confirmed_at__isnull=False).select_related("district")
    district_ids: set[int] = set()
    found: list[AreaAlert] = []
    if case.has_location:
        district_ids = {d.pk for d in districts_at(case.lat, case.long)}
        min_lat, max_lat, min_long, max_long = box_around(case.lat, case.long, MAX_RADIUS)
        for alert in confirmed.filter(
            district__isnull=True,
            lat__gte=min_lat,
            lat__lte=max_lat,
            long__gte=min_long,
            long__lte=max_long,
        ):
            if distance_m(alert.lat, alert.long, case.lat, case.long) <= alert.radius:
                found.append(alert)
    elif case.area_id:
        district_ids = {case.area_id}
    if district_ids:
        found += list(confirmed.filter(district_id__in=district_ids))
    return sorted(found, key=lambda a: a.pk)


def matches(alert: AreaAlert, case: Case) -> bool:
    """The same rule as alerts_for_case, for one alert and one report."""
    if not case.is_public:
        return False
    if alert.district_id:
        if case.has_location and alert.district.geometry:
            return covers(alert.district.geometry, case.lat, case.long)
        return case.area_id == alert.district_id
    return case.has_location and distance_m(alert.lat, alert.long, case.lat, case.long) <= (
        alert.radius or 0
    )


def new_reports_for(alert: AreaAlert, since: dt.datetime | None) -> list[Case]:
    """Published reports made public since `since` that the alert wants (for a digest): the
    bounding box in SQL, `matches` decides."""
    qs = Case.objects.published().select_related("category")
    if since is not None:
        qs = qs.filter(moderated_at__gt=since)
    box = (
        bbox_of(alert.district.geometry) if alert.district_id and alert.district.geometry else None
    )
    if alert.district_id is None:
        box = box_around(alert.lat, alert.long, alert.radius)
    wanted = Q(pk__in=[])
    if box is not None:
        min_lat, max_lat, min_long, max_long = box
        wanted |= Q(lat__gte=min_lat, lat__lte=max_lat, long__gte=min_long, long__lte=max_long)
    if alert.district_id:
        wanted |= Q(lat__isnull=True, area_id=alert.district_id)
    rows = qs.filter(wanted).order_by("moderated_at", "pk")
    return [case for case in rows if matches(alert, case)]


# --- Sending -------------------------------------------------------------------------------------


def deliver(alert: AreaAlert, cases: Sequence[Case], *, now: dt.datetime | None = None) -> bool:
    """One e-mail to the alert's address about one or many public reports, with the one-click
    unsubscribe link. Never about a report that is not public; never the same reports twice to
    the same alert (the dedupe key: a report unpublished and published again is not resent)."""
    cases = [c for c in cases if c.is_public]
    if not cases or not alert.is_confirmed:
        return False
    what = describe(alert)
    if len(cases) == 1:
        subject = _("Ny felanmälan: %(c)s (%(what)s)") % {
            "c": cases[0].category.name,
            "what": what,
        }
    else:
        subject = ngettext(
            "%(n)d ny felanmälan i %(what)s",
            "%(n)d nya felanmälningar i %(what)s",
            len(cases),
        ) % {"n": len(cases), "what": what}
    lines: list[Any] = [_("Nya publicerade felanmälningar i %(what)s:") % {"what": what}, ""]
    for case in cases:
        lines.append(f"{case.category.name} ({case.number})")
        if case.public_address:
            lines.append(case.public_address)
        lines += [case.public_description[:300], _site() + case.get_public_url(), ""]
    lines += [
        _("Du får det här mejlet för att du bevakar %(what)s.") % {"what": what},
        _("Avsluta bevakningen här (en knapp; din e-postadress raderas):"),
        unsubscribe_url(unsubscribe_token(alert)),
    ]
    ids = ",".join(str(c.pk) for c in cases)
    if len(cases) > 1:
        ids = hashlib.sha256(ids.encode()).hexdigest()[:32]
    # A notice about what the resident follows: at once, or in their daily or weekly digest
    # (insyn.core.notices, the recipient's choice).
    sent = notify(
        alert.email,
        subject,
        "\n".join(str(x) for x in lines),
        dedupe_key=f"feedback:alert:{alert.pk}:{ids}",
        now=now,
    )
    if sent:
        AreaAlert.objects.filter(pk=alert.pk).update(last_sent_at=now or timezone.now())
    return sent


def report_published(case: Case, *, now: dt.datetime | None = None) -> int:
    """The hook services.moderate calls when a report becomes public: immediate alerts."""
    sent = 0
    for alert in alerts_for_case(case):
        sent += deliver(alert, [case], now=now)
    return sent
