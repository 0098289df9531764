"""What goals adds to the staff home (/personal/): the reporter's, the compiler's and the
reader's sections, the periods an administrator should open, and the menu entries.

Registered in GoalsConfig.ready() (insyn.core.registry); each provider costs a bounded number
of queries (tests/accounts/test_staff_home.py pins the home's count).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role, organisation_ids, roles_of
from insyn.accounts.selectors import LIST_LIMIT, staff_date
from insyn.core.registry import StaffItem, StaffLink, StaffSection
from insyn.goals.models import FollowUpPeriod, PeriodState, Report, ReportState


def links(user: Any) -> list[StaffLink]:
    result = []
    if has_role(user, Role.REPORTER):
        result.append(StaffLink(_("Mina rapporter"), reverse("goals:my_reports")))
    if has_role(user, Role.COMPILER, Role.READER, Role.REPORTER):
        result.append(StaffLink(_("Uppföljning"), reverse("goals:index")))
    return result


def _holds(user: Any, role: str) -> bool:
    held = roles_of(user)
    return Role.ADMIN in held or role in held


def reporter_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    if not _holds(user, Role.REPORTER):
        return None
    section = StaffSection(
        "reporter", _("Dina rapporter"), empty=_("Inga rapporter väntar på dig just nu.")
    )
    org_ids = organisation_ids(user, Role.REPORTER)
    if has_role(user, Role.ADMIN) and not org_ids:
        open_reports = Report.objects.filter(
            period__state=PeriodState.OPEN, organisation__isnull=False
        )
    else:
        open_reports = Report.objects.filter(
            period__state=PeriodState.OPEN, organisation_id__in=org_ids
        )
    due = open_reports.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED])
    rows = list(
        due.select_related("assignment__goal", "period", "organisation")
        .annotate(
            returned_first=When_(
                When(state=ReportState.RETURNED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("returned_first", "period__deadline", "assignment__goal__order", "pk")[
            :LIST_LIMIT
        ]
    )
    totals = due.aggregate(
        returned=Count("pk", filter=Q(state=ReportState.RETURNED)),
        drafts=Count("pk", filter=Q(state=ReportState.DRAFT)),
    )
    if totals["returned"]:
        section.items.append(
            StaffItem(
                ngettext(
                    "%(n)d rapport är återsänd för komplettering",
                    "%(n)d rapporter är återsända för komplettering",
                    totals["returned"],
                )
                % {"n": totals["returned"]},
                reverse("goals:my_reports"),
                urgent=True,
            )
        )
    if totals["drafts"]:
        section.items.append(
            StaffItem(
                ngettext(
                    "%(n)d utkast ska lämnas in",
                    "%(n)d utkast ska lämnas in",
                    totals["drafts"],
                )
                % {"n": totals["drafts"]},
                reverse("goals:my_reports"),
            )
        )
    today = timezone.localdate()
    for report in rows:
        deadline = report.period.deadline
        detail = report.get_state_display()
        if deadline:
            detail += " · " + _("senast %(date)s") % {"date": staff_date(deadline)}
        organisation = report.organisation.name if report.organisation else ""
        section.items.append(
            StaffItem(
                f"{report.assignment} – {organisation}",
                reverse("goals:report", kwargs={"report_id": report.pk}),
                detail=detail,
                urgent=report.state == ReportState.RETURNED
                or bool(deadline and deadline <= today + dt.timedelta(days=3)),
            )
        )
    return section


def compiler_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    if not _holds(user, Role.COMPILER):
        return None
    section = StaffSection(
        "compiler",
        _("Sammanställning och granskning"),
        empty=_("Ingen period är öppen eller väntar på publicering."),
    )
    periods = list(
        FollowUpPeriod.objects.filter(state__in=[PeriodState.OPEN, PeriodState.CLOSED])
        .annotate(
            total=Count("reports", filter=Q(reports__organisation__isnull=False)),
            handed_in=Count(
                "reports",
                filter=Q(
                    reports__organisation__isnull=False,
                    reports__state__in=[ReportState.SUBMITTED, ReportState.APPROVED],
                ),
            ),
            to_review=Count(
                "reports",
                filter=Q(reports__organisation__isnull=False, reports__state=ReportState.SUBMITTED),
            ),
            returned=Count(
                "reports",
                filter=Q(reports__organisation__isnull=False, reports__state=ReportState.RETURNED),
            ),
        )
        .order_by("deadline", "pk")[:LIST_LIMIT]
    )
    for period in periods:
        url = reverse("goals:compile_overview", kwargs={"period_id": period.pk})
        section.items.append(
            StaffItem(
                _("%(period)s %(year)s: %(done)d av %(total)d rapporter inlämnade")
                % {
                    "period": period.label,
                    "year": period.year,
                    "done": period.handed_in,
                    "total": period.total,
                },
                url,
                detail=period.get_state_display(),
            )
        )
        if period.to_review:
            section.items.append(
                StaffItem(
                    ngettext(
                        "%(n)d rapport väntar på granskning",
                        "%(n)d rapporter väntar på granskning",
                        period.to_review,
                    )
                    % {"n": period.to_review},
                    url,
                    urgent=True,
                )
            )
        missing = period.total - period.handed_in
        if missing:
            section.items.append(
                StaffItem(
                    ngettext(
                        "Hindrar publicering: %(n)d rapport är inte inlämnad",
                        "Hindrar publicering: %(n)d rapporter är inte inlämnade",
                        missing,
                    )
                    % {"n": missing},
                    url,
                    detail=(
                        ngettext("varav %(n)d återsänd", "varav %(n)d återsända", period.returned)
                        % {"n": period.returned}
                        if period.returned
                        else ""
                    ),
                )
            )
    return section


def reader_section(user: Any, since: dt.datetime | None) -> StaffSection | None:
    if not _holds(user, Role.READER):
        return None
    section = StaffSection("reader", _("Översikter"))
    section.items.append(StaffItem(_("Uppföljning av mål och uppdrag"), reverse("goals:index")))
    periods = FollowUpPeriod.objects.exclude(state=PeriodState.PLANNED).order_by(
        "-year", "-deadline", "-pk"
    )[:5]
    for period in periods:
        section.items.append(
            StaffItem(
                f"{period.label} {period.year}",
                reverse("goals:compile_overview", kwargs={"period_id": period.pk}),
                detail=period.get_state_display(),
            )
        )
    section.items.append(StaffItem(_("Indikatorer och budget"), reverse("indicators:index")))
    return section


def periods_to_open(user: Any) -> list[StaffItem]:
    """For the administrator's system section: opening a follow-up period for reporting is the
    administrator's task (the compiler's part starts once it is open), each planned period
    linked to where it is opened."""
    return [
        StaffItem(
            _("Att öppna för rapportering: %(period)s %(year)s")
            % {"period": period.label, "year": period.year},
            reverse("goals:period", kwargs={"period_id": period.pk}),
        )
        for period in FollowUpPeriod.objects.filter(state=PeriodState.PLANNED).order_by(
            "deadline", "pk"
        )[:LIST_LIMIT]
    ]
