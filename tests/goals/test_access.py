"""goals/access.py: 404 for a report a person may not know exists, 403 for one they may read
but not change — the same for the report page, its history and the autosave."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.goals.access import access_report
from insyn.goals.models import Report, ReportState
from tests.factories import MembershipFactory
from tests.world import open_period

SAVE = {"status": "on_track", "assessment": "Intrång", "version": 1, "save": "1"}


@pytest.fixture
def reports(world):
    open_period(world)
    own = Report.objects.get(
        period=world.period, assignment=world.assignments[2], organisation=world.son
    )
    foreign = Report.objects.get(
        period=world.period, assignment=world.assignments[2], organisation=world.ubn
    )
    return own, foreign


def test_a_reporter_gets_404_for_another_organisations_report(world, reports, as_user):
    own, foreign = reports
    client = as_user(world.users["reporter"])
    assert client.get(reverse("goals:report", args=[own.pk])).status_code == 200
    for name in ("goals:report", "goals:report_history"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    assert client.post(reverse("goals:report", args=[foreign.pk]), SAVE).status_code == 404
    assert client.post(reverse("goals:report_autosave", args=[foreign.pk]), SAVE).status_code == 404
    with pytest.raises(Http404):
        access_report(world.users["reporter"], foreign.pk)


def test_a_reader_gets_404_for_a_draft_and_403_for_changing_a_submitted_report(
    world, reports, as_user
):
    own, _foreign = reports
    reader = world.users["reader"]
    client = as_user(reader)
    assert client.get(reverse("goals:report", args=[own.pk])).status_code == 404
    Report.objects.filter(pk=own.pk).update(state=ReportState.SUBMITTED)
    assert client.get(reverse("goals:report", args=[own.pk])).status_code == 200
    assert client.post(reverse("goals:report", args=[own.pk]), SAVE).status_code == 403
    assert access_report(reader, own.pk).pk == own.pk
    with pytest.raises(PermissionDenied):
        access_report(reader, own.pk, write=True)


def test_a_reporter_who_also_compiles_gets_403_not_404_autosaving_another_organisations_report(
    world, reports, as_user
):
    """They may see every report (as compiler) but change only their own organisation's: the
    autosave said 404 here while the report page said 403."""
    _own, foreign = reports
    user = world.users["reporter"]
    MembershipFactory(user=user, role=Role.COMPILER, organisation=None)
    client = as_user(user)
    assert client.get(reverse("goals:report", args=[foreign.pk])).status_code == 200
    for name in ("goals:report", "goals:report_autosave"):
        assert client.post(reverse(name, args=[foreign.pk]), SAVE).status_code == 403
    foreign.refresh_from_db()
    assert foreign.assessment != "Intrång"


def test_a_missing_report_or_period_is_404(world, as_user):
    client = as_user(world.users["compiler"])
    assert client.get(reverse("goals:report", args=[987654])).status_code == 404
    assert client.get(reverse("goals:period", args=[987654])).status_code == 404
