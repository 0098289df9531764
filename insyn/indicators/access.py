"""Fetching indicator objects for the staff pages under /personal/indikatorer/.

Indicators, peer groups and budget uploads are municipality-wide: every person the page's
`role_required` lets in (administrators and compilers) may see and change each of them, so
these helpers answer 404 only for what does not exist. They are here so that a per-object
rule, when one comes, has one place (the behaviour of insyn.core.access: 404 for what a person
may not see, 403 for what they may see but not change).
"""

from __future__ import annotations

from typing import Any

from insyn.core.access import fetch, grant
from insyn.indicators.models import (
    BudgetUpload,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    PeerGroup,
)


def access_indicator(user: Any, pk: Any, *, write: bool = False) -> Indicator:
    return grant(fetch(Indicator.objects.select_related("kpi"), pk=pk))


def access_link(user: Any, pk: Any, *, indicator_id: Any, write: bool = False) -> IndicatorLink:
    return grant(fetch(IndicatorLink.objects.all(), pk=pk, indicator_id=indicator_id))


def access_target(user: Any, pk: Any, *, indicator_id: Any, write: bool = False) -> IndicatorTarget:
    return grant(fetch(IndicatorTarget.objects.all(), pk=pk, indicator_id=indicator_id))


def access_peer_group(user: Any, pk: Any, *, write: bool = False) -> PeerGroup:
    return grant(fetch(PeerGroup.objects.all(), pk=pk))


def access_budget_upload(user: Any, pk: Any, *, write: bool = False) -> BudgetUpload:
    return grant(fetch(BudgetUpload.objects.all(), pk=pk))
