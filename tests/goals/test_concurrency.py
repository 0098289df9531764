"""Two people editing the same draft: the second save is refused and shows the other text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.goals import services
from insyn.goals.models import Report
from tests.factories import MembershipFactory, UserFactory
from tests.world import open_period

pytestmark = pytest.mark.django_db


def test_it_refuses_a_save_based_on_an_old_version(world):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    version = report.version
    services.report_save(
        report_id=report.pk,
        version=version,
        status="on_track",
        assessment="Annas text",
        by=world.users["reporter"],
    )
    with pytest.raises(services.ReportConflict) as conflict:
        services.report_save(
            report_id=report.pk,
            version=version,
            status="delayed",
            assessment="Bertils text",
            by=world.users["reporter"],
        )
    assert conflict.value.current.assessment == "Annas text"
    report.refresh_from_db()
    assert report.assessment == "Annas text" and report.version == version + 1


def test_it_shows_the_other_version_on_conflict(world, client):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    anna = world.users["reporter"]
    bertil = MembershipFactory(organisation=world.son, user=UserFactory(username="bertil")).user
    url = reverse("goals:report", args=[report.pk])
    version = report.version
    client.force_login(anna)
    assert (
        client.post(
            url, {"status": "on_track", "assessment": "Annas text", "version": version, "save": "1"}
        ).status_code
        == 302
    )
    client.force_login(bertil)
    response = client.post(
        url, {"status": "delayed", "assessment": "Bertils text", "version": version, "save": "1"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan har sparat rapporten medan du skrev" in text
    assert "Annas text" in text and "Bertils text" in text  # theirs shown, mine kept
    report.refresh_from_db()
    assert report.assessment == "Annas text"
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert f'value="{report.version}"' in text
    client.post(
        url,
        {"status": "delayed", "assessment": "Bertils text", "version": report.version, "save": "1"},
    )
    report.refresh_from_db()
    assert report.assessment == "Bertils text"


def test_it_reports_a_conflict_on_autosave(world, client):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    client.force_login(world.users["reporter"])
    url = reverse("goals:report_autosave", args=[report.pk])
    data = {"status": "on_track", "assessment": "Ett", "version": report.version}
    assert client.post(url, data).status_code == 200
    response = client.post(url, {**data, "assessment": "Två"})
    assert response.status_code == 409
    assert "Någon annan har sparat" in response.content.decode()
    report.refresh_from_db()
    assert report.assessment == "Ett"


def test_it_records_every_save_in_history(world):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    before = report.history.count()
    services.report_save(
        report_id=report.pk,
        version=report.version,
        status="on_track",
        assessment="Ny",
        by=world.users["reporter"],
    )
    latest = report.history.first()
    assert report.history.count() == before + 1
    assert latest.assessment == "Ny" and latest.history_user == world.users["reporter"]


def test_it_lets_the_save_button_follow_its_own_autosave(world, client):
    """The Save button may race the page's own autosave: not a conflict with anyone else."""
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    client.force_login(world.users["reporter"])
    version = report.version
    data = {"status": "on_track", "assessment": "Autosparat", "version": version, "editor": "flik1"}
    client.post(reverse("goals:report_autosave", args=[report.pk]), data)
    response = client.post(
        reverse("goals:report", args=[report.pk]), {**data, "assessment": "Inlämnat", "submit": "1"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assessment == "Inlämnat" and report.state == "submitted"


def test_it_still_refuses_a_stale_save_from_another_tab(world, client):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    client.force_login(world.users["reporter"])
    data = {
        "status": "on_track",
        "assessment": "Flik 1",
        "version": report.version,
        "editor": "flik1",
    }
    client.post(reverse("goals:report_autosave", args=[report.pk]), data)
    response = client.post(
        reverse("goals:report", args=[report.pk]),
        {**data, "assessment": "Flik 2", "editor": "flik2", "save": "1"},
    )
    assert "Någon annan har sparat rapporten" in response.content.decode()
    report.refresh_from_db()
    assert report.assessment == "Flik 1"
