"""What indicators adds to the staff home (/personal/): the menu entry and the last imports in
the administrator's system section. Registered in IndicatorsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role
from insyn.accounts.selectors import staff_date
from insyn.core.registry import StaffItem, StaffLink
from insyn.indicators.models import ImportRun


def links(user: Any) -> list[StaffLink]:
    if has_role(user, Role.COMPILER):
        return [StaffLink(_("Indikatorer och budget"), reverse("indicators_staff:index"))]
    return []


def import_runs(user: Any) -> list[StaffItem]:
    """The last three imports, a failed one urgent."""
    runs = list(ImportRun.objects.order_by("-started_at")[:3])
    if not runs:
        return [StaffItem(_("Inga importer har körts ännu."))]
    return [
        StaffItem(
            _("Import %(date)s: %(result)s")
            % {
                "date": staff_date(timezone.localtime(run.started_at).date()),
                "result": _("lyckades") if run.succeeded else _("misslyckades"),
            },
            reverse("indicators_staff:import_runs"),
            urgent=not run.succeeded,
            detail=(run.description or "")[:120],
        )
        for run in runs
    ]
