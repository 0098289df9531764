"""Demo of the reporting workflow (after the importer has loaded Uppsala's published follow-up):
the unfinished assignments of the latest published period are carried into the next plan, and
its April follow-up is open for reporting, so the demo reporters have drafts pre-filled from
the published texts. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from insyn.goals import services
from insyn.goals.models import FollowUpPeriod, PeriodKind, PeriodState, Plan


def load_demo() -> None:
    published = (
        FollowUpPeriod.objects.published()
        .select_related("plan")
        .order_by("-year", "-month")
        .first()
    )
    if published is None:
        return
    year = published.plan.year + 1
    plan, _created = Plan.objects.get_or_create(
        year=year,
        defaults={
            "title": f"Mål och budget {year} med plan för {year + 1}–{year + 2}",
            "last_year": year + 2,
        },
    )
    services.carry_over(from_period=published, to_plan=plan, by=None)
    period = FollowUpPeriod.objects.filter(plan=plan, kind=PeriodKind.APRIL).first()
    if period is None:
        period = services.period_create(
            plan=plan,
            kind=PeriodKind.APRIL,
            by=None,
            deadline=timezone.localdate() + dt.timedelta(days=21),
        )
    if period.state == PeriodState.PLANNED:
        services.period_open(period=period, by=None)
    else:  # a demo loaded before drafts were pre-filled from the published texts
        services.drafts_prefill_untouched(period=period, by=None)
