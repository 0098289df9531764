"""Who may see and change which goals objects (staff pages under /personal/uppfoljning/).

A reporter sees and edits the reports of their own organisations; a reader sees submitted and
approved organisation reports; compilers and administrators see all. One behaviour
(insyn.core.access): 404 for what a person may not see, 403 for what they may see but not change.
Which *pages* a role reaches is decided by `role_required` on the view.
"""

from __future__ import annotations

from typing import Any

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role, organisation_ids, roles_of
from insyn.core.access import fetch, grant
from insyn.goals.models import Assignment, FollowUpPeriod, Goal, Report, ReportState

READER_VISIBLE_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


def reporter_organisations(user: Any) -> set[int]:
    """The organisations the user reports for."""
    return organisation_ids(user, Role.REPORTER)


def can_see_report(user: Any, report: Report) -> bool:
    if has_role(user, Role.COMPILER):  # administrators and compilers
        return True
    if report.organisation_id and report.organisation_id in reporter_organisations(user):
        return True
    return (
        Role.READER in roles_of(user)
        and report.state in READER_VISIBLE_STATES
        and report.organisation_id is not None
    )


def can_edit_report(user: Any, report: Report) -> bool:
    return report.organisation_id is not None and (
        Role.ADMIN in roles_of(user) or report.organisation_id in reporter_organisations(user)
    )


def sees_whole_report(user: Any, report: Report) -> bool:
    """Compilers, administrators and the report's own organisation see every version of it,
    drafts and return comments included; anyone else (a reader) only what was handed in."""
    return has_role(user, Role.COMPILER) or (
        report.organisation_id is not None
        and report.organisation_id in reporter_organisations(user)
    )


def access_report(user: Any, report_id: Any, *, write: bool = False) -> Report:
    """An organisation's (or the compiled) report: 404 unless the user may see it, 403 when
    they may see it but `write` and it is not theirs to edit."""
    report = fetch(
        Report.objects.select_related(
            "period__plan", "assignment__goal", "organisation", "submitted_by", "prefill_period"
        ),
        pk=report_id,
    )
    return grant(
        report,
        see=can_see_report(user, report),
        change=lambda: can_edit_report(user, report),
        write=write,
    )


def access_period(user: Any, period_id: Any, *, write: bool = False) -> FollowUpPeriod:
    """A follow-up period; every staff role with the page may see every period (the view's
    `role_required` decides who may change it)."""
    return grant(fetch(FollowUpPeriod.objects.select_related("plan"), pk=period_id))


def access_assignment(
    user: Any, assignment_id: Any, *, period: FollowUpPeriod | None = None, write: bool = False
) -> Assignment:
    """An assignment (of the period's plan, when a period is given)."""
    lookup: dict[str, Any] = {"pk": assignment_id}
    if period is not None:
        lookup["goal__plan"] = period.plan
    return grant(fetch(Assignment.objects.select_related("goal__plan"), **lookup))


def access_goal(user: Any, goal_id: Any, *, period: FollowUpPeriod, write: bool = False) -> Goal:
    """A goal of the period's plan."""
    return grant(fetch(Goal.objects.all(), pk=goal_id, plan=period.plan))
