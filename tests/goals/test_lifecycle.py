"""The reporting lifecycle end to end through the test client: create → open → drafts pre-filled
→ edit → submit → return → resubmit → approve → compile → goal status → publish → correction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from insyn.core.models import OutgoingEmail
from insyn.goals.models import (
    Correction,
    FollowUpPeriod,
    GoalFollowUp,
    PeriodState,
    Report,
    ReportState,
    Status,
)
from insyn.goals.selectors import corrections_for_period
from tests.world import open_period

pytestmark = pytest.mark.django_db


def test_it_refuses_a_deadline_in_the_past_in_swedish(world, as_user):
    client = as_user(world.users["admin"])
    response = client.post(
        reverse("goals:period_create"),
        {
            "plan": world.plan.pk,
            "kind": "annual",
            "label": "",
            "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "har redan passerat" in response.content.decode()
    assert not FollowUpPeriod.objects.filter(kind="annual").exists()


def test_it_runs_the_whole_lifecycle(world, as_user):
    a1, a2, a3 = world.assignments
    admin, compiler = world.users["admin"], world.users["compiler"]
    reporter = world.users["reporter"]

    # Create and open.
    client = as_user(admin)
    response = client.post(
        reverse("goals:period_create"),
        {
            "plan": world.plan.pk,
            "kind": "annual",
            "label": "Årsbokslut",
            "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )
    created = FollowUpPeriod.objects.get(kind="annual")
    assert response.status_code == 302
    assert created.state == PeriodState.PLANNED
    response = client.post(reverse("goals:period_open", args=[world.period.pk]))
    assert response.status_code == 302
    world.period.refresh_from_db()
    assert world.period.state == PeriodState.OPEN

    # One draft per assignment × responsible organisation, groups expanded for the year.
    drafts = Report.objects.filter(period=world.period, organisation__isnull=False)
    pairs = {(r.assignment_id, r.organisation.name) for r in drafts}
    assert pairs == {
        (a1.pk, "Socialnämnden"),
        (a1.pk, "Uppsalahem AB"),
        (a2.pk, "Kommunstyrelsen"),
        (a3.pk, "Kommunstyrelsen"),
        (a3.pk, "Socialnämnden"),
        (a3.pk, "Utbildningsnämnden"),
        (a3.pk, "Uppsalahem AB"),
    }
    assert all(r.state == ReportState.DRAFT for r in drafts)
    # Pre-filled from the organisation's previous report.
    son_draft = drafts.get(assignment=a1, organisation=world.son)
    assert son_draft.assessment == "SON: arbetet är försenat i april."
    assert son_draft.status == Status.DELAYED
    assert son_draft.assessment_label == f"Rapportering augusti {world.period.year}"
    # The period-opened notice is queued for the reporter.
    assert OutgoingEmail.objects.filter(
        to=reporter.email, dedupe_key=f"period_opened:{world.period.pk}"
    ).exists()

    # The reporter edits and saves (without JS), then submits.
    client = as_user(reporter)
    url = reverse("goals:report", args=[son_draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "SON: arbetet är försenat i april." in page.content.decode()
    response = client.post(
        url,
        {
            "status": "on_track",
            "assessment": "Nu går det bättre.",
            "version": son_draft.version,
            "save": "1",
        },
    )
    assert response.status_code == 302
    son_draft.refresh_from_db()
    assert son_draft.assessment == "Nu går det bättre." and son_draft.state == ReportState.DRAFT
    # An empty assessment is refused on submit, nothing saved.
    response = client.post(
        url, {"status": "on_track", "assessment": "  ", "version": son_draft.version, "submit": "1"}
    )
    assert "Skriv en bedömning innan du lämnar in" in response.content.decode()
    son_draft.refresh_from_db()
    assert son_draft.state == ReportState.DRAFT and son_draft.assessment == "Nu går det bättre."
    response = client.post(
        url,
        {
            "status": "on_track",
            "assessment": "Nu går det bättre.",
            "version": son_draft.version,
            "submit": "1",
        },
    )
    assert response.status_code == 302
    son_draft.refresh_from_db()
    assert son_draft.state == ReportState.SUBMITTED and son_draft.submitted_by == reporter

    # The compiler returns it with a comment; the reporter is told by email.
    client = as_user(compiler)
    review = reverse("goals:report_review", args=[son_draft.pk])
    response = client.post(review, {"action": "return", "comment": ""})
    son_draft.refresh_from_db()
    assert son_draft.state == ReportState.SUBMITTED  # a comment is required
    client.post(review, {"action": "return", "comment": "Beskriv vad som är försenat."})
    son_draft.refresh_from_db()
    assert son_draft.state == ReportState.RETURNED
    assert OutgoingEmail.objects.filter(
        to=reporter.email, dedupe_key__startswith="report_returned:"
    ).exists()

    # Resubmit, then approve.
    client = as_user(reporter)
    assert "Beskriv vad som är försenat." in client.get(url).content.decode()
    client.post(
        url,
        {
            "status": "delayed",
            "assessment": "Upphandlingen är försenad.",
            "version": son_draft.version,
            "submit": "1",
        },
    )
    son_draft.refresh_from_db()
    assert son_draft.state == ReportState.SUBMITTED
    client = as_user(compiler)
    client.post(review, {"action": "approve"})
    son_draft.refresh_from_db()
    assert son_draft.state == ReportState.APPROVED

    # Side by side: the compiler sees every organisation's text for the assignment.
    page = client.get(reverse("goals:compile_assignment", args=[world.period.pk, a1.pk]))
    text = page.content.decode()
    assert "Socialnämnden" in text and "Uppsalahem AB" in text
    assert "Upphandlingen är försenad." in text

    # Publishing is refused with a Swedish list of what is missing.
    response = client.post(reverse("goals:period_publish", args=[world.period.pk]), follow=True)
    text = response.content.decode()
    assert "Perioden kan inte publiceras ännu" in text
    assert "sammanställd bedömning saknas" in text and "målets status saknas" in text
    world.period.refresh_from_db()
    assert world.period.state == PeriodState.OPEN

    # Compile every assignment and goal.
    for assignment, status in [(a1, "delayed"), (a2, "completed"), (a3, "on_track")]:
        response = client.post(
            reverse("goals:compile_assignment", args=[world.period.pk, assignment.pk]),
            {"status": status, "assessment": f"Sammanställt om {assignment.number}."},
        )
        assert response.status_code == 302
    page = client.get(reverse("goals:compile_goal", args=[world.period.pk, world.goals[0].pk]))
    # The summary is computed from the compiled statuses, never typed.
    assert (
        "Ett av kommunfullmäktiges två uppdrag inom fokusmålet är klart. Ett uppdrag är försenat."
    ) in page.content.decode()
    for goal in world.goals:
        client.post(
            reverse("goals:compile_goal", args=[world.period.pk, goal.pk]),
            {"status": "yellow", "assessment": "Målet går framåt."},
        )
    assert GoalFollowUp.objects.filter(period=world.period, status="yellow").count() == 2

    # Publish: frozen, notices queued.
    response = client.post(reverse("goals:period_publish", args=[world.period.pk]))
    world.period.refresh_from_db()
    assert world.period.state == PeriodState.PUBLISHED and world.period.published_at
    assert OutgoingEmail.objects.filter(
        dedupe_key=f"period_published:{world.period.pk}", to=reporter.email
    ).exists()
    # Reporters can no longer change anything.
    other = Report.objects.get(period=world.period, assignment=a3, organisation=world.son)
    client = as_user(reporter)
    client.post(
        reverse("goals:report", args=[other.pk]),
        {"status": "on_track", "assessment": "Sent", "version": other.version, "save": "1"},
    )
    other.refresh_from_db()
    assert other.assessment != "Sent"

    # A correction after publishing needs a note and becomes a visible new version.
    client = as_user(compiler)
    url = reverse("goals:compile_assignment", args=[world.period.pk, a1.pk])
    response = client.post(url, {"status": "on_track", "assessment": "Sammanställt om 1."})
    assert "Beskriv vad som ändras" in response.content.decode()
    assert not Correction.objects.exists()
    client.post(
        url,
        {
            "status": "on_track",
            "assessment": "Sammanställt om 1.",
            "note": "Statusen var fel: upphandlingen blev klar i juli.",
        },
    )
    correction = Correction.objects.get()
    assert correction.version == 2 and correction.assignment == a1
    assert correction.changes == [
        {"field": "status", "label": "Status", "before": "Försenat", "after": "Enligt plan"}
    ]
    assert corrections_for_period(world.period) == [correction]
    page = client.get(reverse("goals:period", args=[world.period.pk]))
    assert "Statusen var fel" in page.content.decode()


def test_it_shows_the_completeness_dashboard(world, as_user):
    open_period(world)
    Report.objects.filter(period=world.period, organisation=world.ks).update(
        state=ReportState.SUBMITTED
    )
    page = as_user(world.users["reader"]).get(reverse("goals:period", args=[world.period.pk]))
    assert page.status_code == 200
    assert "1 av 3 nämnder men ingen bolagsstyrelse har rapporterat" in page.content.decode()


def test_it_autosaves_with_htmx_and_returns_the_new_version(world, as_user):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    client = as_user(world.users["reporter"])
    response = client.post(
        reverse("goals:report_autosave", args=[report.pk]),
        {"status": "on_track", "assessment": "Autosparat", "version": report.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Sparat automatiskt" in text
    assert f'value="{report.version + 1}" hx-swap-oob="true"' in text
    report.refresh_from_db()
    assert report.assessment == "Autosparat"


def test_it_lets_readers_read_submitted_reports_but_change_nothing(world, as_user):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    client = as_user(world.users["reader"])
    url = reverse("goals:report", args=[report.pk])
    assert client.get(url).status_code == 404  # a draft is not visible to readers
    Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    assert client.get(url).status_code == 200
    assert (
        client.post(
            url, {"status": "on_track", "assessment": "x", "version": 1, "save": "1"}
        ).status_code
        == 403
    )
    compile_url = reverse(
        "goals:compile_assignment", args=[world.period.pk, world.assignments[0].pk]
    )
    assert client.get(compile_url).status_code == 200
    assert client.post(compile_url, {"status": "on_track", "assessment": "x"}).status_code == 403
    assert not Report.objects.filter(period=world.period, organisation__isnull=True).exists()


def test_it_hides_other_organisations_reports_from_reporters(world, as_user):
    open_period(world)
    foreign = Report.objects.get(
        period=world.period, assignment=world.assignments[2], organisation=world.ubn
    )
    client = as_user(world.users["reporter"])
    for name in ("goals:report", "goals:report_history"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    response = client.post(
        reverse("goals:report", args=[foreign.pk]),
        {"status": "on_track", "assessment": "x", "version": 1, "save": "1"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("goals:report_autosave", args=[foreign.pk]),
        {"status": "on_track", "assessment": "x", "version": 1},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.assessment == ""
    mine = client.get(reverse("goals:my_reports")).content.decode()
    assert "Utbildningsnämnden" not in mine and "Socialnämnden" in mine


def test_it_refuses_an_invalid_status(world, as_user):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    client = as_user(world.users["reporter"])
    response = client.post(
        reverse("goals:report", args=[report.pk]),
        {"status": "purple", "assessment": "x", "version": report.version, "save": "1"},
    )
    assert "Ogiltig status" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.DELAYED


def test_it_shows_history_with_differences(world, as_user):
    open_period(world)
    report = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    client = as_user(world.users["reporter"])
    client.post(
        reverse("goals:report", args=[report.pk]),
        {"status": "on_track", "assessment": "Ny text", "version": report.version, "save": "1"},
    )
    page = (
        as_user(world.users["compiler"])
        .get(reverse("goals:report_history", args=[report.pk]))
        .content.decode()
    )
    assert "reporter-son" in page
    assert "SON: arbetet är försenat i april." in page and "Ny text" in page
    assert "Enligt plan" in page and "Försenat" in page
    page = as_user(world.users["compiler"]).get(
        reverse("goals:assignment_history", args=[world.assignments[0].pk])
    )
    assert page.status_code == 200
