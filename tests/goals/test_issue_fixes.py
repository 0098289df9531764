"""Defects found by walking each role's day (issues 11 and 12), each pinned by a test."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.goals import services
from insyn.goals.models import Report, Status
from tests.goals.conftest import open_period

pytestmark = pytest.mark.django_db


def _son_report(world):
    return Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )


def test_a_reader_sees_only_handed_in_versions_in_a_reports_history(world, as_user):
    open_period(world)
    report = _son_report(world)
    reporter = world.users["reporter"]
    report = services.report_save(
        report_id=report.pk,
        version=report.version,
        status=Status.ON_TRACK,
        assessment="UTKAST-HEMLIGT före inlämning",
        by=reporter,
    )
    report = services.report_submit(
        report_id=report.pk,
        version=report.version,
        status=Status.ON_TRACK,
        assessment="Inlämnad text",
        by=reporter,
    )
    report = services.report_return(
        report=report, comment="INTERN-RETURKOMMENTAR", by=world.users["compiler"]
    )
    report = services.report_submit(
        report_id=report.pk,
        version=report.version,
        status=Status.ON_TRACK,
        assessment="Kompletterad text",
        by=reporter,
    )
    url = reverse("goals:report_history", args=[report.pk])
    page = as_user(world.users["reader"]).get(url).content.decode()
    assert "Inlämnad text" in page and "Kompletterad text" in page
    assert "UTKAST-HEMLIGT" not in page
    assert "SON: arbetet är försenat" not in page  # the pre-filled draft was never handed in
    assert "INTERN-RETURKOMMENTAR" not in page
    # The organisation itself and the compilers still see everything.
    for who in ("reporter", "compiler"):
        page = as_user(world.users[who]).get(url).content.decode()
        assert "UTKAST-HEMLIGT" in page and "INTERN-RETURKOMMENTAR" in page
