"""Year end: unfinished assignments carried into the next plan; additional assignments from
later council decisions; an assignment's whole life across years."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from insyn.goals import selectors, services
from insyn.goals.models import Assignment, AssignmentKind, Goal, PeriodState, Report
from tests.factories import GoalSectionFactory, PlanFactory, ReportFactory
from tests.world import open_period

pytestmark = pytest.mark.django_db


def _published_with(world, statuses):
    period = world.previous
    for assignment, status in zip(world.assignments, statuses, strict=True):
        Report.objects.update_or_create(
            assignment=assignment,
            period=period,
            organisation=None,
            defaults={"status": status, "assessment": "x"},
        )
    return period


def test_it_carries_unfinished_assignments_into_the_next_plan(world, as_user):
    GoalSectionFactory(goal=world.goals[1], heading="Målbeskrivning", body="Trygghet.")
    period = _published_with(world, ["completed", "delayed", "on_track"])
    next_plan = PlanFactory(year=2024)
    client = as_user(world.users["admin"])
    response = client.post(
        reverse("goals:carry_over"), {"from_period": period.pk, "to_plan": next_plan.pk}
    )
    assert response.status_code == 200
    assert "2 kvarvarande uppdrag fördes över" in response.content.decode()
    carried = list(Assignment.objects.filter(goal__plan=next_plan).order_by("origin_number"))
    assert [a.heading for a in carried] == [
        "Kvarvarande från 2023 uppdrag 2",
        "Kvarvarande från 2023 uppdrag 3",
    ]
    assert all(a.kind == AssignmentKind.REMAINING for a in carried)
    assert [a.carried_over_from for a in carried] == world.assignments[1:]
    assert carried[0].goal.number == "1" and carried[1].goal.number == "2"
    new_goal = Goal.objects.get(plan=next_plan, number="2")
    assert new_goal.title == "Trygg uppväxt"
    assert [s.heading for s in new_goal.sections.all()] == ["Målbeskrivning"]
    assert set(carried[1].responsible_groups.all()) == set(
        world.assignments[2].responsible_groups.all()
    )
    # Idempotent.
    client.post(reverse("goals:carry_over"), {"from_period": period.pk, "to_plan": next_plan.pk})
    assert Assignment.objects.filter(goal__plan=next_plan).count() == 2
    # Lineage across years, from either end.
    assert selectors.assignment_lineage(carried[0]) == [world.assignments[1], carried[0]]
    assert selectors.assignment_lineage(world.assignments[1]) == [world.assignments[1], carried[0]]
    page = client.get(reverse("goals:assignment_history", args=[carried[0].pk]))
    assert "2023: Uppdrag 2" in page.content.decode()


def test_it_prefills_drafts_of_carried_assignments_from_the_old_reports(world):
    period = _published_with(world, ["completed", "delayed", "completed"])
    ReportFactory(
        assignment=world.assignments[1],
        period=period,
        organisation=world.ks,
        assessment="KS i april",
    )
    next_plan = PlanFactory(year=2024)
    (carried,) = services.carry_over(from_period=period, to_plan=next_plan, by=world.users["admin"])
    new_period = services.period_create(
        plan=next_plan, kind="april", deadline=world.period.deadline, by=world.users["admin"]
    )
    services.period_open(period=new_period, by=world.users["admin"])
    draft = Report.objects.get(period=new_period, assignment=carried, organisation=world.ks)
    assert draft.assessment == "KS i april"


def test_it_refuses_carrying_from_an_unpublished_period(world):
    with pytest.raises(ValidationError):
        services.carry_over(
            from_period=world.period, to_plan=PlanFactory(year=2024), by=world.users["admin"]
        )


def test_it_adds_an_additional_assignment_with_a_valid_decision(world, as_user):
    open_period(world)
    client = as_user(world.users["admin"])
    data = {
        "goal": world.goals[0].pk,
        "title": "Utred nattbussar",
        "description": "",
        "case_number": "KSN-2019",
        "paragraph": "379",
        "body": "Kommunfullmäktige",
        "decision_date": "2023-06-12",
        "responsible": [world.son.pk],
    }
    response = client.post(reverse("goals:assignment_additional"), data)
    text = response.content.decode()
    assert "Diarienumret ska se ut som KSN-2019-03835" in text
    assert not Assignment.objects.filter(kind=AssignmentKind.ADDITIONAL).exists()
    response = client.post(
        reverse("goals:assignment_additional"), {**data, "case_number": "KSN-2019-03835"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(kind=AssignmentKind.ADDITIONAL)
    assert (assignment.decision_case_number, assignment.decision_paragraph) == (
        "KSN-2019-03835",
        "§379",
    )
    assert assignment.decision_date == dt.date(2023, 6, 12)
    assert assignment.heading == "Tillkommande uppdrag"
    # The open period gets a draft for it at once.
    assert Report.objects.filter(
        period=world.period, assignment=assignment, organisation=world.son
    ).exists()
    assert world.period.state == PeriodState.OPEN


@pytest.mark.parametrize("case", ["KSN-2019-03835", "UBN-2022-12", "KS-2023-1"])
def test_it_accepts_case_numbers(case):
    assert services.CASE_NUMBER_RE.match(case)


@pytest.mark.parametrize("case", ["", "KSN 2019 03835", "KSN-19-1", "KSN-2019-", "§379"])
def test_it_rejects_malformed_case_numbers(case):
    assert not services.CASE_NUMBER_RE.match(case)


@pytest.mark.parametrize(
    ("paragraph", "ok"),
    [("§379", True), ("§ 12", True), ("379", False), ("§", False), ("§12a", False)],
)
def test_it_checks_paragraphs(paragraph, ok):
    assert bool(services.PARAGRAPH_RE.match(paragraph)) is ok
