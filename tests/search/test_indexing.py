"""What goals and follow-up put into search: published material only."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from insyn.goals.indexing import assignment_key, goal_key, index_period, unindex_period
from insyn.goals.models import AssignmentKind, PeriodKind, PeriodState, ReportState, Status
from insyn.search import services
from insyn.search.indexing import reindex_all
from insyn.search.models import SearchDocument
from insyn.search.services import search
from tests.factories import (
    AssignmentFactory,
    GoalFactory,
    GoalFollowUpFactory,
    GoalSectionFactory,
    OrganisationFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db


def keys(query: str, **kwargs) -> set[str]:
    return {hit.object_key for hit in search(query, **kwargs)}


@pytest.fixture
def published():
    """A plan with one goal, two assignments and a published August period."""
    plan = PlanFactory(year=2023)
    goal = GoalFactory(plan=plan, number="4", title="Uppsala ska vara en trygg kommun")
    GoalSectionFactory(
        goal=goal,
        heading="Välkomna och inkluderade",
        body="Alla ska känna sig välkomna i föreningslivet.",
    )
    board = OrganisationFactory(name="Kulturnämnden", slug="kulturnamnden")
    first = AssignmentFactory(
        goal=goal,
        number="20",
        title="Genomföra trygghetsvandringar",
        description="Trygghetsvandringar i alla stadsdelar.",
        responsible=[board],
    )
    second = AssignmentFactory(
        goal=goal,
        number="21",
        title="Bygga cykelbanor",
        description="Fler cykelbanor till skolorna.",
    )
    period = PeriodFactory(plan=plan)
    ReportFactory(
        assignment=first,
        period=period,
        status=Status.DELAYED,
        assessment="Vandringarna är försenade på grund av personalbrist.",
    )
    ReportFactory(
        assignment=first,
        period=period,
        organisation=board,
        assessment="Kulturnämnden har planerat höstens simhallsbesök.",
    )
    GoalFollowUpFactory(
        goal=goal, period=period, assessment="Målet bedöms bli uppfyllt tack vare medborgarlöften."
    )
    return {
        "plan": plan,
        "goal": goal,
        "first": first,
        "second": second,
        "period": period,
        "board": board,
    }


def test_index_period_writes_one_document_per_assignment_and_goal(published):
    assert index_period(published["period"]) == 3

    first, goal = published["first"], published["goal"]
    doc = SearchDocument.objects.get(object_key=assignment_key(first.pk))
    assert doc.kind == "assignment"
    assert doc.title == "Uppdrag 20: Genomföra trygghetsvandringar"
    assert doc.url == first.get_absolute_url()
    assert doc.year == 2023
    assert "Trygghetsvandringar i alla stadsdelar." in doc.body
    assert "Vandringarna är försenade" in doc.body
    assert "Kulturnämnden: Kulturnämnden har planerat höstens simhallsbesök." in doc.body

    goal_doc = SearchDocument.objects.get(object_key=goal_key(goal.pk))
    assert goal_doc.kind == "goal"
    assert goal_doc.title == "Fokusmål 4. Uppsala ska vara en trygg kommun"
    assert goal_doc.url == goal.get_absolute_url()
    assert "Välkomna och inkluderade" in goal_doc.body
    assert "medborgarlöften" in goal_doc.body


def test_indexed_material_is_found_by_other_word_forms(published):
    index_period(published["period"])
    first, second, goal = published["first"], published["second"], published["goal"]

    assert keys("trygghetsvandring") == {assignment_key(first.pk)}
    assert keys("försenat") == {assignment_key(first.pk)}
    assert keys("skola") == {assignment_key(second.pk)}
    assert keys("simhallsbesöken") == {assignment_key(first.pk)}
    assert keys("medborgarlöfte") == {goal_key(goal.pk)}
    assert keys("trygg", kinds=["goal"]) == {goal_key(goal.pk)}


def test_a_period_that_is_not_published_is_never_indexed(published):
    plan = published["plan"]
    for state in (PeriodState.PLANNED, PeriodState.OPEN, PeriodState.CLOSED):
        draft = PeriodFactory(
            plan=plan,
            kind=PeriodKind.ANNUAL,
            label=f"Årsbokslut {state}",
            month=None,
            state=state,
            published_at=None,
        )
        ReportFactory(
            assignment=published["first"],
            period=draft,
            assessment="Hemligt utkast om zebrakorsningarna.",
        )
        GoalFollowUpFactory(
            goal=published["goal"],
            period=draft,
            assessment="Hemlig bedömning om zebrakorsningarna.",
        )
        assert index_period(draft) == 0
        assert SearchDocument.objects.count() == 0

    index_period(published["period"])
    assert reindex_all() == 3
    assert keys("zebrakorsningarna") == set()
    assert not SearchDocument.objects.filter(body__contains="zebrakorsning").exists()


def test_a_plan_without_a_published_period_stays_out(published):
    other = PlanFactory(year=2025)
    goal = GoalFactory(plan=other, title="Ett framtida mål om rymdhamnar")
    AssignmentFactory(goal=goal, title="Bygga rymdhamnar")
    PeriodFactory(plan=other, state=PeriodState.OPEN, published_at=None)

    assert reindex_all() == 3
    assert keys("rymdhamnar") == set()


def test_organisation_reports_that_were_never_handed_in_stay_out(published):
    other = OrganisationFactory(name="Gatu- och samhällsmiljönämnden")
    ReportFactory(
        assignment=published["first"],
        period=published["period"],
        organisation=other,
        state=ReportState.DRAFT,
        assessment="Utkast om snöröjningsrobotar.",
    )
    index_period(published["period"])
    assert keys("snöröjningsrobotar") == set()


def test_board_goals_and_other_kinds_are_indexed_with_their_heading(published):
    board_goal = AssignmentFactory(
        goal=published["goal"],
        kind=AssignmentKind.BOARD_GOAL,
        number="",
        board_goal_code="NB 1.1",
        title="Attraktiv arbetsgivare",
    )
    index_period(published["period"])
    doc = SearchDocument.objects.get(object_key=assignment_key(board_goal.pk))
    assert doc.title == "Gemensamt nämnd-/bolagsmål NB 1.1: Attraktiv arbetsgivare"


def test_every_published_period_of_the_plan_contributes(published):
    april = PeriodFactory(
        plan=published["plan"], kind=PeriodKind.APRIL, label="Uppföljning per april", month=4
    )
    ReportFactory(
        assignment=published["first"],
        period=april,
        assessment="I april planerades vandringar med polisen.",
    )
    index_period(april)
    assert keys("polisen") == {assignment_key(published["first"].pk)}
    assert keys("personalbrist") == {assignment_key(published["first"].pk)}


def test_unindex_period_removes_its_material(published):
    april = PeriodFactory(
        plan=published["plan"], kind=PeriodKind.APRIL, label="Uppföljning per april", month=4
    )
    ReportFactory(
        assignment=published["first"],
        period=april,
        assessment="I april planerades vandringar med polisen.",
    )
    index_period(april)
    index_period(published["period"])

    unindex_period(april)  # still PUBLISHED in the database: the caller is about to change it
    assert keys("polisen") == set()
    assert keys("personalbrist") == {assignment_key(published["first"].pk)}
    april.state = PeriodState.CLOSED
    april.save()

    unindex_period(published["period"])  # the plan's last published period
    assert SearchDocument.objects.count() == 0


def test_unpublishing_then_indexing_again_forgets_the_period(published):
    index_period(published["period"])
    period = published["period"]
    period.state = PeriodState.CLOSED
    period.save()
    unindex_period(period)
    assert keys("personalbrist") == set()
    assert reindex_all() == 0


def test_reindex_all_is_idempotent_and_leaves_other_apps_alone(published):
    services.index_document(
        object_key="other.thing:1",
        kind="other",
        url="/d/1/",
        title="Annat om trygghetsvandringar",
        body="",
    )
    services.index_document(
        object_key=assignment_key(99999),
        kind="assignment",
        url="/x/",
        title="Ett borttaget uppdrag om trygghetsvandringar",
        body="",
    )

    assert reindex_all() == 3
    first = sorted(SearchDocument.objects.values_list("object_key", "title", "body", "url", "year"))
    assert reindex_all() == 3
    second = sorted(
        SearchDocument.objects.values_list("object_key", "title", "body", "url", "year")
    )
    assert first == second
    assert keys("trygghetsvandring") == {assignment_key(published["first"].pk), "other.thing:1"}


def test_index_period_is_idempotent(published):
    index_period(published["period"])
    index_period(published["period"])
    assert SearchDocument.objects.count() == 3
    assert len(search("trygghetsvandring")) == 1


def _add_data(plan, period, goals: int, assignments_per_goal: int) -> None:
    organisations = OrganisationFactory.create_batch(3)
    for _ in range(goals):
        goal = GoalFactory(plan=plan)
        GoalSectionFactory.create_batch(2, goal=goal)
        GoalFollowUpFactory(goal=goal, period=period)
        for _ in range(assignments_per_goal):
            assignment = AssignmentFactory(goal=goal, responsible=organisations)
            ReportFactory(assignment=assignment, period=period)
            for org in organisations:
                ReportFactory(assignment=assignment, period=period, organisation=org)


@pytest.mark.parametrize("goals", [1, 10])
def test_index_period_costs_a_fixed_number_of_queries(goals, django_assert_max_num_queries):
    plan = PlanFactory(year=2023)
    period = PeriodFactory(plan=plan)
    _add_data(plan, period, goals=goals, assignments_per_goal=3)
    with django_assert_max_num_queries(12):
        written = index_period(period)
    assert written == goals * 4


def test_rebuild_search_index_command(published):
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "3 dokument" in out.getvalue()
    assert keys("trygghetsvandring") == {assignment_key(published["first"].pk)}
