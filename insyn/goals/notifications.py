"""Email notices of the reporting workflow, queued with insyn.core.mail.queue_email (never sent
inside a request; `insyn send-queued-mail` sends). Each has a dedupe key, so running a service
or `insyn send-reminders` twice never sends the same notice twice.

- period opened → reporters (and the organisation's notice address) of every organisation
  that has drafts:                                  period_opened:<period>
- 7 and 1 days before the deadline → those whose organisations have not submitted:
                                                    reminder:<period>:<7|1>
- report returned → the organisation's reporters:   report_returned:<report>:<version>
- period published → reporters, compilers, readers: period_published:<period>
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from insyn.accounts.models import Membership, Role
from insyn.core.mail import queue_email
from insyn.organisations.models import Organisation

if TYPE_CHECKING:
    from insyn.goals.models import FollowUpPeriod, Report

SIGNATURE = "\n\nDet här meddelandet skickades automatiskt av Insyn."


def _url(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def public_period_url(period: FollowUpPeriod) -> str:
    try:
        return settings.SITE_URL + period.get_absolute_url()
    except NoReverseMatch:  # the public site has no period page (yet)
        return settings.SITE_URL + "/"


def _recipients(org_ids: Iterable[int]) -> dict[str, set[str]]:
    """email address → names of the organisations it is notified for (reporters + org email)."""
    org_ids = list(org_ids)
    result: dict[str, set[str]] = defaultdict(set)
    for membership in Membership.objects.filter(
        role=Role.REPORTER, organisation_id__in=org_ids
    ).select_related("user", "organisation"):
        if membership.user.email and membership.user.is_active:
            result[membership.user.email.lower()].add(membership.organisation.name)
    for org in Organisation.objects.filter(pk__in=org_ids).exclude(email=""):
        result[org.email.lower()].add(org.name)
    return result


def _deadline(period: FollowUpPeriod) -> str:
    return f"{period.deadline:%Y-%m-%d}" if period.deadline else "–"


def period_opened(period: FollowUpPeriod) -> int:
    org_ids = set(
        period.reports.filter(organisation__isnull=False).values_list("organisation_id", flat=True)
    )
    queued = 0
    for address, names in _recipients(org_ids).items():
        body = (
            f"Hej!\n\nUppföljningen {period.label} {period.year} är öppen för rapportering "
            f"för {', '.join(sorted(names))}.\nSista dag för rapportering: "
            f"{_deadline(period)}.\n\nDina utkast är ifyllda med er förra rapport. "
            f"Rapportera här: {_url('goals:my_reports')}{SIGNATURE}"
        )
        queued += queue_email(
            address,
            f"Rapportera: {period.label} {period.year}",
            body,
            dedupe_key=f"period_opened:{period.pk}",
        )
    return queued


def deadline_reminders(period: FollowUpPeriod, *, today: dt.date) -> int:
    """Queue the 7-day or 1-day reminder if today is in that window (2–7 or 0–1 days left)."""
    from insyn.goals.services import EDITABLE_STATES

    if not period.deadline:
        return 0
    days_left = (period.deadline - today).days
    if 2 <= days_left <= 7:
        which = 7
    elif 0 <= days_left <= 1:
        which = 1
    else:
        return 0
    org_ids = set(
        period.reports.filter(organisation__isnull=False, state__in=EDITABLE_STATES).values_list(
            "organisation_id", flat=True
        )
    )
    queued = 0
    when = (
        "i morgon" if days_left == 1 else ("i dag" if days_left == 0 else f"om {days_left} dagar")
    )
    for address, names in _recipients(org_ids).items():
        body = (
            f"Hej!\n\nSista dag för rapportering av {period.label} {period.year} är "
            f"{_deadline(period)} ({when}). Följande har ännu inte lämnat in alla "
            f"rapporter: {', '.join(sorted(names))}.\n\nRapportera här: "
            f"{_url('goals:my_reports')}{SIGNATURE}"
        )
        queued += queue_email(
            address,
            f"Påminnelse: rapportera {period.label} {period.year}",
            body,
            dedupe_key=f"reminder:{period.pk}:{which}",
        )
    return queued


def report_returned(report: Report) -> int:
    addresses = set(_recipients([report.organisation_id]))
    if report.submitted_by_id and report.submitted_by.email:
        addresses.add(report.submitted_by.email.lower())
    body = (
        f"Hej!\n\nRapporten för {report.organisation} om {report.assignment.heading} "
        f"({report.period.label} {report.period.year}) har skickats tillbaka för "
        f"komplettering.\n\nKommentar:\n{report.return_comment}\n\nRätta och lämna in igen: "
        f"{_url('goals:report', report.pk)}{SIGNATURE}"
    )
    return sum(
        queue_email(
            address,
            f"Komplettera rapporten: {report.assignment.heading}",
            body,
            dedupe_key=f"report_returned:{report.pk}:{report.version}",
        )
        for address in sorted(addresses)
    )


def period_published(period: FollowUpPeriod) -> int:
    org_ids = set(
        period.reports.filter(organisation__isnull=False).values_list("organisation_id", flat=True)
    )
    addresses = set(_recipients(org_ids))
    addresses |= {
        email.lower()
        for email in Membership.objects.filter(
            role__in=[Role.COMPILER, Role.READER], user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    }
    body = (
        f"Hej!\n\nUppföljningen {period.label} {period.year} är publicerad: "
        f"{public_period_url(period)}{SIGNATURE}"
    )
    return sum(
        queue_email(
            address,
            f"Publicerad: {period.label} {period.year}",
            body,
            dedupe_key=f"period_published:{period.pk}",
        )
        for address in sorted(addresses)
    )
