"""Email notices of the reporting workflow, queued with insyn.core.mail.queue_email (never sent
inside a request; `insyn send-queued-mail` sends). Each has a dedupe key, so running a service
or `insyn send-reminders` twice never sends the same notice twice.

- period opened → reporters (and the organisation's notice address) of every organisation
  that has drafts:                                  period_opened:<period>
- 7 and 1 days before the deadline → those whose organisations have not submitted:
                                                    reminder:<period>:<7|1>
- report returned → the organisation's reporters:   report_returned:<report>:<version>
- period published → reporters, compilers, readers: period_published:<period>

The texts are gettext messages with named placeholders (English in insyn/locale/en). Staff have
no language of their own, so every notice is written in the site's language (Swedish), whatever
language the person whose action queued it has chosen for their pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from insyn.accounts.models import Membership, Role
from insyn.core.mail import queue_email
from insyn.organisations.models import Organisation

if TYPE_CHECKING:
    from insyn.goals.models import FollowUpPeriod, Report


def _signature() -> str:
    return "\n\n" + _("Det här meddelandet skickades automatiskt av Insyn.")


def _in_site_language[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Write the notice in the site's language, not in the acting person's page language."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


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


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _deadline(period: FollowUpPeriod) -> str:
    return f"{period.deadline:%Y-%m-%d}" if period.deadline else "–"


@_in_site_language
def period_opened(period: FollowUpPeriod) -> int:
    org_ids = set(
        period.reports.filter(organisation__isnull=False).values_list("organisation_id", flat=True)
    )
    queued = 0
    for address, names in _recipients(org_ids).items():
        body = (
            _(
                "Hej!\n\nUppföljningen %(period)s %(year)s är öppen för rapportering för "
                "%(organisations)s.\nSista dag för rapportering: %(deadline)s.\n\nDina utkast "
                "är ifyllda med er förra rapport. Rapportera här: %(url)s"
            )
            % {
                "period": period.label,
                "year": period.year,
                "organisations": _names(names),
                "deadline": _deadline(period),
                "url": _url("goals:my_reports"),
            }
            + _signature()
        )
        queued += queue_email(
            address,
            _("Rapportera: %(period)s %(year)s") % {"period": period.label, "year": period.year},
            body,
            dedupe_key=f"period_opened:{period.pk}",
        )
    return queued


@_in_site_language
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
    if days_left == 0:
        when = _("i dag")
    elif days_left == 1:
        when = _("i morgon")
    else:
        when = _("om %(n)s dagar") % {"n": days_left}
    for address, names in _recipients(org_ids).items():
        body = (
            _(
                "Hej!\n\nSista dag för rapportering av %(period)s %(year)s är %(deadline)s "
                "(%(when)s). Följande har ännu inte lämnat in alla rapporter: "
                "%(organisations)s.\n\nRapportera här: %(url)s"
            )
            % {
                "period": period.label,
                "year": period.year,
                "deadline": _deadline(period),
                "when": when,
                "organisations": _names(names),
                "url": _url("goals:my_reports"),
            }
            + _signature()
        )
        queued += queue_email(
            address,
            _("Påminnelse: rapportera %(period)s %(year)s")
            % {"period": period.label, "year": period.year},
            body,
            dedupe_key=f"reminder:{period.pk}:{which}",
        )
    return queued


@_in_site_language
def report_returned(report: Report) -> int:
    addresses = set(_recipients([report.organisation_id]))
    if report.submitted_by_id and report.submitted_by.email:
        addresses.add(report.submitted_by.email.lower())
    body = (
        _(
            "Hej!\n\nRapporten för %(organisation)s om %(assignment)s (%(period)s %(year)s) har "
            "skickats tillbaka för komplettering.\n\nKommentar:\n%(comment)s\n\nRätta och "
            "lämna in igen: %(url)s"
        )
        % {
            "organisation": report.organisation,
            "assignment": report.assignment.heading,
            "period": report.period.label,
            "year": report.period.year,
            "comment": report.return_comment,
            "url": _url("goals:report", report.pk),
        }
        + _signature()
    )
    return sum(
        queue_email(
            address,
            _("Komplettera rapporten: %(assignment)s") % {"assignment": report.assignment.heading},
            body,
            dedupe_key=f"report_returned:{report.pk}:{report.version}",
        )
        for address in sorted(addresses)
    )


@_in_site_language
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
        _("Hej!\n\nUppföljningen %(period)s %(year)s är publicerad: %(url)s")
        % {"period": period.label, "year": period.year, "url": public_period_url(period)}
        + _signature()
    )
    return sum(
        queue_email(
            address,
            _("Publicerad: %(period)s %(year)s") % {"period": period.label, "year": period.year},
            body,
            dedupe_key=f"period_published:{period.pk}",
        )
        for address in sorted(addresses)
    )
